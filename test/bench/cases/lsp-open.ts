// Language server, cold: a fresh server (started untimed) gets didOpen with the whole dump; timed
// until the first publishDiagnostics for it (on a big document: its parse problems, published
// before the analyses finish; lsp-open-analysed.ts waits for those).
import { defineBenchCase, unavailable, type RunOutcome } from '../api';
import { bundledServerPath, LSP_SIZES, LspSession } from '../lsp-session';

export default defineBenchCase<string>({
  name: 'lsp didOpen → first diagnostics',
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
      const diagnostics = session.nextDiagnostics(uri, 1);
      const analysed = session.nextAnalysed(uri, 1);
      const start = performance.now();
      await session.open(uri, ctx.dumpText, 1);
      const published = await diagnostics;
      const ms = performance.now() - start;
      await analysed;
      await session.idle(uri);
      return { samplesMs: [ms], peakRssBytes: session.peakRssBytes(), note: `${published.diagnostics.length} diagnostics; peak RSS = server VmHWM` };
    } finally {
      await session.close();
    }
  },
});
