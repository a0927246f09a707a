// The language server: wiring only. Features live in features/*, the logic in netfilter/ide/*.
// `node server/dist/server.js --stdio` (or --node-ipc when the VS Code client starts it):
// createConnection(ProposedFeatures.all) picks the transport from argv.

import { ProposedFeatures, TextDocumentSyncKind, TextDocuments, createConnection, type Connection, type InitializeResult, type ServerCapabilities } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentStore } from './documents';
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
  const documents = new TextDocuments(TextDocument);
  const store = new DocumentStore(documents);
  const ctx = createContext(connection, documents, store);
  connection.onInitialize((): InitializeResult => ({
    capabilities: serverCapabilities(features),
    serverInfo: { name: 'iptables-lens' },
  }));
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

const isMain = typeof require !== 'undefined' ? require.main === module : process.argv[1]?.match(/server\.(ts|js)$/);
if (isMain) {
  const connection = createConnection(ProposedFeatures.all, { messageStrategy: countingMessageStrategy });
  installProcessGuards(connection);
  startServer(connection);
}
