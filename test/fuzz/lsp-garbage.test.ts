// The real stdio language server against bad input: garbage documents (binary junk, NUL, lone
// surrogates, a 1 MB line, CRLF, `iptables -L` output, half a dump, chains named like prototype
// keys), requests at impossible positions, malformed params, and edits with out-of-range ranges.
// Afterwards it must still answer a valid hover. Every error a guarded handler caught is logged by
// the server (window/logMessage): those are bugs too, and listed when the test fails.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, startClient, type TestClient } from '../lsp/lsp-client';
import { TRACE_REQUEST, VALIDATE_PACKET_REQUEST } from '../../server/src/protocol';

const SEED_URI = 'file:///fuzz/seed.rules';
const SEED = readFileSync(join(REPO_ROOT, '..', 'shared', 'fixtures', 'seeds', 'kind-worker1-after-nodeport.rules'), 'utf8');

function junk(length: number, seed: number): string {
  let s = '';
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    s += String.fromCharCode(x % 7 === 0 ? 0xd800 + (x % 0x800) : x % 256);
  }
  return s;
}

const GARBAGE: Record<string, string> = {
  'binary.rules': junk(20_000, 1),
  'nul.rules': '*filter\u0000\n:INPUT ACCEPT [0:0]\n-A INPUT -s \u0000 -j \uD800\nCOMMIT\u0000',
  'long-line.rules': `*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "${'x'.repeat(1 << 20)}" -j ACCEPT\nCOMMIT\n`,
  'crlf.rules': SEED.replace(/\n/g, '\r\n'),
  'list-output.rules': 'Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination\nACCEPT     all  --  anywhere             anywhere\n',
  'half.rules': SEED.slice(0, SEED.length >> 1),
  'anonymised.rules': SEED.replace(/\d+\.\d+\.\d+\.\d+/g, 'X.X.X.X'),
  'prototype-names.rules': '*filter\n:INPUT ACCEPT [0:0]\n:constructor - [0:0]\n:__proto__ - [0:0]\n-A INPUT -j constructor\n-A constructor -j __proto__\n-A __proto__ -p constructor -m __proto__ -j toString\nCOMMIT\n',
  'empty.rules': '',
};
const BAD_URIS = ['file:///fuzz/50%25.rules', 'untitled:Untitled-1', 'file:///fuzz/%E0%A4%A.rules', 'file:///fuzz/a%00b.rules'];

const POSITIONS = [
  { line: 0, character: 0 },
  { line: -1, character: -1 },
  { line: 2, character: 1e9 },
  { line: 1e9, character: 0 },
  { line: 2 ** 31, character: 2 ** 31 },
  { line: 1.5, character: 0.5 },
];

let client: TestClient;
const logged: string[] = [];
before(async () => {
  client = await startClient();
  client.connection.onNotification('window/logMessage', (params: { type: number; message: string }) => {
    if (params.type === 1) logged.push(params.message);
  });
  client.connection.onRequest('workspace/configuration', () => [null]);
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: SEED_URI, languageId: 'iptables-save', version: 1, text: SEED } });
});
after(async () => {
  await client.close();
});

async function request(method: string, params: unknown): Promise<unknown> {
  try {
    return await client.connection.sendRequest(method, params);
  } catch (error) {
    // a JSON-RPC error answer is an answer; only a dead server fails the test (checked at the end)
    return error;
  }
}

async function everyRequestAt(uri: string): Promise<void> {
  for (const position of POSITIONS) {
    const at = { textDocument: { uri }, position };
    await request('textDocument/hover', at);
    await request('textDocument/definition', at);
    await request('textDocument/references', { ...at, context: { includeDeclaration: true } });
    await request('textDocument/documentHighlight', at);
    await request('textDocument/prepareRename', at);
    for (const newName of ['RENAMED', '', 'a b', '\uD800', 'x'.repeat(100)]) await request('textDocument/rename', { ...at, newName });
    await request('textDocument/completion', at);
    await request('textDocument/codeAction', { textDocument: { uri }, range: { start: position, end: { line: -5, character: 3 } }, context: { diagnostics: [] } });
  }
  await request('textDocument/documentSymbol', { textDocument: { uri } });
  await request('textDocument/foldingRange', { textDocument: { uri } });
  const lenses = (await request('textDocument/codeLens', { textDocument: { uri } })) as Array<unknown> | undefined;
  if (Array.isArray(lenses)) for (const lens of lenses.slice(0, 5)) await request('codeLens/resolve', lens);
  await request('codeLens/resolve', { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, data: { uri, kind: 'rule', line: 1e9, chain: '__proto__' } });
  await request('codeLens/resolve', { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, data: 'junk' });
  for (const packet of ['', '\u0000', '1.2.3.4 -> 5.6.7.8:99999', 'from local -> [::1]:80', 'X.X.X.X -> Y', 'a'.repeat(100_000)]) {
    await request(TRACE_REQUEST, { uri, packet, startHook: 'NOPE', localAddresses: ['\uD800', ''] });
    await request(TRACE_REQUEST, { uri, packet, ipsetFile: '/nonexistent/\u0000' });
    await request(VALIDATE_PACKET_REQUEST, { packet });
  }
}

test('garbage documents and impossible requests: the server answers everything and still serves a valid hover', { timeout: 300_000 }, async () => {
  let version = 1;
  for (const [name, text] of Object.entries(GARBAGE)) {
    const uri = `file:///fuzz/${name}`;
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'iptables-save', version: 1, text } });
    await everyRequestAt(uri);
    // edits with ranges outside the document, then a close
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: ++version },
      contentChanges: [
        { range: { start: { line: 1e6, character: 0 }, end: { line: 1e6 + 1, character: 5 } }, text: '-A INPUT -j \uDC00\n' },
        { range: { start: { line: 3, character: 40 }, end: { line: 1, character: 0 } }, text: 'COMMIT' },
      ],
    });
    await everyRequestAt(uri);
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }
  for (const uri of BAD_URIS) {
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'iptables-save', version: 1, text: GARBAGE['nul.rules'] } });
    await everyRequestAt(uri);
  }
  await everyRequestAt('file:///never/opened.rules');
  // Malformed params and unknown methods: the guards answer with their fallback (and may log) — only survival counts.
  const wellFormedFailures = logged.slice();
  for (const params of [null, {}, { textDocument: null }, { textDocument: { uri: 42 }, position: 'x' }]) {
    for (const method of ['textDocument/hover', 'textDocument/definition', 'textDocument/completion', 'textDocument/documentSymbol', 'textDocument/codeLens', 'workspace/symbol', TRACE_REQUEST]) await request(method, params);
  }
  await request('workspace/symbol', { query: '\uD800'.repeat(1000) });
  await request('iptablesLens/noSuchMethod', { x: 1 });

  // still alive, and right
  assert.equal(client.process.exitCode, null, `the server exited: ${client.stderr().slice(-2000)}`);
  const needle = '-j KUBE-SVC-';
  const offset = SEED.indexOf(needle) + 5;
  const lines = SEED.slice(0, offset).split('\n');
  const answer = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: SEED_URI }, position: { line: lines.length - 1, character: lines[lines.length - 1].length } })) as { contents: { value: string } } | null;
  assert.ok(answer && /KUBE-SVC-/.test(answer.contents.value), `valid hover after the garbage: ${JSON.stringify(answer)?.slice(0, 300)}`);
  assert.ok(!/uncaught|unhandled rejection/i.test(logged.join('\n') + client.stderr()), `uncaught errors:\n${logged.join('\n').slice(0, 3000)}`);
  // guarded handlers that caught an exception: each one is a bug (see the message for the handler and position)
  const distinct = [...new Set(wellFormedFailures.map((m) => m.split('\n').slice(0, 2).join(' | ').replace(/:\d+:\d+/g, ':L:C')))];
  assert.deepEqual(distinct, [], `handlers failed on well-formed requests (caught by their guard) ${wellFormedFailures.length} times:\n${distinct.join('\n')}`);
});
