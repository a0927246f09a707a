// The language server: wiring only. Features live in features/*, the logic in netfilter/ide/*.
// `node server/dist/server.js --stdio` (or --node-ipc when the VS Code client starts it):
// createConnection(ProposedFeatures.all) picks the transport from argv.

import { ProposedFeatures, TextDocumentSyncKind, TextDocuments, createConnection, type Connection, type InitializeResult, type ServerCapabilities } from 'vscode-languageserver/node';
import { setFlagsFromString } from 'node:v8';
import { DocumentStore } from './documents';
import { LENS_TEXT_DOCUMENTS } from './text-document';
import { countingMessageStrategy } from './slicing';
import { createContext, type Feature } from './features/context';
import { FEATURES } from './features';

export function serverCapabilities(features: readonly Feature[] = FEATURES): ServerCapabilities {
  const capabilities: ServerCapabilities = { textDocumentSync: TextDocumentSyncKind.Incremental };
  for (const feature of features) Object.assign(capabilities, feature.capabilities);
  return capabilities;
}

/** Wire every feature to the connection and start listening. Usable with any connection (tests use in-memory streams). */
export function startServer(connection: Connection, features: readonly Feature[] = FEATURES): void {
  const documents = new TextDocuments(LENS_TEXT_DOCUMENTS);
  const store = new DocumentStore(documents);
  const ctx = createContext(connection, documents, store);
  connection.onInitialize((params): InitializeResult => {
    ctx.clientCapabilities = params.capabilities;
    return { capabilities: serverCapabilities(features), serverInfo: { name: 'iptables-lens' } };
  });
  for (const feature of features) {
    try {
      feature.register(ctx);
    } catch (error) {
      ctx.logError(`feature ${feature.name} failed to register`, error);
    }
  }
  documents.listen(connection);
  connection.listen();
}

// Last-resort guards: log and keep serving (a handler bug must not end the editing session).
function installProcessGuards(connection: Connection): void {
  process.on('uncaughtException', (error) => connection.console.error(`[iptables-lens] uncaught: ${error.stack ?? error}`));
  process.on('unhandledRejection', (reason) => connection.console.error(`[iptables-lens] unhandled rejection: ${String(reason)}`));
}

/**
 * V8 lets the heap grow up to ~4× what survived the last full GC before collecting again; on a
 * 17 MB dump (≈ 200–350 MB live) the garbage of a re-parse and a re-analysis then peaks the process
 * at ~0.8–1.5 GB. Growing by 25 % at a time keeps the peak near 500–650 MB at no measurable cost
 * (npm run bench: lsp session peak RSS, lsp edit → all diagnostics). A growth factor, not a limit:
 * a bigger document still gets all the memory it needs.
 */
export const HEAP_GROWING_PERCENT = 25;

const isMain = typeof require !== 'undefined' ? require.main === module : process.argv[1]?.match(/server\.(ts|js)$/);
if (isMain) {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const connection = createConnection(ProposedFeatures.all, { messageStrategy: countingMessageStrategy });
  installProcessGuards(connection);
  startServer(connection);
}
