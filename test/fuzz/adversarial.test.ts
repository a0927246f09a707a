// Adversarial shapes: 20,000-deep jump chains, jump loops, a chain jumping to itself, 1 MB single
// lines, a 50 MB file, thousands of tables. Each goes through parse + analyses + trace + the IDE
// functions and must complete with sane answers — no stack overflow (the engine must not recurse
// per chain or per token), no `internal/*` problem, bounded memory. No timed assertions except
// linearity, measured in the same run: time(4n) < 10 × time(n) (a quadratic step gives ~16×).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '../../server/src/netfilter/lint';
import { tracePacket, TRACE_LIMITS, type TraceRequest } from '../../server/src/netfilter/trace/simulate';
import type { ParsedRuleset } from '../../server/src/netfilter/parser';
import { IdeDocument, hover, findReferences, findDefinition, documentSymbols, foldingRanges, complete, chainSymbols } from '../../server/src/netfilter/ide';
import { findLensSites } from '../../server/src/netfilter/ide/code-lens';
import { generateKubeDump } from '../bench/generate-kube-dump';

const TO_NODE: TraceRequest = { src: '192.168.1.5', dst: '10.0.0.1', proto: 'tcp', sport: 40000, dport: 80, inIface: 'eth0', localAddresses: ['10.0.0.1'] };

/** filter INPUT → C0 → C1 → … → C(n-1) → `end` */
function jumpChain(n: number, end = 'ACCEPT', flag = '-j'): string {
  const out = ['*filter', ':INPUT DROP [0:0]'];
  for (let k = 0; k < n; k++) out.push(`:C${k} - [0:0]`);
  out.push('-A INPUT -j C0');
  for (let k = 0; k < n - 1; k++) out.push(`-A C${k} -p tcp ${flag} C${k + 1}`);
  out.push(`-A C${n - 1} -j ${end}`, 'COMMIT', '');
  return out.join('\n');
}

function lintClean(text: string): ParsedRuleset & { problemCodes: string[] } {
  const { ruleset, problems } = lintText(text);
  const internal = problems.filter((p) => p.code.startsWith('internal/'));
  assert.deepEqual(internal.map((p) => p.message), [], 'internal errors');
  for (const p of problems) assert.ok(p.span.start >= 0 && p.span.start <= p.span.end && p.span.end <= text.length, `${p.code} span ${p.span.start}-${p.span.end}`);
  // a message quotes the line, but never a megabyte of it
  for (const p of problems) assert.ok(p.message.length <= 1000, `${p.code}: a message of ${p.message.length} characters`);
  for (const p of problems) for (const r of p.related ?? []) assert.ok(r.message.length <= 1000, `${p.code}: a related message of ${r.message.length} characters`);
  for (const p of problems) for (const f of p.fixes ?? []) assert.ok(f.title.length <= 1000, `${p.code}: a fix titled with ${f.title.length} characters`);
  return Object.assign(ruleset, { problemCodes: problems.map((p) => p.code) });
}

/** Every IDE feature once on the document, at the given offsets; returns the hover texts. */
function ideEverything(ruleset: ParsedRuleset, offsets: number[]): string[] {
  const doc = new IdeDocument(ruleset);
  const hovers: string[] = [];
  for (const offset of offsets) {
    const h = hover(doc, offset);
    if (h) hovers.push(h.markdown);
    // (a hover quotes a megabyte token by its ends)
    if (h) assert.ok(h.markdown.length <= 10_000, `a hover of ${h.markdown.length} characters`);
    findReferences(doc, offset);
    findDefinition(doc, offset);
    complete(doc, offset);
  }
  documentSymbols(doc);
  foldingRanges(doc);
  chainSymbols(doc, 'C1', 100);
  findLensSites(ruleset);
  return hovers;
}

function bestTime(body: () => void, runs = 2): number {
  let best = Infinity;
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    body();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/** time(4n) < 10 × time(n), with a floor so that tiny timings do not decide */
function assertLinear(what: string, make: (n: number) => string, n: number, work: (text: string) => void): void {
  const small = make(n);
  const big = make(4 * n);
  work(small); // warm up the JIT
  const t1 = bestTime(() => work(small));
  const t4 = bestTime(() => work(big));
  assert.ok(t4 < 10 * Math.max(t1, 30), `${what}: n=${n} took ${t1.toFixed(0)} ms, 4n took ${t4.toFixed(0)} ms (ratio ${(t4 / t1).toFixed(1)}, linear is ~4)`);
}

test('a 20,000-deep jump chain: analyses, trace and IDE complete without stack overflow', () => {
  // One chain under the simulator's depth limit: the packet walks all the way down and back.
  const depth = TRACE_LIMITS.maxCallDepth - 1;
  const text = jumpChain(depth);
  const ruleset = lintClean(text);
  assert.ok(!ruleset.problemCodes.includes('graph/loop'), 'a chain is not a loop');
  const [path] = tracePacket(ruleset, TO_NODE).paths;
  assert.equal(path.verdict, 'ACCEPT', path.outcome);
  assert.equal(path.steps.filter((s) => s.verdict.startsWith('JUMP')).length, depth);
  const last = text.lastIndexOf(`-A C${depth - 1}`) + 4;
  const hovers = ideEverything(ruleset, [0, text.indexOf(':C19000'), last, text.length]);
  assert.ok(hovers.some((h) => h.includes('C19000')), 'hover on a deep chain names it');

  // One deeper than the limit: the trace stops with a stated reason instead of overflowing.
  const deeper = lintClean(jumpChain(TRACE_LIMITS.maxCallDepth + 1));
  const [stopped] = tracePacket(deeper, TO_NODE).paths;
  assert.match(stopped.outcome, /jump depth above/);
  // gotos do not grow the stack: 20,001 chained gotos are fine
  const [gotos] = tracePacket(lintClean(jumpChain(TRACE_LIMITS.maxCallDepth + 1, 'ACCEPT', '-g')), TO_NODE).paths;
  assert.equal(gotos.verdict, 'ACCEPT', gotos.outcome);
});

test('jump loops and a chain jumping to itself are reported, and traces end with LOOP', () => {
  for (const [name, text] of [
    ['3000-chain loop', jumpChain(3000, 'C0')],
    ['self jump', '*filter\n:INPUT ACCEPT [0:0]\n:SELF - [0:0]\n-A INPUT -j SELF\n-A SELF -p tcp -j SELF\nCOMMIT\n'],
    ['self goto', '*filter\n:INPUT ACCEPT [0:0]\n:SELF - [0:0]\n-A INPUT -j SELF\n-A SELF -g SELF\nCOMMIT\n'],
    // (the DNAT makes the kernel track connections: without any conntrack user nat is never consulted)
    ['two-chain loop via goto', '*nat\n:PREROUTING ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n-A PREROUTING -j A\n-A PREROUTING -d 192.0.2.1/32 -j DNAT --to-destination 10.0.0.1\n-A A -g B\n-A B -j A\nCOMMIT\n'],
  ] as const) {
    const ruleset = lintClean(text);
    assert.ok(ruleset.problemCodes.includes('graph/loop'), `${name}: graph/loop expected, got ${ruleset.problemCodes.join(', ')}`);
    const paths = tracePacket(ruleset, TO_NODE).paths;
    assert.ok(paths.some((p) => p.verdict === 'LOOP'), `${name}: ${paths.map((p) => `${p.verdict} ${p.outcome}`).join('; ')}`);
    ideEverything(ruleset, [0, text.indexOf('-j') + 3, text.length]);
  }
});

test('1 MB single lines: a comment, a token run, junk without spaces, an unbalanced quote, a number', () => {
  const MB = 1 << 20;
  const lines = {
    comment: `-A INPUT -p tcp -m comment --comment "${'x'.repeat(MB)}" -j ACCEPT`,
    tokens: '-A INPUT' + ' -p tcp'.repeat(MB / 7) + ' -j ACCEPT',
    junk: 'q'.repeat(MB),
    quote: `-A INPUT -m comment --comment "${'y '.repeat(MB / 2)}`,
    addresses: '-A INPUT -s ' + Array.from({ length: MB / 12 }, (_, k) => `10.${(k >> 8) & 255}.${k & 255}.1`).join(',') + ' -j DROP',
    number: `-A INPUT -m length --length ${'9'.repeat(MB)} -j ACCEPT`,
    jump: `-A INPUT -p tcp -j ${'J'.repeat(MB)}`,
    chain: `-A ${'K'.repeat(MB)} -p tcp -j ACCEPT`,
    range: `-A INPUT -m connbytes --connbytes 1:${'7'.repeat(MB)} --connbytes-dir both --connbytes-mode bytes -j ACCEPT`,
  };
  for (const [name, line] of Object.entries(lines)) {
    const text = `*filter\n:INPUT ACCEPT [0:0]\n${line}\n-A INPUT -p udp -j DROP\nCOMMIT\n`;
    const ruleset = lintClean(text);
    assert.ok(ruleset.tables.length === 1, name);
    tracePacket(ruleset, TO_NODE);
    tracePacket(ruleset, { ...TO_NODE, proto: 'udp', dport: 53 });
    ideEverything(ruleset, [text.indexOf(line) + 2, text.indexOf(line) + (line.length >> 1), text.length - 3]);
    // the outline, completion and workspace symbols quote a megabyte name by its ends, or leave it out
    const doc = new IdeDocument(ruleset);
    for (const [what, answer] of [['outline', documentSymbols(doc)], ['completion', complete(doc, text.indexOf(line) + line.length - 3)], ['workspace symbols', chainSymbols(doc, '', 100)]] as const) {
      assert.ok(JSON.stringify(answer ?? null).length <= 100_000, `${name}: ${what} of ${JSON.stringify(answer).length} characters`);
    }
  }
});

test('a service of 3,000 endpoints with unequal shares: one finding, its message bounded, every endpoint related', () => {
  const n = 3000;
  const lines = ['*nat', ':PREROUTING ACCEPT [0:0]', ':KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]'];
  for (let k = 0; k < n; k++) lines.push(`:KUBE-SEP-${String(k).padStart(16, 'B')} - [0:0]`);
  lines.push('-A PREROUTING -j KUBE-SVC-AAAAAAAAAAAAAAAA');
  for (let k = 0; k < n; k++) lines.push(`-A KUBE-SVC-AAAAAAAAAAAAAAAA -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-${String(k).padStart(16, 'B')}`);
  for (let k = 0; k < n; k++) lines.push(`-A KUBE-SEP-${String(k).padStart(16, 'B')} -p tcp -m tcp -j DNAT --to-destination 10.244.${k >> 8}.${k & 255}:80`);
  lines.push('COMMIT', '');
  const text = lines.join('\n');
  const { problems } = lintText(text);
  const shares = problems.filter((p) => p.code === 'kube/unequal-shares');
  assert.equal(shares.length, 1);
  assert.ok(shares[0].message.length <= 1000, `a message of ${shares[0].message.length} characters`);
  assert.equal(shares[0].related?.length, n);
  lintClean(text);
});

test('a 50 MB file: parse and analyses complete with memory bounded by a small multiple of the text', () => {
  const comment = 'c'.repeat(900);
  const lines = ['*filter', ':INPUT DROP [0:0]', ':KUBE-SVC - [0:0]', '-A INPUT -j KUBE-SVC'];
  let size = 0;
  let count = 0;
  while (size < 50_000_000) {
    const line = `-A KUBE-SVC -d 10.${(count >> 16) & 255}.${(count >> 8) & 255}.${count & 255}/32 -p tcp -m tcp --dport ${count % 65535} -m comment --comment "${comment}" -j ACCEPT`;
    lines.push(line);
    size += line.length + 1;
    count++;
  }
  lines.push('COMMIT', '');
  const text = lines.join('\n');
  const before = process.memoryUsage().heapUsed;
  const ruleset = lintClean(text);
  const grown = process.memoryUsage().heapUsed - before;
  assert.equal(ruleset.tables[0].chains.get('KUBE-SVC')!.rules.length, count);
  // the model of a 50 MB dump must fit beside the text in the server's heap
  assert.ok(grown < 30 * text.length, `heap grew ${(grown / 1e6).toFixed(0)} MB for a ${(text.length / 1e6).toFixed(0)} MB text`);
  const k = count - 17;
  const dst = `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
  const [path] = tracePacket(ruleset, { ...TO_NODE, dst, dport: k % 65535, localAddresses: [dst] }).paths;
  assert.equal(path.verdict, 'ACCEPT', path.outcome);
  assert.ok(path.steps.some((s) => s.chain === 'KUBE-SVC' && s.rule === k + 1), 'the matching service rule is found');
  const doc = new IdeDocument(ruleset);
  assert.match(hover(doc, text.lastIndexOf('-j ACCEPT') + 4)?.markdown ?? '', /ACCEPT/);
  assert.equal(findReferences(doc, text.indexOf(':KUBE-SVC') + 2).length, count + 2);
});

test('thousands of tables (valid, repeated and unknown names) complete with a problem per bad block', () => {
  const blocks: string[] = [];
  for (let k = 0; k < 3000; k++) {
    const name = ['filter', 'nat', 'mangle', 'raw', 'security', `bogus${k}`][k % 6];
    blocks.push(`*${name}`, ':INPUT ACCEPT [0:0]', `-A INPUT -s 10.0.${(k >> 8) & 255}.${k & 255}/32 -j ACCEPT`, 'COMMIT');
  }
  const text = blocks.join('\n') + '\n';
  const ruleset = lintClean(text);
  assert.ok(ruleset.problems.length >= 500, `${ruleset.problems.length} problems for 500 unknown tables`);
  tracePacket(ruleset, TO_NODE);
  ideEverything(ruleset, [0, text.length >> 1, text.length]);
});

test('linear time: rules, jump depth, line length, tables and loops scale 4× in < 10× the time', () => {
  const kube = (n: number) => generateKubeDump({ services: n, endpointsPerService: 3, seed: 1 });
  assertLinear('parse + analyses of a kube-proxy dump', kube, 300, (text) => void lintText(text));
  const kubeRuleset = (n: number) => lintText(kube(n)).ruleset;
  const small = kubeRuleset(300);
  const big = kubeRuleset(1200);
  const trace = (r: ParsedRuleset) => {
    for (let k = 0; k < 20; k++) tracePacket(r, { src: '10.244.1.9', dst: `10.96.${k}.${k * 7}`, proto: 'tcp', dport: 80, inIface: 'eth0' });
  };
  const ide = (r: ParsedRuleset) => {
    const doc = new IdeDocument(r);
    const at = r.text.indexOf('-j KUBE-SVC-') + 5;
    hover(doc, at);
    findReferences(doc, at);
    documentSymbols(doc);
    foldingRanges(doc);
    complete(doc, at);
  };
  for (const [what, work] of [['20 traces', trace], ['IDE requests', ide]] as const) {
    work(small);
    const t1 = bestTime(() => work(small));
    const t4 = bestTime(() => work(big));
    assert.ok(t4 < 10 * Math.max(t1, 30), `${what}: ${t1.toFixed(0)} ms vs ${t4.toFixed(0)} ms for 4× the services`);
  }
  const everything = (text: string) => {
    const r = lintClean(text);
    tracePacket(r, TO_NODE);
    ideEverything(r, [text.length >> 1]);
  };
  assertLinear('jump depth', (n) => jumpChain(n), 2500, everything);
  assertLinear('jump loop length', (n) => jumpChain(n, 'C0'), 2500, everything);
  assertLinear('line length', (n) => `*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "${'z '.repeat(n)}" -p tcp${' -p tcp'.repeat(n >> 3)} -j DROP\nCOMMIT\n`, 60_000, everything);
  assertLinear('tables', (n) => Array.from({ length: n }, (_, k) => `*${k % 2 ? 'filter' : 'nat'}\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.${(k >> 8) & 255}.${k & 255} -j RETURN\nCOMMIT`).join('\n'), 500, everything);
  assertLinear('rules in one chain', (n) => `*filter\n:INPUT DROP [0:0]\n${Array.from({ length: n }, (_, k) => `-A INPUT -s 10.${(k >> 8) & 255}.${k & 255}.0/24 -p tcp -m tcp --dport ${k % 1000} -j ACCEPT`).join('\n')}\nCOMMIT\n`, 2000, everything);
});
