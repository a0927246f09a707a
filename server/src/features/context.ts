// What every feature adapter gets: the connection, the open documents, the parse-once store, and
// helpers to convert offsets and to guard handlers so that one failing request never kills the server.

import type { CancellationToken, ClientCapabilities, Connection, Position, ServerCapabilities, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentStore } from '../documents';
import type { IdeDocument } from '../netfilter/ide/ide-document';
import { offsetAt } from '../ranges';

export interface ServerContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  store: DocumentStore;
  /** what the client said it can do (initialize), once it has: e.g. the most folding ranges it keeps */
  clientCapabilities?: ClientCapabilities;
  /**
   * Wraps a request handler: honours cancellation (returns `fallback`), catches every error, and
   * logs it with the document and position it happened at.
   */
  guard<P, R>(name: string, fallback: R, handler: (params: P, token?: CancellationToken) => R | Promise<R>): (params: P, token?: CancellationToken) => Promise<R>;
  /** The parsed document and the offset of an LSP position in it. */
  at(uri: string, position: Position): Promise<{ doc: IdeDocument; offset: number } | undefined>;
  /**
   * Like at(), for read-only requests (hover, definition, references, highlights): while a new
   * version is parsed, an unchanged line is answered from the previous version's model at once.
   */
  atForRead(uri: string, position: Position, options?: ReadOptions): Promise<{ doc: IdeDocument; offset: number } | undefined>;
  /** Report an error caught outside a request (debounced diagnostics …). */
  logError(where: string, error: unknown): void;
}

export interface ReadOptions {
  /**
   * false: do not wait for the navigation index (hover, definition, references and highlights read
   * what they can from the parse, then build what they still need in slices). Default true.
   */
  index?: boolean;
}

export interface GuardParams {
  textDocument?: { uri: string };
  position?: Position;
}

/** One LSP feature: the capabilities it announces and the handlers it registers. */
export interface Feature {
  name: string;
  capabilities?: Partial<ServerCapabilities>;
  register(ctx: ServerContext): void;
}

export function createContext(connection: Connection, documents: TextDocuments<TextDocument>, store: DocumentStore): ServerContext {
  const logError = (where: string, error: unknown) => {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    connection.console.error(`[iptables-lens] ${where}: ${detail}`);
  };
  return {
    connection,
    documents,
    store,
    logError,
    guard(name, fallback, handler) {
      return async (params, token) => {
        if (token?.isCancellationRequested) return fallback;
        try {
          const result = await handler(params, token);
          return token?.isCancellationRequested ? fallback : result;
        } catch (error) {
          const where = params as GuardParams | undefined;
          const uri = where?.textDocument?.uri ?? '';
          const pos = where?.position ? `:${where.position.line + 1}:${where.position.character + 1}` : '';
          logError(`${name} failed at ${uri}${pos}`, error);
          return fallback;
        }
      };
    },
    async at(uri, position) {
      const doc = await store.ready(uri, { forRequest: true });
      if (!doc) return undefined;
      return { doc, offset: offsetAt(doc.ruleset.lineStarts, position, doc.text.length) };
    },
    async atForRead(uri, position, options = {}) {
      const previous = store.previousFor(uri, position.line);
      if (previous) return { doc: previous, offset: offsetAt(previous.ruleset.lineStarts, position, previous.text.length) };
      if (options.index !== false) return this.at(uri, position);
      const doc = await store.parsed(uri);
      return doc && { doc, offset: offsetAt(doc.ruleset.lineStarts, position, doc.text.length) };
    },
  };
}
