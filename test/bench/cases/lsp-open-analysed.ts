// Language server, cold: as lsp-open.ts, timed until the diagnostics with every analysis are
// published (the server's `iptables-lens/analysed` notification follows that publish).
import { defineBenchCase, unavailable, type RunOutcome } from '../api';
import { bundledServerPath, LSP_SIZES, LspSession } from '../lsp-session';

export default defineBenchCase<string>({
  name: 'lsp didOpen → all diagnostics',
  target: { absoluteMs: 300 },
  sizes: LSP_SIZES,
  iterations: 3,
  warmup: 0,
  setup(ctx) {
    const serverPath = bundledServerPath(ctx.repoRoot);
    if (!serverPath) return unavailable('server/dist/server.js not built (npm run bundle)');
    void ctx.dumpText;
    return serverPath;
  },
  async run(ctx, serverPath): Promise<RunOutcome> {
    const session = await LspSession.start(serverPath);
    try {
      const uri = `file://${ctx.dumpPath}`;
      const analysed = session.nextAnalysed(uri, 1);
      const start = performance.now();
      await session.open(uri, ctx.dumpText, 1);
      await analysed;
      const ms = performance.now() - start;
      await session.idle(uri);
      return { samplesMs: [ms], peakRssBytes: session.peakRssBytes(), note: 'peak RSS = server VmHWM' };
    } finally {
      await session.close();
    }
  },
});
