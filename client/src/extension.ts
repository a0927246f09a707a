// The extension: starts the bundled language server over IPC for iptables-save documents and adds
// the packet trace (command palette, code lenses' command, result panel).
// Nothing here executes anything from a dump; the trace runs in the pure engine on the server.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { CodeLensRequest } from 'vscode-languageclient';
import { TRACE_COMMAND } from '../../server/src/protocol';
import { LANGUAGE_ID, TraceCommand } from './trace/trace-command';
import { TracePanel } from './trace/trace-panel';
import { readSettings, SETTINGS_SECTION } from './settings';

let client: LanguageClient | undefined;

/** What `activate` returns, for the extension-host tests. */
export interface IptablesLensApi {
  client: LanguageClient;
  tracePanel: TracePanel;
}

export async function activate(context: vscode.ExtensionContext): Promise<IptablesLensApi> {
  const serverModule = context.asAbsolutePath(path.join('server', 'dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: LANGUAGE_ID }],
    middleware: {
      // `iptables-lens.showCodeLenses: false` hides the ▶ Trace lenses without a server round trip.
      provideCodeLenses: (document, token, next) => (readSettings(document.uri).showCodeLenses ? next(document, token) : []),
    },
  };
  client = new LanguageClient('iptablesLens', 'iptables-lens', serverOptions, clientOptions);
  const languageClient = client;

  const tracePanel = new TracePanel(context.extensionUri);
  const traceCommand = new TraceCommand(languageClient, tracePanel, context.workspaceState);
  context.subscriptions.push(
    tracePanel,
    vscode.commands.registerCommand(TRACE_COMMAND, (...args: unknown[]) => traceCommand.run(...args)),
    vscode.commands.registerCommand('iptables-lens.showTraceText', () => tracePanel.showText()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SETTINGS_SECTION}.showCodeLenses`) || event.affectsConfiguration(`${SETTINGS_SECTION}.nodeAddresses`) || event.affectsConfiguration(`${SETTINGS_SECTION}.defaultInInterface`)) {
        refreshCodeLenses(languageClient);
      }
    }),
  );

  await languageClient.start();
  return { client: languageClient, tracePanel };
}

/** Ask VS Code to fetch the lenses again (their titles and packets depend on the settings). */
function refreshCodeLenses(languageClient: LanguageClient): void {
  const feature = languageClient.getFeature(CodeLensRequest.method);
  for (const editor of vscode.window.visibleTextEditors) {
    if (editor.document.languageId !== LANGUAGE_ID) continue;
    feature?.getProvider(editor.document)?.onDidChangeCodeLensEmitter.fire();
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
