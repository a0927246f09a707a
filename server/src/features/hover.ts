import { MarkupKind, type HoverParams } from 'vscode-languageserver';
import { hover } from '../netfilter/ide/hover';
import { rangeOf } from '../ranges';
import type { Feature } from './context';

export const hoverFeature: Feature = {
  name: 'hover',
  capabilities: { hoverProvider: true },
  register(ctx) {
    ctx.connection.onHover(
      ctx.guard('hover', null, async (params: HoverParams) => {
        const at = await ctx.atForRead(params.textDocument.uri, params.position);
        if (!at) return null;
        const result = hover(at.doc, at.offset);
        if (!result) return null;
        return { contents: { kind: MarkupKind.Markdown, value: result.markdown }, range: rangeOf(at.doc.ruleset.lineStarts, result.span) };
      }),
    );
  },
};
