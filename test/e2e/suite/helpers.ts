// Helpers shared by the extension-host tests (bundled into each *.test.js by esbuild).
import * as vscode from 'vscode';

export const EXTENSION_ID = 'iptables-lens.iptables-lens';
export const LANGUAGE_ID = 'iptables-save';

/** The workspace folder runTest.ts opened (a temp copy of test/e2e/workspace plus the seed dumps). */
export function workspaceUri(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open; run the suite through test/e2e/runTest.ts');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

export async function openWorkspaceFile(...segments: string[]): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(workspaceUri(...segments));
  await vscode.window.showTextDocument(document);
  return document;
}

export async function activeExtension(): Promise<vscode.Extension<unknown>> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  await extension.activate();
  return extension;
}

/**
 * Resolves with the diagnostics of `uri` once `accept` approves them; event-driven
 * (onDidChangeDiagnostics), rejecting after `timeoutMs` with what was last seen.
 */
export function waitForDiagnostics(
  uri: vscode.Uri,
  accept: (diagnostics: readonly vscode.Diagnostic[]) => boolean,
  timeoutMs = 15_000,
): Promise<readonly vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const diagnostics = vscode.languages.getDiagnostics(uri);
      if (!accept(diagnostics)) return false;
      finish();
      resolve(diagnostics);
      return true;
    };
    const subscription = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((changed) => changed.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      finish();
      const seen = vscode.languages.getDiagnostics(uri).map(describeDiagnostic);
      reject(new Error(`no matching diagnostics for ${uri.path} within ${timeoutMs} ms; current: ${JSON.stringify(seen)}`));
    }, timeoutMs);
    function finish(): void {
      clearTimeout(timer);
      subscription.dispose();
    }
    check();
  });
}

export function diagnosticCode(diagnostic: vscode.Diagnostic): string | number | undefined {
  const code = diagnostic.code;
  return typeof code === 'object' && code !== null ? code.value : code;
}

export function describeDiagnostic(diagnostic: vscode.Diagnostic): string {
  const { start } = diagnostic.range;
  return `${start.line + 1}:${start.character + 1} ${vscode.DiagnosticSeverity[diagnostic.severity]} [${diagnosticCode(diagnostic) ?? '-'}] ${diagnostic.message}`;
}
