// Second floor: reading plus splitting into lines, the least any line-based parser must do.
import { readFileSync } from 'node:fs';
import { defineBenchCase } from '../api';

export default defineBenchCase({
  name: 'read + split lines',
  target: { ratioToRestore: 0.15 },
  run(ctx) {
    const lines = readFileSync(ctx.dumpPath, 'utf8').split('\n');
    return { note: `${lines.length.toLocaleString('en-US')} lines` };
  },
});
