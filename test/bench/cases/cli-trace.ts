// Cold start of the bundled CLI tracing one packet through the dump, with the flag form of the
// command line: a client outside the cluster reaching the kubernetes API service IP.
import { defineBenchCase, unavailable } from '../api';
import { EXTERNAL_CLIENT, NODE_ADDRESS } from '../kube-targets';

const PACKET_FLAGS = ['--src', EXTERNAL_CLIENT, '--dst', '10.96.0.1', '--proto', 'tcp', '--dport', '443', '--local-addr', NODE_ADDRESS];

export default defineBenchCase<string>({
  name: 'cli trace (cold)',
  target: { ratioToRestore: 0.5 },
  warmup: 0,
  setup: (ctx) => ctx.cliPath ?? unavailable('server/dist/cli.js not built (npm run bundle)'),
  run(ctx, cliPath) {
    const result = ctx.runCommand(process.execPath, [cliPath, 'trace', ctx.dumpPath, ...PACKET_FLAGS]);
    if (result.status !== 0) throw new Error(`exit ${result.status ?? result.signal}: ${result.stderr.slice(0, 500)}`);
    if (!/KUBE-SVC-/.test(result.stdout)) throw new Error(`the trace never reached a KUBE-SVC chain:\n${result.stdout.slice(0, 800)}`);
    return { peakRssBytes: result.peakRssBytes, note: `${result.stdout.split('\n').length - 1} output lines` };
  },
});
