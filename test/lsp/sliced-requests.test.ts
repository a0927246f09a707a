// Requests that need more than the model and the navigation index — a hover on a mark or an address
// (their own indexes), a trace (the long chains' dispatch indexes), a lens packet (who jumps where,
// the pod CIDR, the node's addresses) — get it built in slices while other requests are answered,
// not at once inside the request. At 10k services these held the server for ≈ 1.1 s (address
// hover), 0.4 s (first lens packet) and 0.1 s (first trace), answering nothing meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKubeDump } from '../bench/generate-kube-dump';
import { podToLastClusterIp } from '../bench/kube-targets';
import { positionOf, useServer } from './lsp-client';

const DUMP = generateKubeDump({ services: 1500, endpointsPerService: 3, seed: 7 });
const URI = 'file:///work/kube-1500.rules';


const server = useServer();

/** Send `slow` then `quick` at once; the order their answers arrive in. */
async function answerOrder(uri: string, slow: { line: number; character: number }, quick: { line: number; character: number }) {
  const order: string[] = [];
  const hover = (label: string, position: { line: number; character: number }) =>
    server.client.connection.sendRequest<any>('textDocument/hover', { textDocument: { uri }, position }).then((result) => {
      order.push(label);
      return result;
    });
  const [slowResult] = await Promise.all([hover('slow', slow), hover('quick', quick)]);
  return { order, slowResult };
}

test('an address hover right after opening lets other requests through while the address index is built', async () => {
  // The ClusterIP of the middle KUBE-SERVICES rule, hovered before the first diagnostics arrive.
  const rules = DUMP.split('\n').filter((line) => line.startsWith('-A KUBE-SERVICES -d '));
  const rule = rules[rules.length >> 1];
  const address = rule.split(' ')[3];
  const diagnostics = server.client.nextDiagnostics(URI);
  await server.client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'iptables-save', version: 1, text: DUMP } });
  const { order, slowResult } = await answerOrder(URI, positionOf(DUMP, rule, '-A KUBE-SERVICES -d '.length + 2), { line: 0, character: 1 });
  // Built at once inside the request, the address hover (sent first) was answered first.
  assert.deepEqual(order, ['quick', 'slow']);
  assert.match(slowResult.contents.value, new RegExp(`\\*\\*\`${address.replace(/[./]/g, '\\$&')}\`\\*\\*`));
  assert.match(slowResult.contents.value, /ClusterIP of service/);
  await diagnostics;
});

test('right after opening, hovers, definition, references and highlights are read from the parse: answered before a prepareRename sent first, which waits for the index', async () => {
  const uri = 'file:///work/kube-1500-chain.rules';
  const rule = DUMP.split('\n').find((line) => line.startsWith('-A KUBE-SERVICES -d ') && line.includes('-j KUBE-SVC-'))!;
  const svc = rule.slice(rule.indexOf('-j KUBE-SVC-') + 3).split(' ')[0];
  await server.client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'iptables-save', version: 1, text: DUMP } });
  const jump = positionOf(DUMP, rule, rule.indexOf('-j KUBE-SVC-') + 5);
  const option = positionOf(DUMP, rule, rule.indexOf('--dport') + 3);
  const masq = positionOf(DUMP, ':KUBE-MARK-MASQ', 2);
  const order: string[] = [];
  const send = (label: string, method: string, params: object) => server.client.connection.sendRequest<any>(method, { textDocument: { uri }, ...params }).then((result) => (order.push(label), result));
  // prepareRename waits for the navigation index (rename reads it); the rest does not.
  const [, chainHover, , masqHover, definition, references, highlights] = await Promise.all([
    send('prepareRename', 'textDocument/prepareRename', { position: jump }),
    send('chain hover', 'textDocument/hover', { position: jump }),
    send('option hover', 'textDocument/hover', { position: option }),
    send('KUBE-MARK-MASQ hover', 'textDocument/hover', { position: masq }),
    send('definition', 'textDocument/definition', { position: jump }),
    send('references', 'textDocument/references', { position: jump, context: { includeDeclaration: true } }),
    send('highlights', 'textDocument/documentHighlight', { position: jump }),
  ]);
  // (the chain hovers read their callers in slices, sharing the server with the index build: their
  // answers may come before or after prepareRename's; test/ide/line-entry-from-parse.test.ts checks
  // that they do not build the index)
  const answeredAt = (label: string) => order.indexOf(label);
  for (const label of ['option hover', 'definition', 'references', 'highlights']) assert.ok(answeredAt(label) < answeredAt('prepareRename'), order.join(', '));
  assert.match(chainHover.contents.value, /^\*\*KUBE-SVC-\w+\*\* · user chain in `nat`/);
  assert.match(chainHover.contents.value, /Jumped to from 1 rule: KUBE-SERVICES #\d+/);
  assert.match(masqHover.contents.value, /Jumped to from [\d,]+ rules: KUBE-[A-Z]+-\w+ #\d+ \(\[line \d+\].*, … and [\d,]+ more$/);
  const declaration = positionOf(DUMP, `:${svc} - [0:0]`, 1);
  assert.deepEqual(definition.map((d: any) => d.range.start), [declaration]);
  // the declaration first, the jump from KUBE-SERVICES, the service chain's own rules
  assert.deepEqual(references[0].range.start, declaration);
  assert.ok(references.length >= 3 && references.some((r: any) => r.range.start.line === jump.line), JSON.stringify(references.slice(0, 3)));
  assert.equal(highlights.length, references.length);
});

test('a mark hover likewise: the mark index is built in slices, and the answer lists the rules that use the bits', async () => {
  const uri = 'file:///work/kube-1500-marks.rules';
  await server.client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'iptables-save', version: 1, text: DUMP } });
  const { order, slowResult } = await answerOrder(uri, positionOf(DUMP, '--set-xmark 0x4000/0x4000', '--set-xmark '.length + 2), { line: 0, character: 1 });
  assert.deepEqual(order, ['quick', 'slow']);
  assert.match(slowResult.contents.value, /Other rules that set or test these bits/);
});

test('the first trace of a big dump lets other requests through while it indexes the long chains', async () => {
  const uri = 'file:///work/kube-1500-trace.rules';
  await server.client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'iptables-save', version: 1, text: DUMP } });
  const { request, expectChain } = podToLastClusterIp(DUMP);
  const packet = `${request.src} -> ${request.dst}:${request.dport}/tcp in ${request.inIface}`;
  const order: string[] = [];
  const trace = server.client.connection.sendRequest<any>('iptablesLens/trace', { uri, packet, localAddresses: request.localAddresses }).then((r) => (order.push('trace'), r));
  const quick = server.client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } }).then(() => order.push('quick'));
  const [result] = await Promise.all([trace, quick]);
  // Built at once inside the request, the trace (sent first) was answered first.
  assert.deepEqual(order, ['quick', 'trace']);
  assert.equal(result.error, undefined);
  assert.match(result.text, new RegExp(`${expectChain}`));
});

test('the first lens packet of a big dump (Trace Packet… from a rule) lets other requests through while it gathers its facts', async () => {
  const uri = 'file:///work/kube-1500-lens.rules';
  await server.client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'iptables-save', version: 1, text: DUMP } });
  const lines = DUMP.split('\n');
  const line = lines.findIndex((l) => /^-A KUBE-SEP-\w+ .*-j DNAT/.test(l));
  const order: string[] = [];
  // The server asks for the settings first; the quick hover is sent right after they are answered,
  // so it arrives when the packet's work begins (a hover sent with the request would be answered
  // during that round trip whatever the work does afterwards).
  let quick: Promise<unknown> | undefined;
  const configurationAsked = new Promise<void>((resolve) => {
    server.client.connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => {
      setImmediate(() => {
        quick ??= server.client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } }).then(() => order.push('quick'));
        resolve();
      });
      return params.items.map(() => ({}));
    });
  });
  const packet = server.client.connection.sendRequest<any>('iptablesLens/packetForLine', { uri, line }).then((r) => (order.push('packet'), r));
  await configurationAsked;
  const [result] = await Promise.all([packet, quick]);
  // Gathered at once inside the request, the packet (asked first) was answered first.
  assert.deepEqual(order, ['quick', 'packet']);
  assert.equal(result.focusLine, line + 1);
  assert.match(result.packetLine, /->/);
});
