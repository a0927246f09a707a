// Sanity floor: reading the dump into a string as the CLI does. Anything we do costs at least this much.
import { readFileSync } from 'node:fs';
import { defineBenchCase } from '../api';
import { decodeDump } from '../../../server/src/cli/main';

export default defineBenchCase({
  name: 'read file',
  target: { ratioToRestore: 0.1 },
  run(ctx) {
    const text = decodeDump(readFileSync(ctx.dumpPath));
    return { note: `${(text.length / 1048576).toFixed(1)} MiB read` };
  },
});
