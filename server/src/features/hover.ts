import { MarkupKind, type HoverParams } from 'vscode-languageserver';
import { hover, hoverNeeds } from '../netfilter/ide/hover';
import { rangeOf } from '../ranges';
import { runGeneratorSliced, runSliced } from '../slicing';
import type { Feature } from './context';

export const hoverFeature: Feature = {
  name: 'hover',
  capabilities: { hoverProvider: true },
  register(ctx) {
    ctx.connection.onHover(
      ctx.guard('hover', null, async (params: HoverParams, token) => {
        // Right after opening a big dump, most hovers (an option, a target, a rule) need no index:
        // answered at once, not after the navigation index (≈ 0.1 s at 10k services).
        const at = await ctx.atForRead(params.textDocument.uri, params.position, { index: false });
        if (!at) return null;
        const cancelled = () => !!token?.isCancellationRequested;
        let needs = hoverNeeds(at.doc, at.offset);
        if (needs.chainCallers) {
          // a chain's callers: one pass over every rule of its table, in slices
          if (!(await runGeneratorSliced(at.doc.partialIndex.readCallersSteps(needs.chainCallers.table, needs.chainCallers.name), cancelled, 'awaited'))) return null;
          needs = hoverNeeds(at.doc, at.offset);
        }
        if (needs.navigation) {
          if (!(await runSliced(() => at.doc.prepareIndex(), cancelled, 'awaited'))) return null;
          needs = hoverNeeds(at.doc, at.offset);
        }
        // A mark or address hover reads an index of its own: built in slices first (the warm-up
        // after opening may not have reached it), never at once inside this request.
        if (needs.marks || needs.addresses) {
          const ready = () => (!needs.marks || at.doc.prepareMarks()) && (!needs.addresses || at.doc.prepareAddresses());
          if (!(await runSliced(ready, cancelled, 'awaited'))) return null;
        }
        const result = hover(at.doc, at.offset);
        if (!result) return null;
        return { contents: { kind: MarkupKind.Markdown, value: result.markdown }, range: rangeOf(at.doc.ruleset.lineStarts, result.span) };
      }),
    );
  },
};
