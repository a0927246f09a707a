// Regression guard for the two indexes (issue 7): on random dumps they must give exactly the
// answers of the plain algorithms.
//   1. trace/dispatch.ts (the KUBE-SERVICES index): the rules `nextCandidate` lets the simulator
//      try must include every rule a linear scan finds (possibly) matching, in order — and the
//      trace of a long chain must stop at the first rule a linear scan matches.
//   2. analysis/reachability.ts (the shadowing index): the (shadowed, shadowing) pairs it reports
//      must be exactly those of a naive pairwise check built from its own pieces (ruleShape,
//      shapeSubsumes, TableFacts.terminal / writes).
//   3. ide/document-index.ts (the navigation index, numbers only): every chain's occurrences, the
//      callers and what is on each line must be those of a plain walk over the model, sorted by
//      offset; and a version re-read after a one-line edit, sharing its predecessor's numbers,
//      must answer exactly as an index built from scratch.
//   4. ide/addresses.ts and ide/marks.ts: the same for the address facts and the mark uses, over
//      several edits in a row.
// fast-check with a fixed seed: the same 200 dumps every run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRuleset } from '../../server/src/netfilter/parser';
import type { Chain, Rule, Ruleset } from '../../server/src/netfilter/model';
import type { Packet } from '../../server/src/netfilter/packet';
import { buildDispatch, DISPATCH_MIN_RULES } from '../../server/src/netfilter/trace/dispatch';
import { compileRule } from '../../server/src/netfilter/trace/compile';
import { findMatch } from '../../server/src/netfilter/extensions/registry';
import { packetFromRequest, tracePacket } from '../../server/src/netfilter/trace/simulate';
import { analyzeRuleset } from '../../server/src/netfilter/analysis';
import { createContext } from '../../server/src/netfilter/analysis/context';
import { isUniversal, shapeSubsumes, type Field } from '../../server/src/netfilter/analysis/constraints';
import { reparseAfterLineEdit } from '../../server/src/netfilter/parser';
import { IdeDocument } from '../../server/src/netfilter/ide/ide-document';
import { foldingRanges } from '../../server/src/netfilter/ide/symbols';
import { kubeChainKind } from '../../server/src/netfilter/kube/hash';
import type { ChainOccurrence, DocumentIndex } from '../../server/src/netfilter/ide/document-index';
import { generateKubeDump } from '../bench/generate-kube-dump';
import type { MarkOperation } from '../../server/src/netfilter/ide/marks';

const SEED = 20240607;
const RUNS = 200;

// ---------------------------------------------------------------- random rules and packets
const HOSTS = ['10.0.0.1', '10.0.0.2', '10.0.1.7', '192.168.5.5'];
const PORTS = [22, 53, 80, 443, 8080];

const destination = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 4, arbitrary: fc.constantFrom(...HOSTS).map((h) => `-d ${h}/32`) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTS).map((h) => `-d ${h}`) },
  { weight: 1, arbitrary: fc.constantFrom('-d 10.0.0.0/24', '-d 10.0.0.0/16', '-d 0.0.0.0/0', '-d 10.0.0.1/32,10.0.0.2/32') },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTS).map((h) => `! -d ${h}/32`) },
);
const source = fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('-s 10.0.0.0/8', '! -s 10.0.0.2/32', '-s 192.168.5.5/32') });
const portSpec = fc.oneof(
  { weight: 2, arbitrary: fc.constant('') },
  { weight: 4, arbitrary: fc.constantFrom(...PORTS).map((p) => `--dport ${p}`) },
  { weight: 1, arbitrary: fc.constantFrom('--dport 50:90', '--dport 1024:65535', '! --dport 80', '--sport 40000', '! --dport 53:60') },
);
const l4 = fc.oneof(
  { weight: 2, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('! -p tcp', '-p icmp', '-p all') },
  {
    weight: 6,
    arbitrary: fc.tuple(fc.constantFrom('tcp', 'udp', 'sctp'), fc.boolean(), portSpec).map(([p, explicit, ports]) => `-p ${p}${explicit ? ` -m ${p}` : ''}${ports ? ` ${ports}` : ''}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('-p tcp -m multiport --dports 80,443', '-p udp -m multiport --dports 53,5353') },
);
const dispatchRule = fc.tuple(source, destination, l4, fc.constantFrom('ACCEPT', 'ACCEPT', 'DROP')).map(([s, d, p, target]) => [s, d, p].filter(Boolean).join(' ') + ` -j ${target}`);

const packetArb = fc.record({
  src: fc.constantFrom('10.0.0.2', '172.16.0.9', '192.168.5.5'),
  dst: fc.oneof(fc.constantFrom(...HOSTS), fc.constantFrom('10.0.0.99', '8.8.8.8')),
  proto: fc.constantFrom('tcp', 'udp', 'sctp', 'icmp'),
  sport: fc.constantFrom(40000, 1234),
  dport: fc.oneof(fc.constantFrom(...PORTS), fc.integer({ min: 1, max: 65535 })),
});

function chainOf(ruleset: Ruleset, table: string, name: string): Chain {
  const chain = ruleset.tables.find((t) => t.name === table)?.chains.get(name);
  assert.ok(chain, `chain ${table} ${name}`);
  return chain;
}

/** Linear reference: can `rule` match `packet`? (`undecided` counts as maybe.) */
function mayMatch(rule: Rule, packet: Packet, family: Ruleset['family']): 'yes' | 'no' | 'maybe' {
  if (rule.broken) return 'no';
  if (!compileRule(rule, family).generic(packet)) return 'no';
  let maybe = false;
  for (const match of rule.matches) {
    const spec = match.known ? findMatch(match.module, family) : undefined;
    if (!spec?.evaluate) {
      maybe = true;
      continue;
    }
    const outcome = spec.evaluate(match, { packet, node: { localAddresses: [], localAddressesSource: 'none' }, position: { hook: 'INPUT', table: 'filter', chain: rule.chain }, rule });
    if (outcome === false) return 'no';
    if (outcome !== true) maybe = true;
  }
  return maybe ? 'maybe' : 'yes';
}

test('dispatch index: nextCandidate visits every rule a linear scan may match, in order', () => {
  let skippedByIndex = 0;
  let matched = 0;
  fc.assert(
    fc.property(fc.array(dispatchRule, { minLength: DISPATCH_MIN_RULES, maxLength: 160 }), fc.array(packetArb, { minLength: 1, maxLength: 8 }), (lines, packets) => {
      const text = `*filter\n:INPUT DROP [0:0]\n:T - [0:0]\n-A INPUT -j T\n${lines.map((l) => `-A T ${l}`).join('\n')}\nCOMMIT\n`;
      const ruleset = parseRuleset(text);
      const chain = chainOf(ruleset, 'filter', 'T');
      assert.equal(chain.rules.length, lines.length);
      const dispatch = buildDispatch(chain, ruleset.family, (r) => compileRule(r, ruleset.family));
      for (const request of packets) {
        const packet = packetFromRequest({ ...request, inIface: 'eth0' }, ruleset.family);
        const linear = chain.rules.map((r, i) => ({ i, m: mayMatch(r, packet, ruleset.family) })).filter((x) => x.m !== 'no');
        const visited: number[] = [];
        for (let from = 0; from < chain.rules.length; ) {
          const next = dispatch.nextCandidate(from, packet);
          assert.ok(next >= from, `nextCandidate(${from}) went back to ${next}`);
          if (next >= chain.rules.length) break;
          visited.push(next);
          from = next + 1;
        }
        skippedByIndex += chain.rules.length - visited.length;
        matched += linear.length;
        const skipped = linear.filter((x) => !visited.includes(x.i));
        assert.deepEqual(skipped, [], `rules the index skips but a linear scan matches, packet ${JSON.stringify(request)}:\n${skipped.map((x) => `#${x.i + 1} ${lines[x.i]}`).join('\n')}`);
        // and the matching rules found through the index are exactly the linear ones
        assert.deepEqual(
          visited.filter((i) => mayMatch(chain.rules[i], packet, ruleset.family) !== 'no'),
          linear.map((x) => x.i),
        );
      }
    }),
    { seed: SEED, numRuns: RUNS },
  );
  // not vacuous: the index did skip rules, and rules did match
  assert.ok(skippedByIndex > RUNS * 10 && matched > RUNS, `index skipped ${skippedByIndex} rules, ${matched} matched`);
});

test('dispatch index: a trace through a long chain stops at the first rule a linear scan matches', () => {
  fc.assert(
    fc.property(fc.array(dispatchRule, { minLength: DISPATCH_MIN_RULES, maxLength: 120 }), packetArb, (lines, request) => {
      // (the node's own address arriving as a source is a martian: routing drops it before INPUT)
      fc.pre(request.src !== request.dst);
      const text = `*filter\n:INPUT DROP [0:0]\n:T - [0:0]\n-A INPUT -j T\n${lines.map((l) => `-A T ${l}`).join('\n')}\nCOMMIT\n`;
      const ruleset = parseRuleset(text);
      const chain = chainOf(ruleset, 'filter', 'T');
      const packet = packetFromRequest({ ...request, inIface: 'eth0' }, ruleset.family);
      const first = chain.rules.findIndex((r) => mayMatch(r, packet, ruleset.family) !== 'no');
      const result = tracePacket(ruleset, { ...request, inIface: 'eth0', localAddresses: [request.dst] });
      for (const path of result.paths) {
        const inT = path.steps.filter((s) => s.chain === 'T' && s.kind === 'rule');
        if (first < 0) assert.deepEqual(inT, [], 'no rule of T matches linearly');
        // (compared by line: the step's number is the kernel's, which counts `-d a,b` as two rules)
        else assert.equal(inT[0]?.line, chain.rules[first].line + 1, `first matching rule of T: linear #${first + 1} (${lines[first]}), trace ${JSON.stringify(inT[0])}`);
      }
    }),
    { seed: SEED + 1, numRuns: RUNS },
  );
});

// ---------------------------------------------------------------- shadowing: index vs naive
const CIDRS = ['', '', '10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3/32', '10.1.2.4/32', '192.168.0.0/16', '0.0.0.0/0', '10.1.2.0/25', '10.1.2.128/25'];
const shadowRule = fc
  .tuple(
    fc.constantFrom(...CIDRS),
    fc.constantFrom(...CIDRS),
    fc.boolean(),
    fc.constantFrom('', '', '-p tcp', '-p udp', '-p tcp -m tcp --dport 80', '-p tcp -m tcp --dport 22', '-p tcp -m tcp --dport 1:1024', '-p udp -m udp --dport 53', '-p tcp -m multiport --dports 22,80', '! -p tcp'),
    fc.constantFrom('', '', '', '-i eth0', '-i eth+', '! -i lo', '-m conntrack --ctstate NEW', '-m conntrack --ctstate RELATED,ESTABLISHED', '-m mark --mark 0x1/0x1', '-m statistic --mode random --probability 0.5', '-m comment --comment "x y"'),
    fc.constantFrom('ACCEPT', 'ACCEPT', 'DROP', 'RETURN', 'LOG', 'MARK --set-xmark 0x1/0x1', 'SUB'),
  )
  .map(([s, d, negateD, l4spec, extra, target]) => [s && `-s ${s}`, d && `${negateD ? '! ' : ''}-d ${d}`, l4spec, extra, `-j ${target}`].filter(Boolean).join(' '));

/** Naive reference of checkReachability: for each rule, the earliest earlier terminal rule that contains it. */
function naiveShadowing(ruleset: Ruleset, chain: Chain): Array<[number, number]> {
  const table = ruleset.tables.find((t) => t.name === chain.table)!;
  const context = createContext(ruleset);
  const facts = context.table(table);
  const rules = chain.rules;
  const pairs: Array<[number, number]> = [];
  let stopped = false;
  for (let j = 0; j < rules.length; j++) {
    const rule = rules[j];
    if (!context.usable(rule)) continue;
    if (stopped) continue; // reported as unreachable, not shadowed
    for (let i = 0; i < j; i++) {
      const earlier = rules[i];
      if (!context.usable(earlier) || !facts.terminal(earlier)) continue;
      const shape = context.shape(earlier);
      if (shape.stateful || shape.empty || isUniversal(shape)) continue;
      // nothing between them may have changed what the earlier rule reads
      let changed = false;
      for (let k = i + 1; k < j && !changed; k++) {
        if (!context.usable(rules[k]) || facts.terminal(rules[k])) continue;
        const writes = facts.writes(rules[k]);
        changed = writes === 'all' || [...shape.reads].some((f: Field) => writes.has(f));
      }
      if (changed) continue;
      if (shapeSubsumes(shape, context.shape(rule), ruleset.family)) {
        pairs.push([rule.line, earlier.line]);
        break;
      }
    }
    if (facts.terminal(rule) && isUniversal(context.shape(rule)) && j < rules.length - 1) stopped = true;
  }
  return pairs;
}

test('shadowing index: the reported (shadowed, shadowing) pairs equal a naive pairwise check', () => {
  let pairs = 0;
  fc.assert(
    fc.property(fc.array(shadowRule, { minLength: 2, maxLength: 40 }), (lines) => {
      const text = `*filter\n:INPUT ACCEPT [0:0]\n:SUB - [0:0]\n${lines.map((l) => `-A INPUT ${l}`).join('\n')}\n-A SUB -j DROP\nCOMMIT\n`;
      const ruleset = parseRuleset(text);
      const chain = chainOf(ruleset, 'filter', 'INPUT');
      const lineOf = (offset: number) => ruleset.lineStarts.filter((s) => s <= offset).length - 1;
      const reported = analyzeRuleset(ruleset)
        .filter((p) => p.code === 'reach/shadowed')
        .map((p) => [lineOf(p.span.start), lineOf(p.related![0].span.start)] as [number, number]);
      const naive = naiveShadowing(ruleset, chain);
      pairs += naive.length;
      const show = (pairs: Array<[number, number]>) => pairs.map(([a, b]) => `line ${a + 1} shadowed by line ${b + 1}`).join('; ');
      assert.deepEqual(reported, naive, `index: ${show(reported)}\nnaive: ${show(naive)}\n${text}`);
    }),
    { seed: SEED + 2, numRuns: RUNS },
  );
  assert.ok(pairs > RUNS / 2, `only ${pairs} shadowed rules in ${RUNS} chains: the generator no longer exercises the index`);
});

// ---------------------------------------------------------------- navigation index

const NAV_CHAINS = ['A', 'B', 'KUBE-SVC-X', 'KUBE-MARK-MASQ', 'KUBE-SEP-AVE2LRPBNW6AJSYV'];
const navTarget = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NAV_CHAINS).map((c) => `-j ${c}`) },
  { weight: 1, arbitrary: fc.constantFrom(...NAV_CHAINS).map((c) => `-g ${c}`) },
  { weight: 2, arbitrary: fc.constantFrom('-j ACCEPT', '-j DROP', '-j RETURN', '') },
);
const navRule = fc.tuple(fc.constantFrom('INPUT', 'FORWARD', ...NAV_CHAINS), fc.constantFrom('', '-p tcp --dport 80 ', '-s 10.0.0.0/8 '), navTarget).map(([chain, match, target]) => `-A ${chain} ${match}${target}`.trimEnd());
/** A filter table whose rules of different chains are interleaved (so the walk order is not the source order), sometimes with -N / -P commands. */
const navDumpWith = (commands: fc.Arbitrary<boolean>) => fc.tuple(fc.array(navRule, { minLength: 1, maxLength: 30 }), commands, fc.array(fc.constantFrom('# a comment', ''), { maxLength: 3 })).map(([rules, commands, noise]) => {
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ...NAV_CHAINS.filter((c) => c !== 'A').map((c) => `:${c} - [0:0]`)];
  if (commands) lines.push('-N A', '-P FORWARD ACCEPT');
  else lines.push(':A - [0:0]');
  lines.push(...noise, ...rules, 'COMMIT', '');
  return lines.join('\n');
});
const navDump = navDumpWith(fc.boolean());

const showOccurrence = (o: ChainOccurrence) => `${o.kind}@${o.span.start}-${o.span.end} line ${o.line}${o.rule ? ` rule line ${o.rule.line}` : ''}${o.command ? ` command ${o.command.command}` : ''}`;

/** The plain walk the index replaces: every chain name over the model, sorted by offset. */
function plainOccurrences(doc: IdeDocument, tableName: string, name: string): string[] {
  const table = doc.ruleset.tables.find((t) => t.name === tableName)!;
  const found: ChainOccurrence[] = [];
  const lineOf = (offset: number) => doc.ruleset.lineStarts.filter((s) => s <= offset).length - 1;
  for (const chain of table.chains.values()) {
    if (chain.name === name && chain.declSpan && chain.nameSpan && doc.text[chain.declSpan.start] === ':') found.push({ kind: 'declaration', span: chain.nameSpan, line: lineOf(chain.declSpan.start) });
    for (const rule of chain.rules) {
      if (rule.chain === name) found.push({ kind: 'rule-chain', span: { start: rule.chainToken.start, end: rule.chainToken.end }, line: rule.line, rule });
      if (rule.target?.kind === 'chain' && rule.target.name === name) found.push({ kind: rule.target.goto ? 'goto' : 'jump', span: { start: rule.target.token.start, end: rule.target.token.end }, line: rule.line, rule });
    }
  }
  for (const command of doc.ruleset.commands) {
    if (command.chain?.text === name) found.push({ kind: command.command === 'new-chain' ? 'declaration' : 'command', span: { start: command.chain.start, end: command.chain.end }, line: lineOf(command.span.start), command });
  }
  return found.sort((a, b) => a.span.start - b.span.start).map(showOccurrence);
}

/** Everything the index answers, as text. */
function indexAnswers(doc: IdeDocument, index: DocumentIndex): string[] {
  const answers: string[] = [];
  for (const table of doc.ruleset.tables) {
    for (const name of ['INPUT', 'FORWARD', ...NAV_CHAINS, 'NOPE']) {
      answers.push(`${table.name} ${name}: ${index.occurrencesOf(table, name).map(showOccurrence).join(', ')}`);
      answers.push(`${table.name} ${name} callers: ${index.callersOf(table, name).map((r) => r.line).join(', ')}`);
    }
  }
  const chainCount = doc.ruleset.tables.reduce((n, t) => n + t.chains.size, 0);
  answers.push(`kube kinds: ${Array.from({ length: chainCount }, (_, k) => index.kubeKindOfChain(k) ?? '-').join(' ')}; unhashed ${index.unhashedChainCount}`);
  for (let line = 0; line < index.lineCount; line++) {
    const entry = index.lineEntry(line);
    const what = !entry ? '-' : entry.kind === 'rule' ? `rule ${entry.rule.chain} #${entry.rule.position} line ${entry.rule.line}` : entry.kind === 'declaration' ? `declaration ${entry.chain.name}` : entry.kind === 'command' ? `command ${entry.command.command}` : entry.kind;
    answers.push(`line ${line}: ${what} ${entry ? entry.table.name : ''}`);
  }
  return answers;
}

test('navigation index: occurrences, callers and lines equal a plain walk over the model', () => {
  let occurrences = 0;
  fc.assert(
    fc.property(navDump, (text) => {
      const doc = IdeDocument.fromText(text);
      const table = doc.ruleset.tables[0];
      for (const name of ['INPUT', 'FORWARD', ...NAV_CHAINS]) {
        const indexed = doc.index.occurrencesOf(table, name).map(showOccurrence);
        occurrences += indexed.length;
        assert.deepEqual(indexed, plainOccurrences(doc, 'filter', name), `${name} in\n${text}`);
        const plainCallers = [...table.chains.values()].flatMap((c) => c.rules).filter((r) => r.target?.kind === 'chain' && r.target.name === name).map((r) => r.span.start).sort((a, b) => a - b);
        assert.deepEqual(doc.index.callersOf(table, name).map((r) => r.span.start), plainCallers, `callers of ${name} in\n${text}`);
      }
      const walk = doc.ruleset.tables.flatMap((t) => [...t.chains.values()]);
      assert.deepEqual(walk.map((_, k) => doc.index.kubeKindOfChain(k)), walk.map((c) => kubeChainKind(c.name)), `kube kinds in\n${text}`);
      assert.equal(doc.index.unhashedChainCount, walk.filter((c) => !kubeChainKind(c.name)).length);
      doc.ruleset.lineStarts.forEach((start, line) => {
        const entry = doc.index.lineEntry(line);
        const rule = [...table.chains.values()].flatMap((c) => c.rules).find((r) => r.line === line);
        if (rule) assert.equal(entry?.kind === 'rule' && entry.rule, rule, `line ${line}`);
        else if (text.startsWith(':', start)) assert.equal(entry?.kind, 'declaration', `line ${line}`);
        else if (text.startsWith('-N', start) || text.startsWith('-P', start)) assert.equal(entry?.kind, 'command', `line ${line}`);
        else if (text.startsWith('*', start)) assert.equal(entry?.kind, 'header');
        else if (text.startsWith('COMMIT', start)) assert.equal(entry?.kind, 'commit');
        else assert.equal(entry, undefined, `line ${line}`);
      });
    }),
    { seed: SEED + 3, numRuns: RUNS },
  );
  assert.ok(occurrences > RUNS * 5, `only ${occurrences} occurrences in ${RUNS} dumps`);
});

test('navigation index: a version re-read after a one-line edit answers as an index built from scratch', () => {
  let rebased = 0;
  // Edits a user makes inside a rule line that keep its chain and its jump.
  const edits: Array<[string, string]> = [[' -j', ' -p udp -j'], ['--dport 80', '--dport 8080'], ['-s 10.0.0.0/8', '-s 10.1.0.0/16'], ['-j ACCEPT', '-j DROP'], ['-j RETURN', '-m comment --comment "back" -j RETURN']];
  fc.assert(
    fc.property(navDumpWith(fc.constant(false)), fc.nat(), fc.nat(), (text, pickLine, pickEdit) => {
      const before = IdeDocument.fromText(text);
      void before.index; // complete: its numbers can be shared
      const ruleLines = before.ruleset.lineStarts.filter((start) => text.startsWith('-A ', start));
      const start = ruleLines[pickLine % ruleLines.length];
      const line = text.slice(start, text.indexOf('\n', start));
      const applicable = edits.filter(([from]) => line.includes(from));
      if (!applicable.length) return;
      const [from, to] = applicable[pickEdit % applicable.length];
      const at = start + line.indexOf(from);
      const edited = text.slice(0, at) + to + text.slice(at + from.length);
      const reread = reparseAfterLineEdit(before.ruleset, edited);
      if (!reread) return;
      rebased++;
      const shared = new IdeDocument(reread, undefined, before);
      const fresh = IdeDocument.fromText(edited);
      assert.deepEqual(indexAnswers(shared, shared.index), indexAnswers(fresh, fresh.index), `${from} → ${to} at ${at} in\n${text}`);
    }),
    { seed: SEED + 4, numRuns: RUNS },
  );
  assert.ok(rebased > RUNS / 3, `only ${rebased} of ${RUNS} edits were re-read: the test no longer exercises the shared layout`);
});

/** The folding ranges of a plain walk over the model: runs of `:` lines, and of rules of one table's chain. */
function plainFoldingRanges(doc: IdeDocument): string[] {
  const lineOf = (offset: number) => doc.ruleset.lineStarts.filter((s) => s <= offset).length - 1;
  const ranges: string[] = [];
  const keys = new Map<number, string>();
  for (const table of doc.ruleset.tables) {
    const first = lineOf(table.headerSpan.start);
    const last = lineOf(table.commitSpan?.start ?? table.span.end);
    if (last > first) ranges.push(`${first}-${last} table`);
    for (const chain of table.chains.values()) {
      if (chain.declSpan && doc.text[chain.declSpan.start] === ':') keys.set(lineOf(chain.declSpan.start), ':');
      for (const rule of chain.rules) keys.set(rule.line, `${table.name} ${chain.name}`);
    }
  }
  for (let line = 0; line < doc.ruleset.lineStarts.length; ) {
    const key = keys.get(line);
    let end = line;
    while (key !== undefined && keys.get(end + 1) === key) end++;
    if (key !== undefined && end > line) ranges.push(`${line}-${end} ${key === ':' ? 'chain-declarations' : 'chain-rules'}`);
    line = end + 1;
  }
  return ranges.sort((a, b) => parseInt(a) - parseInt(b) || parseInt(b.split('-')[1]) - parseInt(a.split('-')[1]));
}

test('folding ranges from the navigation index equal a plain walk over the model', () => {
  let runs = 0;
  // Two tables, so that a chain of the same name in each is two runs.
  const twoTables = fc.tuple(navDump, navDump).map(([a, b]) => a + b.replace('*filter', '*mangle').replace(':FORWARD DROP', ':FORWARD ACCEPT'));
  fc.assert(
    fc.property(twoTables, (text) => {
      const doc = IdeDocument.fromText(text);
      const folded = foldingRanges(doc).map((r) => `${r.startLine}-${r.endLine} ${r.kind}`);
      runs += folded.filter((r) => r.endsWith('chain-rules')).length;
      assert.deepEqual(folded, plainFoldingRanges(doc), text);
    }),
    { seed: SEED + 5, numRuns: RUNS },
  );
  assert.ok(runs > RUNS / 2, `only ${runs} runs of rules in ${RUNS} dumps`);
});

// ---------------------------------------------------------------- address index

const ADDRESS_POOL = ['10.244.1.1', '10.96.0.10', '10.244.160.2', '172.18.0.3', '10.245.0.0/16'];

test('address index: a version re-read after one-line edits (one after another) answers as an index built from scratch', () => {
  let overlays = 0;
  const edit = fc.record({ pickLine: fc.nat(), pickAddress: fc.nat(), replacement: fc.constantFrom(...ADDRESS_POOL), comment: fc.boolean() });
  fc.assert(
    fc.property(fc.integer({ min: 3, max: 7 }), fc.integer({ min: 1, max: 1000 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (services, seed, edits) => {
      let text = generateKubeDump({ services, endpointsPerService: 2, seed });
      let doc = IdeDocument.fromText(text);
      void doc.addresses; // complete: what it learned can be shared
      for (const { pickLine, pickAddress, replacement, comment } of edits) {
        const ruleLines = doc.ruleset.lineStarts.filter((start) => text.startsWith('-A ', start) && /\d+\.\d+\.\d+\.\d+/.test(text.slice(start, text.indexOf('\n', start))));
        const start = ruleLines[pickLine % ruleLines.length];
        const line = text.slice(start, text.indexOf('\n', start));
        let at: number;
        let from: string;
        let to: string;
        const quoted = /--comment "([^"]*)"/.exec(line);
        if (comment && quoted) {
          [from, to] = [quoted[1], quoted[1].includes(' cluster IP') ? quoted[1].replace(' cluster IP', ' external IP') : `${quoted[1]} cluster IP`];
          at = start + quoted.index + '--comment "'.length;
        } else {
          const addresses = [...line.matchAll(/\d+\.\d+\.\d+\.\d+(\/\d+)?/g)];
          const chosen = addresses[pickAddress % addresses.length];
          [from, to, at] = [chosen[0], replacement, start + chosen.index!];
        }
        const edited = text.slice(0, at) + to + text.slice(at + from.length);
        const reread = reparseAfterLineEdit(doc.ruleset, edited);
        const next = reread ? new IdeDocument(reread, undefined, doc) : IdeDocument.fromText(edited);
        const fresh = IdeDocument.fromText(edited);
        const asked = new Set([...ADDRESS_POOL, ...(edited.match(/\d+\.\d+\.\d+\.\d+(\/\d+)?(:\d+)?/g) ?? [])]);
        for (const address of asked) {
          assert.deepEqual(next.addresses.factsAbout(address), fresh.addresses.factsAbout(address), `facts about ${address} after ${from} → ${to}`);
          assert.deepEqual(next.addresses.usesOf(address), fresh.addresses.usesOf(address), `uses of ${address} after ${from} → ${to}`);
        }
        if (reread) overlays++;
        [text, doc] = [edited, next];
      }
    }),
    { seed: SEED + 5, numRuns: 60 },
  );
  assert.ok(overlays > 60, `only ${overlays} re-read versions: the test no longer exercises the shared facts`);
});

// ---------------------------------------------------------------- mark index

test('mark index: a version re-read after one-line edits (one after another) answers as an index built from scratch', () => {
  let overlays = 0;
  let markEdits = 0;
  const ops: MarkOperation[] = [0x4000, 0x8000, 0x1].flatMap((bits) => [
    { kind: 'test', field: 'nfmark', value: bits, mask: bits, negated: false } as const,
    { kind: 'write', field: 'ctmark', value: bits, mask: bits } as const,
  ]);
  const show = (doc: IdeDocument) => ops.map((op) => doc.marks.related(op).map((use) => `${use.rule.line}:${use.option.name}=${use.option.args.map((a) => a.text).join(' ')}`).join(', '));
  const edit = fc.record({ pickLine: fc.nat(), mark: fc.boolean(), to: fc.constantFrom('0x8000', '0x1', '0x4000') });
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 1000 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (services, seed, edits) => {
      let text = generateKubeDump({ services, endpointsPerService: 2, seed });
      let doc = IdeDocument.fromText(text);
      void doc.marks; // complete: its entries can be shared
      for (const { pickLine, mark, to } of edits) {
        // A mark value in a mark rule, or a port elsewhere (the mark index keeps its entries).
        const pattern = mark ? /0x[0-9a-f]+/ : /--dport \d+/;
        const starts = doc.ruleset.lineStarts.filter((start) => text.startsWith('-A ', start) && pattern.test(text.slice(start, text.indexOf('\n', start))));
        if (!starts.length) continue;
        const start = starts[pickLine % starts.length];
        const found = pattern.exec(text.slice(start, text.indexOf('\n', start)))!;
        const replacement = mark ? to : '--dport 1234';
        const edited = text.slice(0, start + found.index) + replacement + text.slice(start + found.index + found[0].length);
        const reread = reparseAfterLineEdit(doc.ruleset, edited);
        const next = reread ? new IdeDocument(reread, undefined, doc) : IdeDocument.fromText(edited);
        assert.deepEqual(show(next), show(IdeDocument.fromText(edited)), `after ${found[0]} → ${replacement}`);
        if (reread) overlays++;
        if (reread && mark) markEdits++;
        [text, doc] = [edited, next];
      }
    }),
    { seed: SEED + 6, numRuns: 60 },
  );
  assert.ok(overlays > 40 && markEdits > 10, `only ${overlays} re-read versions (${markEdits} of a mark): the test no longer exercises the shared entries`);
});
