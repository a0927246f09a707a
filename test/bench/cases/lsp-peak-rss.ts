// Language server memory: one editing session on the dump — open, wait for diagnostics, one edit
// (until re-analysed),
// then hover, definition and references at ~200 positions each — and the server's peak RSS
// (VmHWM from /proc/<pid>/status) afterwards. The time column is the whole session, for reference.
import { defineBenchCase, isUnavailable, type RunOutcome } from '../api';
import { LSP_SIZES, middleServicePortEdit, samplePositions, sendEdit, startWithDump, timeRequests, type Position } from '../lsp-session';

export default defineBenchCase<{ positions: Position[] }>({
  name: 'lsp session peak RSS',
  target: { peakRssMb: 300 },
  sizes: LSP_SIZES,
  iterations: 1,
  warmup: 0,
  setup: (ctx) => ({ positions: samplePositions(ctx.dumpText, 200) }),
  async run(ctx, { positions }): Promise<RunOutcome> {
    const doc = await startWithDump(ctx);
    if (isUnavailable(doc)) throw new Error(doc.unavailable);
    try {
      const { analysed } = await sendEdit(doc, middleServicePortEdit(ctx.dumpText));
      await analysed;
      await doc.session.idle(doc.uri);
      for (const method of ['textDocument/hover', 'textDocument/definition', 'textDocument/references']) await timeRequests(doc, method, positions);
      return { peakRssBytes: doc.session.peakRssBytes(), note: `open + edit + ${positions.length * 3} requests; peak RSS = server VmHWM` };
    } finally {
      await doc.session.close();
    }
  },
});
