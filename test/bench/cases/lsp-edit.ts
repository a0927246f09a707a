// Language server, warm: the dump is open; a one-line incremental edit (a port number in the
// middle KUBE-SERVICES rule, alternately changed and restored) until the FIRST diagnostics of the
// new version arrive: on a big document, its parse problems plus the previous analysis findings on
// the lines the edit did not touch (lsp-edit-analysed.ts waits for the re-analysed ones).
// Includes the server's edit debounce (DIAGNOSTICS_DEBOUNCE_MS, 50 ms).
import { defineBenchCase, type RunOutcome } from '../api';
import { LSP_SIZES, sendEdit, startWithDumpAndEdit, type OpenDocument, type PortEdit } from '../lsp-session';

export default defineBenchCase<{ doc: OpenDocument; edit: PortEdit }>({
  name: 'lsp edit → first diagnostics',
  target: { absoluteMs: 300 },
  sizes: LSP_SIZES,
  iterations: 5,
  warmup: 1,
  setup: startWithDumpAndEdit,
  async run(_ctx, { doc, edit }): Promise<RunOutcome> {
    const { sentAt, diagnostics, analysed } = await sendEdit(doc, edit);
    const published = await diagnostics;
    const ms = performance.now() - sentAt;
    await analysed;
    await doc.session.idle(doc.uri); // let the index warm-up finish before the next edit
    return { samplesMs: [ms], note: `line ${edit.line + 1}: --dport ${edit.original} ⇄ ${edit.replacement}, ${published.diagnostics.length} diagnostics` };
  },
  async teardown(_ctx, { doc }) {
    const peakRssBytes = doc.session.peakRssBytes();
    await doc.session.close();
    return { peakRssBytes };
  },
});
