// Definition, references, document highlights and rename of chain names.
import { DocumentHighlightKind, ResponseError, ErrorCodes, type CancellationToken, type Position, type DefinitionParams, type DocumentHighlightParams, type PrepareRenameParams, type ReferenceParams, type RenameParams } from 'vscode-languageserver';
import { findDefinition, findDefinitionFromParse, findHighlights, findHighlightsFromParse, findReferences, findReferencesFromParse, prepareRename, rename } from '../netfilter/ide/navigation';
import type { IdeDocument } from '../netfilter/ide/ide-document';
import { runSliced } from '../slicing';
import { rangeOf } from '../ranges';
import type { Feature, ServerContext } from './context';

/**
 * Right after opening a big dump, a chain's declaration and occurrences are read from the parse
 * (`fromParse`): no wait for the navigation index (≈ 0.1 s at 10k services). When the parse does
 * not tell, the index is built in slices, then `withIndex` answers.
 */
async function fromParseOrIndex<R>(
  ctx: ServerContext,
  params: { textDocument: { uri: string }; position: Position },
  token: CancellationToken | undefined,
  fromParse: (doc: IdeDocument, offset: number) => R | undefined,
  withIndex: (doc: IdeDocument, offset: number) => R,
): Promise<{ doc: IdeDocument; result: R } | undefined> {
  const at = await ctx.atForRead(params.textDocument.uri, params.position, { index: false });
  if (!at) return undefined;
  const result = fromParse(at.doc, at.offset);
  if (result !== undefined) return { doc: at.doc, result };
  if (!(await runSliced(() => at.doc.prepareIndex(), () => !!token?.isCancellationRequested, 'awaited'))) return undefined;
  return { doc: at.doc, result: withIndex(at.doc, at.offset) };
}

const HIGHLIGHT_KIND = { read: DocumentHighlightKind.Read, write: DocumentHighlightKind.Write, text: DocumentHighlightKind.Text } as const;

export const navigationFeature: Feature = {
  name: 'navigation',
  capabilities: {
    definitionProvider: true,
    referencesProvider: true,
    documentHighlightProvider: true,
    renameProvider: { prepareProvider: true },
  },
  register(ctx) {
    const { connection } = ctx;
    connection.onDefinition(
      ctx.guard('definition', null, async (params: DefinitionParams, token) => {
        const found = await fromParseOrIndex(ctx, params, token, findDefinitionFromParse, findDefinition);
        if (!found) return null;
        const lineStarts = found.doc.ruleset.lineStarts;
        return found.result.map((span) => ({ uri: params.textDocument.uri, range: rangeOf(lineStarts, span) }));
      }),
    );
    connection.onReferences(
      ctx.guard('references', null, async (params: ReferenceParams, token) => {
        const options = { includeDeclaration: params.context?.includeDeclaration ?? true };
        const found = await fromParseOrIndex(ctx, params, token, (doc, offset) => findReferencesFromParse(doc, offset, options), (doc, offset) => findReferences(doc, offset, options));
        if (!found) return null;
        const lineStarts = found.doc.ruleset.lineStarts;
        return found.result.map((span) => ({ uri: params.textDocument.uri, range: rangeOf(lineStarts, span) }));
      }),
    );
    connection.onDocumentHighlight(
      ctx.guard('documentHighlight', null, async (params: DocumentHighlightParams, token) => {
        const found = await fromParseOrIndex(ctx, params, token, findHighlightsFromParse, findHighlights);
        if (!found) return null;
        const lineStarts = found.doc.ruleset.lineStarts;
        return found.result.map((h) => ({ range: rangeOf(lineStarts, h.span), kind: HIGHLIGHT_KIND[h.kind] }));
      }),
    );
    // Refusals are ResponseErrors so that the editor shows the message; guard() would swallow
    // them, so these two handlers catch only unexpected errors themselves.
    connection.onPrepareRename((params: PrepareRenameParams) => renameGuard(ctx, 'prepareRename', params, async () => {
      const at = await ctx.at(params.textDocument.uri, params.position);
      if (!at) return null;
      const result = prepareRename(at.doc, at.offset);
      if ('error' in result) throw new ResponseError(ErrorCodes.InvalidRequest, result.error);
      return { range: rangeOf(at.doc.ruleset.lineStarts, result.span), placeholder: result.placeholder };
    }));
    connection.onRenameRequest((params: RenameParams) => renameGuard(ctx, 'rename', params, async () => {
      const at = await ctx.at(params.textDocument.uri, params.position);
      if (!at) return null;
      const result = rename(at.doc, at.offset, params.newName);
      if ('error' in result) throw new ResponseError(ErrorCodes.InvalidRequest, result.error);
      const lineStarts = at.doc.ruleset.lineStarts;
      return { changes: { [params.textDocument.uri]: result.edits.map((e) => ({ range: rangeOf(lineStarts, e.span), newText: e.newText })) } };
    }));
  },
};

async function renameGuard<R>(ctx: ServerContext, name: string, params: PrepareRenameParams, body: () => Promise<R>): Promise<R | null> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ResponseError) throw error;
    ctx.logError(`${name} failed at ${params.textDocument.uri}:${params.position.line + 1}:${params.position.character + 1}`, error);
    return null;
  }
}
