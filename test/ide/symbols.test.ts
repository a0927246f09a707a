// Outline, workspace symbols and folding ranges of the engine (ide/symbols.ts): what a small dump
// gives exactly, and what a dump with more chains than the outline lists gives.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdeDocument } from '../../server/src/netfilter/ide/ide-document';
import { chainSymbols, chainSymbolSteps, documentSymbols, documentSymbolSteps, foldingRanges, foldingRangeSteps, mostUsefulFoldingRanges, OUTLINE_CHAINS_LIMIT, type FoldRange, type OutlineSymbol } from '../../server/src/netfilter/ide/symbols';
import { generateKubeDump } from '../bench/generate-kube-dump';

const SMALL = [
  '*filter',
  ':INPUT DROP [0:0]',
  ':FORWARD ACCEPT [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  ':LOGDROP - [0:0]',
  '-A INPUT -i lo -j ACCEPT',
  '-A INPUT -p tcp --dport 22 -j ACCEPT',
  '# a comment ends the run',
  '-A INPUT -j LOGDROP',
  '-A LOGDROP -j LOG --log-prefix "drop: "',
  '-A LOGDROP -j DROP',
  'COMMIT',
  '',
].join('\n');

/** Each symbol as `name (detail) lines a-b`, children indented. */
function outline(doc: IdeDocument, symbols: OutlineSymbol[], depth = 0): string[] {
  const line = (offset: number) => doc.index.lineOf(offset) + 1;
  return symbols.flatMap((s) => [`${'  '.repeat(depth)}${s.kind} ${s.name} (${s.detail}) lines ${line(s.span.start)}-${line(s.span.end)}`, ...outline(doc, s.children, depth + 1)]);
}

test('outline of a small dump: tables → chains (policy, rule count) → rules', () => {
  const doc = IdeDocument.fromText(SMALL);
  assert.deepEqual(outline(doc, documentSymbols(doc)), [
    'table filter (4 chains) lines 1-12',
    '  chain INPUT (policy DROP · 3 rules) lines 2-9',
    '    rule #1 -i lo -j ACCEPT (→ ACCEPT) lines 6-6',
    '    rule #2 -p tcp --dport 22 -j ACCEPT (→ ACCEPT) lines 7-7',
    '    rule #3 -j LOGDROP (→ LOGDROP) lines 9-9',
    '  chain FORWARD (policy ACCEPT · 0 rules) lines 3-3',
    '  chain OUTPUT (policy ACCEPT · 0 rules) lines 4-4',
    '  chain LOGDROP (2 rules) lines 5-11',
    '    rule #1 -j LOG --log-prefix "drop: " (→ LOG) lines 10-10',
    '    rule #2 -j DROP (→ DROP) lines 11-11',
  ]);
});

test('folding of a small dump: the table, the declarations, each run of one chain\'s rules', () => {
  const doc = IdeDocument.fromText(SMALL);
  assert.deepEqual(foldingRanges(doc).map((r) => `${r.startLine + 1}-${r.endLine + 1} ${r.kind}`), [
    '1-12 table',
    '2-5 chain-declarations',
    '6-7 chain-rules',
    '10-11 chain-rules',
  ]);
});

test('folding of a dump with several tables: ranges in line order, each table before the runs inside it', () => {
  const text = [SMALL.trimEnd(), '*nat', ':PREROUTING ACCEPT [0:0]', ':X - [0:0]', '-A X -j RETURN', '-A X -j RETURN', 'COMMIT', ''].join('\n');
  const doc = IdeDocument.fromText(text);
  assert.deepEqual(foldingRanges(doc).map((r) => `${r.startLine + 1}-${r.endLine + 1} ${r.kind}`), [
    '1-12 table',
    '2-5 chain-declarations',
    '6-7 chain-rules',
    '10-11 chain-rules',
    '13-18 table',
    '14-15 chain-declarations',
    '16-17 chain-rules',
  ]);
});

test('folding ranges above the client\'s limit: the ones that hide the most lines, the first of equal ones, in line order', () => {
  const range = (startLine: number, length: number): FoldRange => ({ startLine, endLine: startLine + length, kind: 'chain-rules' });
  const ranges = [range(0, 5), range(10, 1), range(20, 3), range(30, 1), range(40, 3), range(50, 10), range(70, 3)];
  const kept = (limit: number) => mostUsefulFoldingRanges(ranges, limit).map((r) => r.startLine);
  assert.deepEqual(kept(3), [0, 20, 50]);
  assert.deepEqual(kept(4), [0, 20, 40, 50]);
  assert.deepEqual(kept(6), [0, 10, 20, 40, 50, 70]);
  assert.deepEqual(kept(7), ranges.map((r) => r.startLine));
  assert.deepEqual(kept(1), [50]);
  assert.deepEqual(kept(0), []);
  // on a kube dump: every kept range hides at least as many lines as any dropped one
  const all = foldingRanges(IdeDocument.fromText(generateKubeDump({ services: 100, endpointsPerService: 3, seed: 5 })));
  const some = mostUsefulFoldingRanges(all, 40);
  assert.equal(some.length, 40);
  const dropped = all.filter((r) => !some.includes(r));
  const shortestKept = Math.min(...some.map((r) => r.endLine - r.startLine));
  assert.ok(dropped.every((r) => r.endLine - r.startLine <= shortestKept));
  assert.deepEqual(some, all.filter((r) => some.includes(r)), 'in line order');
});

test('outline above the chain limit: unhashed chains first, then hashed ones in file order, and one entry counting the rest', () => {
  const text = generateKubeDump({ services: 30, endpointsPerService: 2, seed: 3 });
  const doc = IdeDocument.fromText(text);
  const nat = doc.ruleset.tables.find((t) => t.name === 'nat')!;
  const hashed = [...nat.chains.keys()].filter((name) => /^KUBE-(SVC|SEP|EXT|FW|SVL)-[A-Z2-7]{16}$/.test(name));
  const unhashedCount = doc.ruleset.tables.reduce((n, t) => n + t.chains.size, 0) - hashed.length;
  const maxChains = unhashedCount + 10;
  const symbols = documentSymbols(doc, { includeRules: false, maxChains });
  const listed = symbols.flatMap((t) => t.children.filter((c) => c.kind === 'chain').map((c) => c.name));
  assert.equal(listed.length, maxChains);
  // Every unhashed chain, and the first ten hashed chains of the file.
  assert.deepEqual(listed.filter((name) => hashed.includes(name)), hashed.slice(0, 10));
  const natSymbol = symbols.find((t) => t.name === 'nat')!;
  const more = natSymbol.children.filter((c) => c.kind === 'more');
  assert.equal(more.length, 1);
  assert.equal(natSymbol.children[0], more[0], 'the entry for the rest comes first');
  const left = hashed.length - 10;
  const sep = hashed.slice(10).filter((n) => n.startsWith('KUBE-SEP-')).length;
  const svc = hashed.slice(10).filter((n) => n.startsWith('KUBE-SVC-')).length;
  assert.equal(more[0].name, `… ${left} more chains not listed (${sep} KUBE-SEP-*, ${svc} KUBE-SVC-*)`);
  assert.match(more[0].detail, /Go to Symbol in Workspace/);
  assert.equal(natSymbol.detail, `${nat.chains.size} chains`, 'the table still counts every chain');
  // Its range is the table's name, inside the table's symbol (LSP clients reject a selection outside its range).
  assert.equal(doc.text.slice(more[0].span.start, more[0].span.end), 'nat');
  // No other table lost a chain.
  assert.deepEqual(symbols.filter((t) => t.children.some((c) => c.kind === 'more')).map((t) => t.name), ['nat']);
});

test(`outline of a dump with more than ${OUTLINE_CHAINS_LIMIT.toLocaleString('en-US')} chains lists exactly that many by default`, () => {
  const text = generateKubeDump({ services: 1300, endpointsPerService: 3, seed: 5 });
  const doc = IdeDocument.fromText(text);
  const total = doc.ruleset.tables.reduce((n, t) => n + t.chains.size, 0);
  assert.ok(total > OUTLINE_CHAINS_LIMIT, `${total} chains`);
  const symbols = documentSymbols(doc, { includeRules: false });
  assert.equal(symbols.flatMap((t) => t.children).filter((c) => c.kind === 'chain').length, OUTLINE_CHAINS_LIMIT);
  // The language server's form pauses between steps (it runs them in slices) and ends with the same outline.
  const steps = documentSymbolSteps(doc, { includeRules: false });
  let pauses = 0;
  let next = steps.next();
  for (; !next.done; next = steps.next()) pauses++;
  assert.ok(pauses >= 2, `${pauses} pauses over ${total} chains`);
  assert.deepEqual(next.value, symbols);
  // Workspace symbols likewise.
  const found = chainSymbols(doc, 'svc', 2000);
  const chainSteps = chainSymbolSteps(doc, 'svc', 2000);
  let chainPauses = 0;
  let last = chainSteps.next();
  for (; !last.done; last = chainSteps.next()) chainPauses++;
  assert.ok(chainPauses >= 2 && found.length > 1000, `${chainPauses} pauses, ${found.length} chains found`);
  assert.deepEqual(last.value, found);
  // Folding ranges likewise (the editor asks for them by itself after opening).
  const foldSteps = foldingRangeSteps(doc);
  let foldPauses = 0;
  let folded = foldSteps.next();
  for (; !folded.done; folded = foldSteps.next()) foldPauses++;
  assert.ok(foldPauses >= 2, `${foldPauses} pauses over ${doc.index.lineCount} lines`);
  assert.ok(folded.value.length > 2 * OUTLINE_CHAINS_LIMIT / 3, `${folded.value.length} ranges`);
  assert.deepEqual(folded.value, foldingRanges(doc));
  // Below the limit nothing is left out.
  const small = IdeDocument.fromText(generateKubeDump({ services: 100, endpointsPerService: 3, seed: 5 }));
  assert.ok(documentSymbols(small).every((t) => t.children.every((c) => c.kind !== 'more')));
});

test('workspace symbols: the editor\'s filter (prefix, any case, substring, letters in order), best fits first', () => {
  const doc = IdeDocument.fromText(SMALL);
  const names = (query: string, limit?: number) => chainSymbols(doc, query, limit).map((s) => s.name);
  assert.deepEqual(names(''), ['INPUT', 'FORWARD', 'OUTPUT', 'LOGDROP']);
  assert.deepEqual(names('OUT'), ['OUTPUT']);
  // Both contain `put` (ignoring case): file order between equals.
  assert.deepEqual(names('put'), ['INPUT', 'OUTPUT']);
  assert.deepEqual(names('lgdp'), ['LOGDROP']);
  assert.deepEqual(names('in'), ['INPUT']);
  // `o`: FORWARD and OUTPUT and LOGDROP contain it; OUTPUT starts with it (ignoring case) and comes first.
  assert.deepEqual(names('o'), ['OUTPUT', 'FORWARD', 'LOGDROP']);
  assert.deepEqual(names('o', 2), ['OUTPUT', 'FORWARD']);
  assert.deepEqual(names('xyz'), []);
  const logdrop = chainSymbols(doc, 'LOGDROP')[0];
  assert.deepEqual({ table: logdrop.table, rules: logdrop.rules, text: doc.text.slice(logdrop.span.start, logdrop.span.end) }, { table: 'filter', rules: 2, text: 'LOGDROP' });
});
