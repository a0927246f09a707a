// Language server stays responsive: after a one-line edit, a trivial request (hover on line 1) is
// sent every 20 ms until the new version is analysed (all its diagnostics published); the case's figure is the LONGEST any of those
// requests waited (statistic max). A server that parses/analyses in one synchronous block answers
// nothing until it is done, and this number shows it.
import { defineBenchCase, type RunOutcome } from '../api';
import { LSP_SIZES, sendEdit, startWithDumpAndEdit, type OpenDocument, type PortEdit } from '../lsp-session';

const INTERVAL_MS = 20;

export default defineBenchCase<{ doc: OpenDocument; edit: PortEdit }>({
  name: 'lsp hover while re-linting (max)',
  target: { absoluteMs: 50, statistic: 'max' },
  sizes: LSP_SIZES,
  iterations: 3,
  warmup: 0,
  setup: startWithDumpAndEdit,
  async run(_ctx, { doc, edit }): Promise<RunOutcome> {
    const { sentAt, analysed } = await sendEdit(doc, edit);
    let published = false;
    let diagnosticsMs = 0;
    void analysed.then(() => {
      published = true;
      diagnosticsMs = performance.now() - sentAt;
    });
    const latencies: Array<Promise<{ sentAfterMs: number; answeredAfterMs: number; ms: number }>> = [];
    while (!published) {
      const sentAfterMs = performance.now() - sentAt;
      latencies.push(
        doc.session
          .timed('textDocument/hover', { textDocument: { uri: doc.uri }, position: { line: 0, character: 1 } })
          .then(({ ms }) => ({ sentAfterMs, answeredAfterMs: sentAfterMs + ms, ms })),
      );
      await new Promise((r) => setTimeout(r, INTERVAL_MS));
    }
    const answered = await Promise.all(latencies);
    await doc.session.idle(doc.uri);
    // A hover needs the new version's model: every hover sent before the first answer waited for
    // the parse; the ones sent after it only compete with the analyses.
    const modelReadyAfterMs = Math.min(...answered.map((a) => a.answeredAfterMs));
    const worst = (list: typeof answered) => list.reduce((a, b) => (b.ms > a.ms ? b : a), { sentAfterMs: 0, answeredAfterMs: 0, ms: 0 });
    const duringParse = worst(answered.filter((a) => a.sentAfterMs < modelReadyAfterMs));
    const duringAnalysis = worst(answered.filter((a) => a.sentAfterMs >= modelReadyAfterMs));
    return {
      samplesMs: answered.map((a) => a.ms),
      note: `${answered.length} hovers; worst ${duringParse.ms.toFixed(0)} ms until the model was ready (${modelReadyAfterMs.toFixed(0)} ms after the edit), worst ${duringAnalysis.ms.toFixed(0)} ms after; diagnostics after ${diagnosticsMs.toFixed(0)} ms`,
    };
  },
  async teardown(_ctx, { doc }) {
    const peakRssBytes = doc.session.peakRssBytes();
    await doc.session.close();
    return { peakRssBytes };
  },
});
