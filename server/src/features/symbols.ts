// Outline (document symbols), workspace symbols (chains of every open dump) and folding ranges.
import { FoldingRangeKind, SymbolKind, type DocumentSymbol, type DocumentSymbolParams, type FoldingRangeParams, type WorkspaceSymbolParams, type SymbolInformation } from 'vscode-languageserver';
import { chainSymbolSteps, documentSymbolSteps, foldingRangeSteps, mostUsefulFoldingRanges, OUTLINE_RULES_LIMIT, type OutlineSymbol } from '../netfilter/ide/symbols';
import { runGeneratorSliced } from '../slicing';
import { rangeOf } from '../ranges';
import type { Feature } from './context';

// 'more' is the entry that stands for the chains a huge outline leaves out.
const KIND = { table: SymbolKind.Namespace, chain: SymbolKind.Function, rule: SymbolKind.Field, more: SymbolKind.Null } as const;

function toDocumentSymbol(lineStarts: readonly number[], symbol: OutlineSymbol): DocumentSymbol {
  const converted: DocumentSymbol = {
    name: symbol.name,
    detail: symbol.detail,
    kind: KIND[symbol.kind],
    range: rangeOf(lineStarts, symbol.span),
    selectionRange: rangeOf(lineStarts, symbol.selectionSpan),
  };
  // (optional in the protocol: thousands of chains without rule children send no empty lists)
  if (symbol.children.length) converted.children = symbol.children.map((c) => toDocumentSymbol(lineStarts, c));
  return converted;
}

const WORKSPACE_SYMBOL_LIMIT = 2000;

export const symbolsFeature: Feature = {
  name: 'symbols',
  capabilities: { documentSymbolProvider: true, workspaceSymbolProvider: true, foldingRangeProvider: true },
  register(ctx) {
    ctx.connection.onDocumentSymbol(
      ctx.guard('documentSymbol', null, async (params: DocumentSymbolParams, token) => {
        const doc = await ctx.store.ready(params.textDocument.uri);
        if (!doc) return null;
        const includeRules = !ctx.store.isLarge(params.textDocument.uri) && doc.index.ruleCount <= OUTLINE_RULES_LIMIT;
        // In slices: the editor asks for the outline by itself, right after opening and after edits.
        const symbols = await runGeneratorSliced(documentSymbolSteps(doc, { includeRules }), () => !!token?.isCancellationRequested);
        if (!symbols) return null;
        return symbols.value.map((s) => toDocumentSymbol(doc.ruleset.lineStarts, s));
      }),
    );
    ctx.connection.onWorkspaceSymbol(
      ctx.guard('workspaceSymbol', [] as SymbolInformation[], async (params: WorkspaceSymbolParams, token) => {
        const result: SymbolInformation[] = [];
        for (const textDocument of ctx.documents.all()) {
          if (token?.isCancellationRequested || result.length >= WORKSPACE_SYMBOL_LIMIT) break;
          if (ctx.store.isLarge(textDocument.uri)) continue;
          const doc = await ctx.store.ready(textDocument.uri);
          if (!doc) continue;
          // In slices: a 10k-service dump has 41k chains to match against the query.
          const found = await runGeneratorSliced(chainSymbolSteps(doc, params.query, WORKSPACE_SYMBOL_LIMIT - result.length), () => !!token?.isCancellationRequested);
          if (!found) break;
          for (const chain of found.value) {
            result.push({ name: chain.name, kind: SymbolKind.Function, containerName: `${chain.table} · ${chain.rules} rules`, location: { uri: textDocument.uri, range: rangeOf(doc.ruleset.lineStarts, chain.span) } });
          }
        }
        return result;
      }),
    );
    ctx.connection.onFoldingRanges(
      ctx.guard('foldingRange', null, async (params: FoldingRangeParams, token) => {
        const doc = await ctx.store.ready(params.textDocument.uri);
        if (!doc || ctx.store.isLarge(params.textDocument.uri)) return null;
        // In slices: 155k lines at 10k services, asked for by the editor itself after opening.
        const ranges = await runGeneratorSliced(foldingRangeSteps(doc), () => !!token?.isCancellationRequested);
        if (!ranges) return null;
        // The client keeps at most rangeLimit ranges (VS Code: 5,000): send the ones worth folding.
        const limit = ctx.clientCapabilities?.textDocument?.foldingRange?.rangeLimit;
        const sent = limit === undefined ? ranges.value : mostUsefulFoldingRanges(ranges.value, limit);
        return sent.map((r) => ({ startLine: r.startLine, endLine: r.endLine, kind: r.kind === 'table' ? FoldingRangeKind.Region : undefined }));
      }),
    );
  },
};
