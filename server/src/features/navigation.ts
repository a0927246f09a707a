// Definition, references, document highlights and rename of chain names.
import { DocumentHighlightKind, ResponseError, ErrorCodes, type DefinitionParams, type DocumentHighlightParams, type PrepareRenameParams, type ReferenceParams, type RenameParams } from 'vscode-languageserver';
import { findDefinition, findDefinitionFromParse, findHighlights, findReferences, prepareRename, rename } from '../netfilter/ide/navigation';
import { runSliced } from '../slicing';
import { rangeOf } from '../ranges';
import type { Feature, ServerContext } from './context';

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
        // Right after opening a big dump, a `:X` declaration is read from the parse: no wait for the index.
        const at = await ctx.atForRead(params.textDocument.uri, params.position, { index: false });
        if (!at) return null;
        let spans = findDefinitionFromParse(at.doc, at.offset);
        if (!spans) {
          if (!(await runSliced(() => at.doc.prepareIndex(), () => !!token?.isCancellationRequested, 'awaited'))) return null;
          spans = findDefinition(at.doc, at.offset);
        }
        const lineStarts = at.doc.ruleset.lineStarts;
        return spans.map((span) => ({ uri: params.textDocument.uri, range: rangeOf(lineStarts, span) }));
      }),
    );
    connection.onReferences(
      ctx.guard('references', null, async (params: ReferenceParams) => {
        const at = await ctx.atForRead(params.textDocument.uri, params.position);
        if (!at) return null;
        const lineStarts = at.doc.ruleset.lineStarts;
        return findReferences(at.doc, at.offset, { includeDeclaration: params.context?.includeDeclaration ?? true }).map((span) => ({ uri: params.textDocument.uri, range: rangeOf(lineStarts, span) }));
      }),
    );
    connection.onDocumentHighlight(
      ctx.guard('documentHighlight', null, async (params: DocumentHighlightParams) => {
        const at = await ctx.atForRead(params.textDocument.uri, params.position);
        if (!at) return null;
        const lineStarts = at.doc.ruleset.lineStarts;
        return findHighlights(at.doc, at.offset).map((h) => ({ range: rangeOf(lineStarts, h.span), kind: HIGHLIGHT_KIND[h.kind] }));
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
