// Regression guard for requests answered before the navigation index is built: right after opening
// a big dump, DocumentIndex.lineEntry reads what is on a line from the parse (a table's header or
// COMMIT, a chain's declaration, a rule filed in its chain's rows) instead of building the whole
// index (≈ 0.1 s at 10k services) for one hover or go-to-definition. Where it answers, the answer must be exactly the
// built index's — the same table, chain and rule objects — on every line of every dump below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IdeDocument } from '../../server/src/netfilter/ide/ide-document';
import { hover, hoverNeeds } from '../../server/src/netfilter/ide/hover';
import { chainAt, findDefinition, findDefinitionFromParse, findHighlights, findHighlightsFromParse, findReferences, findReferencesFromParse } from '../../server/src/netfilter/ide/navigation';
import type { LineEntry } from '../../server/src/netfilter/ide/document-index';
import { generateKubeDump } from '../bench/generate-kube-dump';
import { REPO_ROOT, SEEDS_DIR } from './cases';

const REAL_WORLD_DIR = resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'real-world');

/** Dumps whose lines are unusual: counters, indentation, -I/-D/-F/-N commands, a duplicate table, no COMMIT, the other family. */
const HAND_WRITTEN: Record<string, string> = {
  commands: [
    '*filter',
    ':INPUT ACCEPT [10:200]',
    ':A - [0:0]',
    '[3:120] -A INPUT -j A',
    '  -A A -s 10.0.0.1/32 -j DROP',
    '\t-A A -p udp -j DROP',
    '-I A 1 -p tcp -j ACCEPT',
    '-N B',
    '-A B -j RETURN',
    '-D A -s 10.0.0.1/32 -j DROP',
    '-6 -A A -j ACCEPT',
    '-A A -s 10.0.0.300/32 -j ACCEPT',
    '--append A -j LOG --log-prefix "a b"',
    ' # indented comment',
    'COMMIT',
    '',
  ].join('\n'),
  flushed: ['*nat', ':PREROUTING ACCEPT [0:0]', ':X - [0:0]', '-A X -j RETURN', '-F X', '-A X -j ACCEPT', '-A PREROUTING -j X', 'COMMIT', ''].join('\n'),
  'duplicate-table': ['*filter', ':A - [0:0]', '-A A -j DROP', 'COMMIT', '*filter', ':A - [0:0]', ':A - [0:0]', '-A A -j ACCEPT', '-A UNDECLARED -j ACCEPT', 'COMMIT', ''].join('\n'),
  'no-commit': ['*mangle', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -j MARK --set-xmark 0x1/0x1', '*filter', ':INPUT DROP [0:0]', '-A INPUT -j ACCEPT', ''].join('\n'),
  // rules written in another order than their chains were declared: callers come in line order
  'rules-out-of-order': ['*filter', ':INPUT ACCEPT [0:0]', ':A - [0:0]', ':B - [0:0]', ':T - [0:0]', '-A B -j T', '-A A -g T', '-A INPUT -j T', '-A B -j A', '-A INPUT -j B', 'COMMIT', ''].join('\n'),
  // a rule that jumps to its own chain (a loop the kernel refuses): on its line, the rule's chain before its jump
  'self-jump': ['*filter', ':INPUT ACCEPT [0:0]', ':X - [0:0]', '-A INPUT -j X', '-A X -p tcp -j X', 'COMMIT', ''].join('\n'),
  'outside-tables': ['-A INPUT -j ACCEPT', ':X - [0:0]', 'COMMIT', '*raw', ':OUTPUT ACCEPT [0:0]', '-A OUTPUT -j CT --notrack', 'COMMIT', 'trailing text', ''].join('\n'),
};

function dumps(): Array<{ name: string; text: string; family: 'ipv4' | 'ipv6' }> {
  const found: Array<{ name: string; text: string; family: 'ipv4' | 'ipv6' }> = [];
  const add = (name: string, text: string) => found.push({ name, text, family: /\.v6$|ipv6|ip6/.test(name) ? 'ipv6' : 'ipv4' });
  for (const dir of [SEEDS_DIR, REAL_WORLD_DIR, join(REPO_ROOT, 'test', 'parser', 'cases'), join(REPO_ROOT, 'test', 'analysis', 'cases')]) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      if (/\.(rules|v4|v6)$/.test(file)) add(file, readFileSync(join(dir, file), 'utf8'));
    }
  }
  for (const [name, text] of Object.entries(HAND_WRITTEN)) add(name, text);
  add('kube-300', generateKubeDump({ services: 300, endpointsPerService: 3, seed: 5 }));
  return found;
}

/** The objects an entry points at (compared by identity: the same model, read two ways). */
function partsOf(entry: LineEntry | undefined): unknown[] {
  if (!entry) return [undefined];
  switch (entry.kind) {
    case 'header':
    case 'commit':
      return [entry.kind, entry.table];
    case 'declaration':
      return [entry.kind, entry.table, entry.chain];
    case 'rule':
      return [entry.kind, entry.table, entry.rule];
    case 'command':
      return [entry.kind, entry.table, entry.command];
  }
}

test('what is on a line, read from the parse before the index is built, is what the built index says', () => {
  let dumpsRead = 0;
  for (const { name, text, family } of dumps()) {
    dumpsRead++;
    const doc = IdeDocument.fromText(text, { family });
    const index = doc.partialIndex;
    const lineStarts = doc.ruleset.lineStarts;
    const fromParse = new Map<number, LineEntry | undefined>();
    for (let line = 0; line < lineStarts.length; line++) {
      if (index.answersWithoutBuilding(lineStarts[line])) fromParse.set(line, index.lineEntry(line));
    }
    assert.equal(doc.indexBuilt, false, `${name}: reading lines from the parse built the index`);
    const built = doc.index;
    for (const [line, entry] of fromParse) {
      const expected = partsOf(built.lineEntry(line));
      const actual = partsOf(entry);
      assert.equal(actual.length, expected.length, `${name} line ${line + 1}: ${String(actual[0])} from the parse, ${String(expected[0])} in the index`);
      actual.forEach((part, k) => assert.ok(part === expected[k], `${name} line ${line + 1}: part ${k} differs (${entry?.kind})`));
    }
  }
  assert.ok(dumpsRead >= 40, `read ${dumpsRead} dumps`);
});

test('on a kube-proxy dump every line is read from the parse, none needs the index', () => {
  const doc = IdeDocument.fromText(generateKubeDump({ services: 300, endpointsPerService: 3, seed: 5 }), { family: 'ipv4' });
  const index = doc.partialIndex;
  const kinds = new Map<string, number>();
  for (let line = 0; line < doc.ruleset.lineStarts.length; line++) {
    assert.ok(index.answersWithoutBuilding(doc.ruleset.lineStarts[line]), `line ${line + 1} needs the index`);
    const kind = index.lineEntry(line)?.kind ?? 'nothing';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  assert.equal(doc.indexBuilt, false);
  assert.ok((kinds.get('rule') ?? 0) > 3000 && (kinds.get('declaration') ?? 0) > 1000 && (kinds.get('header') ?? 0) >= 2 && kinds.get('header') === kinds.get('commit'), JSON.stringify([...kinds]));
});

test('hovers that need no index are answered without building it, with the text they have once it is built', () => {
  const text = generateKubeDump({ services: 300, endpointsPerService: 3, seed: 5 });
  const lines = text.split('\n');
  const offsetOf = (pattern: RegExp, needle: string, delta = 1) => {
    const line = lines.findIndex((l) => pattern.test(l));
    assert.ok(line >= 0, `no line matches ${pattern}`);
    return lines.slice(0, line).reduce((sum, l) => sum + l.length + 1, 0) + lines[line].indexOf(needle) + delta;
  };
  const withoutIndex = {
    'an option': offsetOf(/^-A KUBE-SERVICES -d /, '--dport'),
    'a target': offsetOf(/-j DNAT/, '-j DNAT', 4),
    'a rule': offsetOf(/^-A KUBE-SVC-/, '-A'),
    'a table': offsetOf(/^\*nat/, 'nat'),
    'a comment': offsetOf(/^# Generated/, 'Generated'),
    'a jump to a service chain': offsetOf(/^-A KUBE-SERVICES -d /, '-j KUBE-SVC', 5),
    'an endpoint chain\'s declaration': offsetOf(/^:KUBE-SEP-/, 'KUBE-SEP'),
    'KUBE-MARK-MASQ': offsetOf(/^:KUBE-MARK-MASQ/, 'KUBE-MARK-MASQ'),
  };
  // (a mark's hover reads the mark index, which reads the navigation index)
  const withIndex = { 'a mark': offsetOf(/--set-xmark 0x4000\/0x4000/, '0x4000/0x4000', 2) };
  const built = IdeDocument.fromText(text, { family: 'ipv4' });
  void built.index;
  const chains = new Set(['a jump to a service chain', 'an endpoint chain\'s declaration', 'KUBE-MARK-MASQ']);
  for (const [what, offset] of Object.entries(withoutIndex)) {
    const doc = IdeDocument.fromText(text, { family: 'ipv4' });
    let needs = hoverNeeds(doc, offset);
    // A chain's callers are read first, in steps (the language server runs them in slices).
    if (chains.has(what)) {
      assert.ok(needs.chainCallers, `${what}: its callers are read first`);
      const steps = doc.partialIndex.readCallersSteps(needs.chainCallers.table, needs.chainCallers.name);
      let pauses = 0;
      while (!steps.next().done) pauses++;
      if (what === 'KUBE-MARK-MASQ') assert.ok(pauses >= 1, `${pauses} pauses reading the callers`);
      needs = hoverNeeds(doc, offset);
    }
    assert.deepEqual(needs, { navigation: false, marks: false, addresses: false }, what);
    assert.deepEqual(hover(doc, offset), hover(built, offset), what);
    assert.equal(doc.indexBuilt, false, `the hover on ${what} built the navigation index`);
  }
  for (const [what, offset] of Object.entries(withIndex)) {
    const doc = IdeDocument.fromText(text, { family: 'ipv4' });
    assert.deepEqual(hoverNeeds(doc, offset), { navigation: false, marks: true, addresses: false }, what);
    assert.deepEqual(hover(doc, offset), hover(built, offset), what);
  }
  // A rule the parser read without a template (a broken one): a chain's callers are then counted by the index.
  const natCommit = text.indexOf('\nCOMMIT', text.indexOf('*nat'));
  const broken = IdeDocument.fromText(`${text.slice(0, natCommit)}\n-A KUBE-SERVICES -s 10.0.0.300/32 -j KUBE-MARK-MASQ${text.slice(natCommit)}`, { family: 'ipv4' });
  const brokenTable = broken.ruleset.tables.find((t) => t.name === 'nat')!;
  assert.ok(brokenTable.chains.get('KUBE-SERVICES')!.rules.some((r) => r.broken));
  assert.equal(broken.partialIndex.callersFromParse(brokenTable, 'KUBE-MARK-MASQ'), undefined);
  const brokenAt = broken.text.indexOf(':KUBE-MARK-MASQ', broken.text.indexOf(`*${brokenTable.name}`)) + 2;
  assert.deepEqual(hoverNeeds(broken, brokenAt), { navigation: true, marks: false, addresses: false });
});

test('definition, references and highlights from the parse, where they answer, are the built index\'s, at every word of every line', () => {
  let answered = 0;
  let declarations = 0;
  let references = 0;
  for (const { name, text, family } of dumps()) {
    const fresh = IdeDocument.fromText(text, { family });
    const built = IdeDocument.fromText(text, { family });
    void built.index;
    const seen = new Map<string, number>();
    for (let at = 0; at <= text.length; at++) {
      // every word's first character, and the end of the text
      if (at < text.length && (at > 0 && !/\s/.test(text[at - 1]) || /\s/.test(text[at]))) continue;
      const fromParse = findDefinitionFromParse(fresh, at);
      if (fromParse === undefined) continue;
      answered++;
      if (fromParse.length > 0) declarations++;
      assert.deepEqual(fromParse, findDefinition(built, at), `${name} at offset ${at}`);
      // references and highlights: at two words of each chain (every occurrence of a chain has the same answer)
      const chain = chainAt(built, at);
      const key = chain && `${chain.table.name} ${chain.name}`;
      if (!key || (seen.get(key) ?? 0) >= 2) continue;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      const referencesFromParse = findReferencesFromParse(fresh, at);
      if (referencesFromParse === undefined) continue;
      references += referencesFromParse.length;
      assert.deepEqual(referencesFromParse, findReferences(built, at), `${name} at offset ${at}: references`);
      assert.deepEqual(findReferencesFromParse(fresh, at, { includeDeclaration: false }), findReferences(built, at, { includeDeclaration: false }), `${name} at offset ${at}: references without the declaration`);
      assert.deepEqual(findHighlightsFromParse(fresh, at), findHighlights(built, at), `${name} at offset ${at}: highlights`);
    }
    assert.equal(fresh.indexBuilt, false, `${name}: navigation from the parse built the index`);
  }
  assert.ok(answered > 50_000 && declarations > 10_000 && references > 10_000, `${answered} answers read from the parse, ${declarations} of them a declaration; ${references} references`);
});

test('a chain\'s callers read from the parse, where it answers, are the built index\'s, in the same order', () => {
  let chainsAnswered = 0;
  let callers = 0;
  for (const { name, text, family } of dumps()) {
    const doc = IdeDocument.fromText(text, { family });
    const fromParse: Array<{ table: number; chain: string; count: number; callers: unknown[] }> = [];
    doc.ruleset.tables.forEach((table, t) => {
      for (const chain of table.chains.keys()) {
        const read = doc.partialIndex.callersFromParse(table, chain);
        if (read) fromParse.push({ table: t, chain, ...read });
      }
    });
    assert.equal(doc.indexBuilt, false, `${name}: reading callers from the parse built the index`);
    const index = doc.index;
    for (const read of fromParse) {
      const table = doc.ruleset.tables[read.table];
      assert.equal(read.count, index.callerCount(table, read.chain), `${name} ${table.name} ${read.chain}: count`);
      const expected = index.callersOf(table, read.chain);
      assert.equal(read.callers.length, expected.length, `${name} ${read.chain}`);
      read.callers.forEach((rule, k) => assert.ok(rule === expected[k], `${name} ${table.name} ${read.chain}: caller ${k + 1} differs`));
      chainsAnswered++;
      callers += read.count;
    }
  }
  assert.ok(chainsAnswered > 1500 && callers > 2500, `${chainsAnswered} chains, ${callers} callers read from the parse`);
});
