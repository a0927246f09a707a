// Language server, warm: the same one-line edit as lsp-edit.ts, timed until the diagnostics that
// include every analysis of the new version are published (the server's `iptables-lens/analysed`
// notification follows that publish). Includes the 50 ms edit debounce.
import { defineBenchCase, type RunOutcome } from '../api';
import { LSP_SIZES, sendEdit, startWithDumpAndEdit, type OpenDocument, type PortEdit } from '../lsp-session';

export default defineBenchCase<{ doc: OpenDocument; edit: PortEdit }>({
  name: 'lsp edit → all diagnostics',
  target: { absoluteMs: 300 },
  sizes: LSP_SIZES,
  iterations: 5,
  warmup: 1,
  setup: startWithDumpAndEdit,
  async run(_ctx, { doc, edit }): Promise<RunOutcome> {
    const { sentAt, analysed } = await sendEdit(doc, edit);
    await analysed;
    const ms = performance.now() - sentAt;
    await doc.session.idle(doc.uri);
    return { samplesMs: [ms], note: `line ${edit.line + 1}: --dport ${edit.original} ⇄ ${edit.replacement}` };
  },
  async teardown(_ctx, { doc }) {
    const peakRssBytes = doc.session.peakRssBytes();
    await doc.session.close();
    return { peakRssBytes };
  },
});
