// Hover, go-to-definition and rename on a kube-proxy seed dump, through VS Code's own provider
// commands (what the editor calls), so the whole path client → LSP → server is exercised.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeExtension, openWorkspaceFile } from './helpers';

/** kind-worker2-after-nodeport.rules: default/my-nginx-service, two endpoints at 50% each. */
const NODEPORT_SEED = 'kind-worker2-after-nodeport.rules';
const NGINX_SERVICE_CHAIN = 'KUBE-SVC-OL4YPD43MBS7WVHD';

/** 0-based position of the first character of `needle` on the first line that contains `lineMarker`. */
function positionOf(document: vscode.TextDocument, lineMarker: string | RegExp, needle: string): vscode.Position {
  for (let line = 0; line < document.lineCount; line += 1) {
    const text = document.lineAt(line).text;
    if (typeof lineMarker === 'string' ? !text.includes(lineMarker) : !lineMarker.test(text)) continue;
    const character = text.indexOf(needle);
    if (character >= 0) return new vscode.Position(line, character);
  }
  throw new Error(`no line matching ${String(lineMarker)} containing '${needle}' in ${document.uri.path}`);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n');
}

/** Count of whole-word occurrences of a chain name (names are [A-Za-z0-9_-]). */
function occurrences(text: string, name: string): number {
  return text.match(new RegExp(`(?<![\\w-])${name}(?![\\w-])`, 'g'))?.length ?? 0;
}

suite('navigation on a kube-proxy seed dump', () => {
  let document: vscode.TextDocument;
  /** The jump `-A KUBE-SERVICES … -j KUBE-SVC-OL4YPD43MBS7WVHD` (cluster IP 10.96.118.136:80). */
  let jumpToService: vscode.Position;

  suiteSetup(async () => {
    await activeExtension();
    document = await openWorkspaceFile('seeds', NODEPORT_SEED);
    jumpToService = positionOf(document, /^-A KUBE-SERVICES .*-j KUBE-SVC-OL4YPD43MBS7WVHD/, NGINX_SERVICE_CHAIN).translate(0, 3);
  });

  test('hover on a KUBE-SVC chain lists its endpoints with their share', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, jumpToService);
    const text = hoverText(hovers);
    assert.match(text, new RegExp(NGINX_SERVICE_CHAIN), text);
    assert.match(text, /default\/my-nginx-service/, text);
    // One line per endpoint: `- \`10.244.1.2:80\` — 50% (line 126)`.
    assert.match(text, /`10\.244\.1\.2:80`\s*—\s*50%/, text);
    assert.match(text, /`10\.244\.2\.2:80`\s*—\s*50%/, text);
  });

  test('go to definition lands on the chain declaration', async () => {
    const declaration = positionOf(document, `:${NGINX_SERVICE_CHAIN} `, NGINX_SERVICE_CHAIN);
    const targets = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
      'vscode.executeDefinitionProvider', document.uri, jumpToService,
    );
    assert.equal(targets.length, 1, JSON.stringify(targets));
    const target = targets[0];
    const uri = 'targetUri' in target ? target.targetUri : target.uri;
    const range = 'targetRange' in target ? target.targetSelectionRange ?? target.targetRange : target.range;
    assert.equal(uri.toString(), document.uri.toString());
    assert.deepEqual(
      { line: range.start.line, character: range.start.character, text: document.getText(range) },
      { line: declaration.line, character: declaration.character, text: NGINX_SERVICE_CHAIN },
    );
  });

  test('rename of a chain updates the declaration and every jump and -A', async () => {
    // Its own seed copy: the edit must not disturb the other tests' dump.
    const renamed = await openWorkspaceFile('seeds', 'kind-worker1-after-nodeport.rules');
    const before = renamed.getText();
    const chain = /^:(KUBE-SVC-\S+) /m.exec(before)?.[1];
    assert.ok(chain, 'the seed declares a KUBE-SVC chain');
    const count = occurrences(before, chain);
    assert.ok(count >= 3, `${chain} occurs ${count} times: declaration, -A lines and jumps expected`);
    const at = positionOf(renamed, new RegExp(`-j ${chain}`), chain);
    const newName = 'NGINX-SERVICE';

    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', renamed.uri, at, newName);
    assert.ok(edit, 'no rename edit');
    assert.equal(edit.get(renamed.uri).length, count, 'one text edit per occurrence');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const after = renamed.getText();
    assert.equal(occurrences(after, chain), 0, `${chain} still appears after the rename`);
    assert.equal(occurrences(after, newName), count);
    // Nothing but the name changed.
    assert.equal(after.split(newName).join(chain), before);

    // The server saw the edit: the renamed declaration is where definition now leads.
    const targets = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
      'vscode.executeDefinitionProvider', renamed.uri, positionOf(renamed, new RegExp(`-j ${newName}`), newName),
    );
    const target = targets[0];
    const range = target && ('targetRange' in target ? target.targetSelectionRange ?? target.targetRange : target.range);
    assert.ok(range, 'no definition after the rename');
    assert.equal(renamed.lineAt(range.start.line).text, `:${newName} - [0:0]`);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
