// The bundled server over stdio, as an editor would use it: open a seed dump, get diagnostics,
// then definition, references, hover, rename, documentSymbol, foldingRange, completion, code actions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { positionOf, REPO_ROOT, useServer } from './lsp-client';

const SEED = readFileSync(join(REPO_ROOT, '..', 'shared', 'fixtures', 'seeds', 'kind-worker1-after-nodeport.rules'), 'utf8');
const URI = 'file:///work/seed.rules';
const BROKEN_URI = 'file:///work/broken.rules';
const BROKEN = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NOWHERE\n';


const server = useServer();

test('initialize announces the capabilities', () => {
  const caps = server.client.initializeResult.capabilities;
  assert.equal(caps.textDocumentSync, 2); // incremental
  for (const key of ['hoverProvider', 'definitionProvider', 'referencesProvider', 'documentHighlightProvider', 'documentSymbolProvider', 'workspaceSymbolProvider', 'foldingRangeProvider', 'codeActionProvider', 'completionProvider']) {
    assert.ok(caps[key], key);
  }
  assert.deepEqual(caps.renameProvider, { prepareProvider: true });
});

test('diagnostics on open: a clean seed has no errors, a broken file has exact ranges and a quick fix', async () => {
  const seedDiagnostics = server.client.nextDiagnostics(URI);
  await server.client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'iptables-save', version: 1, text: SEED } });
  const seed = await seedDiagnostics;
  assert.equal(seed.diagnostics.filter((d: any) => d.severity === 1).length, 0);

  const brokenDiagnostics = server.client.nextDiagnostics(BROKEN_URI);
  await server.client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: BROKEN_URI, languageId: 'iptables-save', version: 1, text: BROKEN } });
  const broken = await brokenDiagnostics;
  const codes = broken.diagnostics.map((d: any) => d.code).sort();
  assert.ok(codes.includes('parse/missing-commit'), codes.join(','));
  const undeclared = broken.diagnostics.find((d: any) => d.code === 'parse/undeclared-chain');
  assert.ok(undeclared, codes.join(','));
  assert.deepEqual(undeclared.range, { start: { line: 2, character: 12 }, end: { line: 2, character: 19 } });

  const actions: any[] = await server.client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: BROKEN_URI },
    range: undeclared.range,
    context: { diagnostics: [undeclared] },
  });
  assert.ok(actions.some((a) => a.title === 'Declare chain NOWHERE' && a.edit.changes[BROKEN_URI][0].newText.includes(':NOWHERE - [0:0]')), JSON.stringify(actions.map((a) => a.title)));
});

test('an edit republishes diagnostics for the new version (debounced)', async () => {
  const next = server.client.nextDiagnostics(BROKEN_URI);
  await server.client.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri: BROKEN_URI, version: 2 },
    contentChanges: [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: 'COMMIT\n' }],
  });
  const published = await next;
  assert.equal(published.version, 2);
  assert.ok(!published.diagnostics.some((d: any) => d.code === 'parse/missing-commit'));
});

test('definition of a jump target goes to its declaration', async () => {
  const locations: any[] = await server.client.connection.sendRequest('textDocument/definition', { textDocument: { uri: URI }, position: positionOf(SEED, '-j KUBE-SVC-OL4YPD43MBS7WVHD', 5) });
  assert.equal(locations.length, 1);
  assert.deepEqual(locations[0].range.start, positionOf(SEED, ':KUBE-SVC-OL4YPD43MBS7WVHD', 1));
});

test('references list the declaration, the jumps and the rules of a chain', async () => {
  const refs: any[] = await server.client.connection.sendRequest('textDocument/references', { textDocument: { uri: URI }, position: positionOf(SEED, ':KUBE-SVC-OL4YPD43MBS7WVHD'), context: { includeDeclaration: true } });
  assert.equal(refs.length, 6);
  const withoutDecl: any[] = await server.client.connection.sendRequest('textDocument/references', { textDocument: { uri: URI }, position: positionOf(SEED, ':KUBE-SVC-OL4YPD43MBS7WVHD'), context: { includeDeclaration: false } });
  assert.equal(withoutDecl.length, 5);
});

test('hover on a KUBE-SVC chain shows the endpoints with their share', async () => {
  const hover: any = await server.client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: positionOf(SEED, ':KUBE-SVC-OL4YPD43MBS7WVHD') });
  assert.equal(hover.contents.kind, 'markdown');
  assert.match(hover.contents.value, /`10\.244\.1\.2:80` — 50%/);
  assert.match(hover.contents.value, /file:\/\/\/work\/seed\.rules#L126/);
});

test('rename edits every occurrence; renaming a built-in chain is refused with a message', async () => {
  const edit: any = await server.client.connection.sendRequest('textDocument/rename', { textDocument: { uri: URI }, position: positionOf(SEED, ':KUBE-MARK-MASQ'), newName: 'KUBE-MARK-MASQ2' });
  assert.equal(edit.changes[URI].length, 17);
  const prepared: any = await server.client.connection.sendRequest('textDocument/prepareRename', { textDocument: { uri: URI }, position: positionOf(SEED, ':KUBE-MARK-MASQ') });
  assert.equal(prepared.placeholder, 'KUBE-MARK-MASQ');
  await assert.rejects(
    server.client.connection.sendRequest('textDocument/prepareRename', { textDocument: { uri: URI }, position: positionOf(SEED, ':PREROUTING') }),
    /built-in chain/,
  );
});

test('document symbols: tables → chains with details', async () => {
  const symbols: any[] = await server.client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: URI } });
  assert.deepEqual(symbols.map((s) => s.name), ['mangle', 'filter', 'nat']);
  const nat = symbols[2];
  const svc = nat.children.find((c: any) => c.name === 'KUBE-SVC-OL4YPD43MBS7WVHD');
  assert.equal(svc.detail, '3 rules');
  assert.equal(svc.children.length, 3);
  const prerouting = nat.children.find((c: any) => c.name === 'PREROUTING');
  assert.equal(prerouting.detail, 'policy ACCEPT · 2 rules');
});

test('folding ranges cover each table and each block of rules', async () => {
  const ranges: any[] = await server.client.connection.sendRequest('textDocument/foldingRange', { textDocument: { uri: URI } });
  const natStart = positionOf(SEED, '*nat', 0).line;
  assert.ok(ranges.some((r) => r.startLine === natStart && r.kind === 'region'));
  const svcRules = positionOf(SEED, '-A KUBE-SVC-OL4YPD43MBS7WVHD', 0).line;
  assert.ok(ranges.some((r) => r.startLine === svcRules && r.endLine === svcRules + 2));
});

test('completion after -j offers the chains of the table and the targets valid there', async () => {
  const text = '*filter\n:INPUT ACCEPT [0:0]\n:MINE - [0:0]\n-A INPUT -j \nCOMMIT\n';
  const uri = 'file:///work/typing.rules';
  await server.client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'iptables-save', version: 1, text } });
  const result: any = await server.client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 3, character: 12 } });
  const labels = result.items.map((i: any) => i.label);
  assert.ok(labels.includes('MINE'));
  assert.ok(labels.includes('REJECT'));
  assert.ok(!labels.includes('DNAT'), 'DNAT is nat-only');
  const reject = result.items.find((i: any) => i.label === 'REJECT');
  assert.equal(reject.documentation.kind, 'markdown');
});

test('workspace symbols find chains across open documents', async () => {
  const symbols: any[] = await server.client.connection.sendRequest('workspace/symbol', { query: 'kube-svc-ol4' });
  assert.ok(symbols.length >= 1);
  assert.ok(symbols.every((s) => s.location.uri === URI));
});

test('packet for a line: the packet the rule\'s lens traces, for any rule; nothing on other lines', async () => {
  const lines = SEED.split('\n');
  const endpointLine = lines.findIndex((l) => /^-A KUBE-SEP-\S+ .*-j DNAT --to-destination 10\.244\./.test(l));
  assert.ok(endpointLine > 0);
  const lenses: any[] = await server.client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: URI } });
  const lens = lenses.find((l) => l.range.start.line === endpointLine);
  assert.ok(lens, `a lens on line ${endpointLine + 1}`);
  const resolved: any = await server.client.connection.sendRequest('codeLens/resolve', lens);
  const forLine: any = await server.client.connection.sendRequest('iptablesLens/packetForLine', { uri: URI, line: endpointLine });
  assert.equal(forLine.packetLine, resolved.command.arguments[1]);
  assert.equal(forLine.title, resolved.command.title);
  assert.equal(forLine.focusLine, endpointLine + 1);
  // A rule without a lens (no destination of its own) still gets a packet to start from.
  const firewallLine = lines.findIndex((l) => l.startsWith('-A INPUT -j KUBE-FIREWALL'));
  assert.ok(firewallLine > 0 && !lenses.some((l) => l.range.start.line === firewallLine));
  const plain: any = await server.client.connection.sendRequest('iptablesLens/packetForLine', { uri: URI, line: firewallLine });
  assert.equal(plain.focusLine, firewallLine + 1);
  assert.ok(plain.packetLine ?? plain.suggestion, JSON.stringify(plain));
  for (const line of [0, lines.findIndex((l) => l.startsWith(':KUBE-NODEPORTS')), lines.length + 5]) {
    assert.equal(await server.client.connection.sendRequest('iptablesLens/packetForLine', { uri: URI, line }), null, `line ${line + 1}`);
  }
});

test('the server survives requests on unknown documents and out-of-range positions', async () => {
  assert.equal(await server.client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///nope' }, position: { line: 0, character: 0 } }), null);
  const far = await server.client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line: 99999, character: 999 } });
  assert.equal(far, null);
  const defs = await server.client.connection.sendRequest('textDocument/definition', { textDocument: { uri: URI }, position: { line: -1, character: -5 } });
  assert.ok(Array.isArray(defs) || defs === null);
});
