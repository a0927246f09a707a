// Sanity floor: reading the dump into a string. Anything we do costs at least this much.
import { readFileSync } from 'node:fs';
import { defineBenchCase } from '../api';

export default defineBenchCase({
  name: 'read file',
  target: { ratioToRestore: 0.1 },
  run(ctx) {
    const text = readFileSync(ctx.dumpPath, 'utf8');
    return { note: `${(text.length / 1048576).toFixed(1)} MiB read` };
  },
});
