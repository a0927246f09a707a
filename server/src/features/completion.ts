import { CompletionItemKind, MarkupKind, type CompletionItem, type CompletionParams } from 'vscode-languageserver';
import { complete, type CompletionKind } from '../netfilter/ide/completion';
import { rangeOf } from '../ranges';
import type { Feature } from './context';

const KIND: Record<CompletionKind, CompletionItemKind> = {
  chain: CompletionItemKind.Function,
  'builtin-chain': CompletionItemKind.Module,
  target: CompletionItemKind.Event,
  match: CompletionItemKind.Class,
  option: CompletionItemKind.Property,
  value: CompletionItemKind.EnumMember,
  table: CompletionItemKind.Struct,
  command: CompletionItemKind.Keyword,
};

export const completionFeature: Feature = {
  name: 'completion',
  capabilities: { completionProvider: { triggerCharacters: ['-', ' ', ':', ','], resolveProvider: false } },
  register(ctx) {
    ctx.connection.onCompletion(
      ctx.guard('completion', null, async (params: CompletionParams) => {
        const at = await ctx.at(params.textDocument.uri, params.position);
        if (!at) return null;
        const lineStarts = at.doc.ruleset.lineStarts;
        const { entries, incomplete } = complete(at.doc, at.offset);
        const items: CompletionItem[] = entries.map((entry) => ({
          label: entry.label,
          kind: KIND[entry.kind],
          detail: entry.detail,
          documentation: entry.documentation ? { kind: MarkupKind.Markdown, value: entry.documentation } : undefined,
          sortText: entry.sortText,
          textEdit: { range: rangeOf(lineStarts, entry.replace), newText: entry.insertText ?? entry.label },
        }));
        return { isIncomplete: incomplete, items };
      }),
    );
  },
};
