// What VS Code asks by itself when a big dump is open (and again after edits): the outline
// (documentSymbol), folding ranges, code lenses, and completion right after `-j ` on a
// KUBE-SERVICES rule. Each is timed on this side of the pipe, answer included; the case's figure is
// the LONGEST (statistic max): while one is computed and serialised the server answers nothing else,
// so it counts against the same 50 ms as the hovers of `lsp hover while re-linting`.
import { defineBenchCase, isUnavailable, type RunOutcome } from '../api';
import { LSP_SIZES, middleServicePortEdit, startWithDump, type OpenDocument } from '../lsp-session';

export default defineBenchCase<{ doc: OpenDocument; jumpAt: { line: number; character: number } }>({
  name: 'lsp editor requests (max)',
  target: { absoluteMs: 50, statistic: 'max' },
  sizes: LSP_SIZES,
  iterations: 3,
  warmup: 1,
  async setup(ctx) {
    // The middle KUBE-SERVICES rule's `-j ` (its port edit line has one).
    const { line } = middleServicePortEdit(ctx.dumpText);
    let start = 0;
    for (let k = 0; k < line; k++) start = ctx.dumpText.indexOf('\n', start) + 1;
    const character = ctx.dumpText.indexOf(' -j ', start) - start + ' -j '.length;
    const doc = await startWithDump(ctx);
    return isUnavailable(doc) ? doc : { doc, jumpAt: { line, character } };
  },
  async run(_ctx, { doc, jumpAt }): Promise<RunOutcome> {
    const textDocument = { uri: doc.uri };
    const requests: Array<[string, string, unknown]> = [
      ['outline', 'textDocument/documentSymbol', { textDocument }],
      ['folding', 'textDocument/foldingRange', { textDocument }],
      ['lenses', 'textDocument/codeLens', { textDocument }],
      ['completion after -j', 'textDocument/completion', { textDocument, position: jumpAt }],
    ];
    const samplesMs: number[] = [];
    const parts: string[] = [];
    for (const [label, method, params] of requests) {
      const { result, ms } = await doc.session.timed(method, params);
      samplesMs.push(ms);
      const bytes = JSON.stringify(result ?? null).length;
      parts.push(`${label} ${ms.toFixed(0)} ms (${(bytes / 1048576).toFixed(bytes < 1048576 ? 2 : 1)} MiB)`);
    }
    return { samplesMs, note: parts.join(', ') };
  },
  async teardown(_ctx, { doc }) {
    const peakRssBytes = doc.session.peakRssBytes();
    await doc.session.close();
    return { peakRssBytes };
  },
});
