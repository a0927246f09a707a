// Cold start of the bundled CLI on the dump: `node server/dist/cli.js lint FILE` as a user runs it.
import { defineBenchCase, unavailable } from '../api';

export default defineBenchCase<string>({
  name: 'cli lint (cold)',
  target: { ratioToRestore: 0.5 },
  warmup: 0,
  setup: (ctx) => ctx.cliPath ?? unavailable('server/dist/cli.js not built (npm run bundle)'),
  run(ctx, cliPath) {
    const result = ctx.runCommand(process.execPath, [cliPath, 'lint', ctx.dumpPath]);
    // lint exits 1 when it reports findings; anything else (2 = usage, signals) is a failure.
    if (result.status !== 0 && result.status !== 1) throw new Error(`exit ${result.status ?? result.signal}: ${result.stderr.slice(0, 500)}`);
    return { peakRssBytes: result.peakRssBytes, note: `exit ${result.status}, ${result.stdout.split('\n').length - 1} output lines` };
  },
});
