// Cold start of the bundled CLI tracing one packet through the dump (the packet-line syntax of
// protocol.ts): a client outside the cluster reaching the kubernetes API service IP.
import { defineBenchCase, unavailable } from '../api';

const PACKET = '192.168.50.9 -> 10.96.0.1:443/tcp in eth0';

export default defineBenchCase<string>({
  name: 'cli trace (cold)',
  target: { ratioToRestore: 1.5 },
  warmup: 0,
  setup: (ctx) => ctx.cliPath ?? unavailable('server/dist/cli.js not built (npm run bundle)'),
  run(ctx, cliPath) {
    const result = ctx.runCommand(process.execPath, [cliPath, 'trace', ctx.dumpPath, PACKET]);
    if (result.status !== 0) throw new Error(`exit ${result.status ?? result.signal}: ${result.stderr.slice(0, 500)}`);
    return { peakRssBytes: result.peakRssBytes, note: `${result.stdout.split('\n').length - 1} output lines` };
  },
});
