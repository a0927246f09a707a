// Language server, warm: the dump is open; a one-line incremental edit (a port number in the
// middle KUBE-SERVICES rule, alternately changed and restored) until the diagnostics of the new
// version arrive. Includes the server's edit debounce (DIAGNOSTICS_DEBOUNCE_MS, 150 ms).
import { defineBenchCase, type RunOutcome } from '../api';
import { LSP_SIZES, sendEdit, startWithDumpAndEdit, type OpenDocument, type PortEdit } from '../lsp-session';

export default defineBenchCase<{ doc: OpenDocument; edit: PortEdit }>({
  name: 'lsp edit → diagnostics',
  target: { absoluteMs: 300 },
  sizes: LSP_SIZES,
  iterations: 5,
  warmup: 1,
  setup: startWithDumpAndEdit,
  async run(_ctx, { doc, edit }): Promise<RunOutcome> {
    const { sentAt, diagnostics } = await sendEdit(doc, edit);
    const published = await diagnostics;
    const ms = performance.now() - sentAt;
    await doc.session.idle(doc.uri); // let the index warm-up finish before the next edit
    return { samplesMs: [ms], note: `line ${edit.line + 1}: --dport ${edit.original} ⇄ ${edit.replacement}, ${published.diagnostics.length} diagnostics` };
  },
  async teardown(_ctx, { doc }) {
    const peakRssBytes = doc.session.peakRssBytes();
    await doc.session.close();
    return { peakRssBytes };
  },
});
