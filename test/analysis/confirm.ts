// Confirms a reach/* finding with the simulator: packets built from the flagged rule's own
// criteria (packetsForRule) are traced through its chain, run as the entry chain of a hook.
// Control: with the flagged rule alone in the chain, some packet must reach it (otherwise the
// confirmation proves nothing). Then, with the whole chain, no packet may reach it.

import { BUILTIN_CHAINS, type Chain, type Rule, type Ruleset, type Table } from '../../server/src/netfilter/model';
import { formatAddress, packetsForRule } from '../../server/src/netfilter/analysis/packet-for-rule';
import { intervalMax, ruleShape } from '../../server/src/netfilter/analysis/constraints';
import { tracePacket, type Hook, type TraceRequest } from '../../server/src/netfilter/trace/simulate';
import { negateAssumption } from '../../server/src/netfilter/extensions/common';
import { formatMac } from '../../server/src/netfilter/extensions/matches/mac';

export type Confirmation = { ok: true } | { ok: false; reason: string };

function hookFor(table: Table, chain: Chain, rule: Rule, family: Ruleset['family']): Hook {
  if (chain.builtin) return chain.name as Hook;
  const hooks = BUILTIN_CHAINS[table.name as keyof typeof BUILTIN_CHAINS] ?? [];
  const shape = ruleShape(rule, family);
  const needsIn = shape.interfaces.some((i) => i.dir === 'in');
  const needsOut = shape.interfaces.some((i) => i.dir === 'out');
  const prefer: Hook[] = needsIn && needsOut ? ['FORWARD'] : needsOut ? ['FORWARD', 'POSTROUTING', 'OUTPUT'] : ['FORWARD', 'PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'];
  return (prefer.find((h) => hooks.includes(h)) ?? hooks[0]) as Hook;
}

/** A copy of the ruleset with only `table`, whose `hook` chain runs `rules` and whose other built-in chains are empty. */
function withEntryChain(ruleset: Ruleset, table: Table, hook: Hook, rules: Rule[]): Ruleset {
  const chains = new Map<string, Chain>();
  for (const [name, chain] of table.chains) chains.set(name, chain.builtin ? { ...chain, rules: [], declSpan: undefined } : chain);
  chains.set(hook, { name: hook, table: table.name, builtin: true, policy: 'ACCEPT', declSpan: { start: 0, end: 0 }, rules });
  return { ...ruleset, tables: [{ ...table, chains }] };
}

function reaches(ruleset: Ruleset, request: TraceRequest, rule: Rule): boolean {
  const result = tracePacket(ruleset, request);
  for (const path of result.paths) {
    // A path keeps what it assumed about one fact (the sending process, an address being local …),
    // but stateful matches (recent, limit) fork afresh each time: skip paths that assumed both ways.
    const assumed = new Set(path.assumptions);
    if (path.assumptions.some((a) => assumed.has(negateAssumption(a)))) continue;
    if (path.steps.some((s) => s.kind === 'rule' && s.table === rule.table && s.line === rule.line + 1)) return true;
  }
  return false;
}

export function confirmNeverReached(ruleset: Ruleset, rule: Rule): Confirmation {
  const table = ruleset.tables.find((t) => t.name === rule.table);
  const chain = table?.chains.get(rule.chain);
  if (!table || !chain) return { ok: false, reason: 'chain not found' };
  const hook = hookFor(table, chain, rule, ruleset.family);
  const requests = packetsForRule(rule, ruleset.family).map((r) => ({
    ...r,
    startHook: hook,
    fromLocal: hook === 'OUTPUT',
    localAddresses: ['203.0.113.250'],
    inIface: hook === 'OUTPUT' ? undefined : r.inIface ?? 'eth0',
    outIface: r.outIface ?? (hook === 'PREROUTING' || hook === 'INPUT' ? undefined : 'eth1'),
  }));
  if (requests.length === 0) return { ok: false, reason: 'no packet satisfies the rule' };
  const alone = withEntryChain(ruleset, table, hook, [rule]);
  const whole = withEntryChain(ruleset, table, hook, chain.rules);
  let controlled = false;
  for (const request of requests) {
    if (!reaches(alone, request, rule)) continue;
    controlled = true;
    if (reaches(whole, request, rule)) return { ok: false, reason: `packet ${JSON.stringify(request)} reaches line ${rule.line + 1} through ${hook}` };
  }
  return controlled ? { ok: true } : { ok: false, reason: `no generated packet matches line ${rule.line + 1} even alone (${JSON.stringify(requests[0])})` };
}

/**
 * reach/martian-source: packets built from the flagged rule, arriving from another host for one of
 * the node's addresses, are dropped before INPUT (no step in INPUT at all), while the same packets
 * from a unicast source do reach INPUT (the control).
 */
export function confirmMartianSource(ruleset: Ruleset, rule: Rule): Confirmation {
  const node = ruleset.family === 'ipv4' ? '203.0.113.250' : '2001:db8::250';
  const requests = packetsForRule(rule, ruleset.family).map((r) => ({ ...r, dst: node, localAddresses: [node], inIface: r.inIface ?? 'eth0', outIface: undefined }));
  if (requests.length === 0) return { ok: false, reason: 'no packet satisfies the rule' };
  const unicast = ruleset.family === 'ipv4' ? '192.0.2.1' : '2001:db8::1';
  if (!requests.some((request) => tracePacket(ruleset, { ...request, src: unicast }).paths.some((p) => p.steps.some((s) => s.hook === 'INPUT')))) {
    return { ok: false, reason: `control: no packet from ${unicast} reaches INPUT` };
  }
  for (const request of requests) {
    const result = tracePacket(ruleset, request);
    if (result.paths.some((p) => p.steps.some((s) => s.hook === 'INPUT'))) return { ok: false, reason: `packet ${JSON.stringify(request)} reaches INPUT` };
  }
  return { ok: true };
}

/** `rule` without the constraint written at `span` (an option, or a whole match). */
function without(rule: Rule, span: { start: number; end: number }): Rule {
  const criteria: Record<string, unknown> = {};
  const c = rule.criteria;
  for (const [key, option] of [['protocol', c.protocol], ['source', c.source], ['destination', c.destination], ['inInterface', c.inInterface], ['outInterface', c.outInterface], ['fragment', c.fragment]] as const) if (option) criteria[key] = option;
  for (const [key, option] of Object.entries(criteria)) if ((option as { span?: { start: number } } | undefined)?.span?.start === span.start) delete criteria[key];
  const matches = rule.matches
    .filter((m) => !(m.span.start === span.start && m.span.end === span.end))
    .map((m) => withOptions(m, m.options.filter((o) => o.span.start !== span.start)));
  return copyRule(rule, criteria as Rule['criteria'], rule.genericOptions.filter((o) => o.span.start !== span.start), matches);
}

/**
 * Packets at the edges of every constraint of `rule`: for each field a constraint tests, the ends of
 * each constraint's own range and the values just outside them (addresses, ports, protocol, ICMP
 * type), every conntrack state, TCP flag sets, marks built from the tested bits, the interfaces
 * named; every combination of those, up to `limit`. A rule some packet matches is matched by one of
 * them when its constraints are ranges, bits and names (what constraints.ts models).
 */
function edgePackets(rule: Rule, family: Ruleset['family'], limit = 4096): TraceRequest[] {
  const constraints = [...rule.genericOptions.map((o) => o.span), ...rule.matches.flatMap((m) => [m.span, ...m.options.map((o) => o.span)])];
  const shapes = constraints.map((span) => ruleShape(only(rule, span), family));
  const values = new Map<string, Set<bigint | number | string>>();
  const add = (field: string, value: bigint | number | string) => (values.get(field) ?? values.set(field, new Set()).get(field)!).add(value);
  for (const shape of shapes) {
    for (const [dim, set] of shape.intervals) {
      // (a MAC's top value stands for "no Ethernet source": no frame to send)
      const max = dim === 'mac' ? intervalMax(dim, family) - 1n : intervalMax(dim, family);
      for (const [lo, hi] of set) for (const v of [lo, hi, lo - 1n, hi + 1n]) if (v >= 0n && v <= max) add(dim, v);
    }
    // address types: the node's own address (LOCAL) besides the others
    for (const [dim, field] of [['srctype', 'src'], ['dsttype', 'dst']] as const) if (shape.bits.has(dim) && family === 'ipv4') for (const v of [LOCAL_ADDRESS_VALUE, field === 'src' ? DEFAULT_SRC : DEFAULT_DST]) add(field, v);
    if (shape.bits.has('ctstate')) for (const state of ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED']) add('ctstate', state);
    const flags = shape.bits.get('tcpflags');
    // (every flag set the test allows, and a few it does not)
    if (flags !== undefined) for (let f = 0; f < 64; f++) if (((flags >> BigInt(f)) & 1n) === 1n || f % 9 === 0) add('tcpflags', f);
    for (const m of shape.marks) if (m.field !== 'tos') for (const v of [m.value, m.value ^ m.mask, 0]) add(m.field, v >>> 0);
    for (const i of shape.interfaces) add(i.dir, i.wildcard ? i.name + '0' : i.name);
    // (the packets a trace can carry: any TOS byte — DSCP and ECN —, unicast, broadcast or multicast)
    for (const m of shape.marks) if (m.field === 'tos') for (const v of [m.value, m.value ^ m.mask, 0]) add('tos', (v >>> 0) & 0xff);
    if (shape.bits.has('pkttype')) for (const type of ['unicast', 'broadcast', 'multicast']) add('pkttype', type);
  }
  // marks: every union of the values the tests want, so that two tests of different bits can hold together
  for (const field of ['mark', 'ctmark', 'tos']) {
    const seen = [...(values.get(field) ?? [])] as number[];
    for (const a of seen) for (const b of seen) add(field, (a | b) >>> 0);
  }
  let packets: Array<Record<string, bigint | number | string>> = [{}];
  for (const [field, set] of values) {
    const next: typeof packets = [];
    for (const packet of packets) for (const v of set) next.push({ ...packet, [field]: v });
    packets = next.length > limit ? next.slice(0, limit) : next;
  }
  return packets.map((p) => {
    const proto = p.proto !== undefined ? Number(p.proto) : 6;
    const request: TraceRequest = {
      src: formatAddress((p.src as bigint | undefined) ?? (family === 'ipv6' ? 0x20010db8000000000000000000000010n : DEFAULT_SRC), family),
      dst: formatAddress((p.dst as bigint | undefined) ?? (family === 'ipv6' ? 0x20010db8000000000000000000000020n : DEFAULT_DST), family),
      proto,
    };
    if (proto === 6 || proto === 17 || proto === 132) Object.assign(request, { sport: Number(p.sport ?? 40000n), dport: Number(p.dport ?? 80n) });
    if (p.icmp !== undefined) Object.assign(request, { icmpType: Number(p.icmp as bigint) >> 8, icmpCode: Number(p.icmp as bigint) & 255 });
    if (proto === 6) request.tcpFlags = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'].filter((_, bit) => ((p.tcpflags as number | undefined) ?? 2) & (1 << bit));
    if (p.ctstate !== undefined) request.ctstate = p.ctstate as TraceRequest['ctstate'];
    if (p.ttl !== undefined) request.ttl = Number(p.ttl as bigint);
    if (p.length !== undefined) request.length = Number(p.length as bigint);
    if (p.mark !== undefined) request.mark = p.mark as number;
    if (p.ctmark !== undefined) request.ctmark = p.ctmark as number;
    if (p.tos !== undefined) Object.assign(request, { dscp: (p.tos as number) >>> 2, ecn: (p.tos as number) & 3 });
    if (p.pkttype !== undefined) request.pkttype = p.pkttype as TraceRequest['pkttype'];
    if (p.mac !== undefined) request.mac = formatMac(p.mac as bigint);
    if (p.in !== undefined) request.inIface = p.in as string;
    if (p.out !== undefined) request.outIface = p.out as string;
    return request;
  });
}

/** The node address the confirmations trace with (203.0.113.250), as a number. */
const LOCAL_ADDRESS = '203.0.113.250';
const LOCAL_ADDRESS_VALUE = 0xcb0071fan;
/** 192.0.2.10 and 198.51.100.20, as packetsForRule picks them */
const DEFAULT_SRC = 0xc000020an;
const DEFAULT_DST = 0xc6336414n;

/** `rule` with only the constraint written at `span` (an option, or a match without its options). */
function only(rule: Rule, span: { start: number; end: number }): Rule {
  const keep = (o: { span: { start: number } }) => o.span.start === span.start;
  const criteria: Record<string, unknown> = {};
  const c = rule.criteria;
  for (const [key, option] of [['protocol', c.protocol], ['source', c.source], ['destination', c.destination], ['inInterface', c.inInterface], ['outInterface', c.outInterface], ['fragment', c.fragment]] as const) if (option && keep(option)) criteria[key] = option;
  const matches = rule.matches
    .map((m) => withOptions(m, m.span.start === span.start && m.span.end === span.end ? [] : m.options.filter(keep)))
    .filter((m) => m.options.length > 0 || (m.span.start === span.start && m.span.end === span.end));
  return copyRule(rule, criteria as Rule['criteria'], rule.genericOptions.filter(keep), matches);
}

function withOptions(m: Rule['matches'][number], options: Rule['matches'][number]['options']): Rule['matches'][number] {
  return { module: m.module, moduleToken: m.moduleToken, flagToken: m.flagToken, implicit: m.implicit, options, span: m.span, known: m.known };
}

function copyRule(rule: Rule, criteria: Rule['criteria'], genericOptions: Rule['genericOptions'], matches: Rule['matches']): Rule {
  // (field by field: a rule read from the parser's rows has its parts as getters, which a spread misses)
  const { table, chain, position, command, line, commandToken, chainToken, counters, target, broken, otherFamily } = rule;
  return { table, chain, position, command, span: rule.span, line, commandToken, chainToken, counters, target, broken, otherFamily, criteria, genericOptions, matches };
}

/**
 * Confirms reach/never-matches with the simulator: edgePackets() of the rule — every combination of
 * the edges of its constraints — traced with the rule alone in its chain; none may match it.
 * Control: for each constraint the finding names whose removal leaves packets, the rule without it
 * matches one of them (so the packets do reach the rule's other tests); there must be one such.
 */
export function confirmNeverMatches(ruleset: Ruleset, rule: Rule, sources: ReadonlyArray<{ span: { start: number; end: number } }>): Confirmation {
  const table = ruleset.tables.find((t) => t.name === rule.table);
  const chain = table?.chains.get(rule.chain);
  if (!table || !chain) return { ok: false, reason: 'chain not found' };
  if (sources.length === 0) return { ok: false, reason: 'the finding names no constraint' };
  const hook = hookFor(table, chain, rule, ruleset.family);
  const requests = edgePackets(rule, ruleset.family).map((r) => ({
    ...r,
    startHook: hook,
    fromLocal: hook === 'OUTPUT',
    localAddresses: [LOCAL_ADDRESS],
    inIface: hook === 'OUTPUT' ? undefined : r.inIface ?? 'eth0',
    outIface: r.outIface ?? (hook === 'PREROUTING' || hook === 'INPUT' ? undefined : 'eth1'),
  }));
  const alone = withEntryChain(ruleset, table, hook, [rule]);
  for (const request of requests) if (reaches(alone, request, rule)) return { ok: false, reason: `packet ${JSON.stringify(request)} matches line ${rule.line + 1}` };
  let controls = 0;
  for (const source of sources) {
    const relaxed = without(rule, source.span);
    // (a rule still empty without it — the others contradict each other too — or one that needs a
    // fragment, which the simulator never traces, is no control)
    if (ruleShape(relaxed, ruleset.family).empty || (relaxed.criteria.fragment && !relaxed.criteria.fragment.negated)) continue;
    controls++;
    const relaxedAlone = withEntryChain(ruleset, table, hook, [relaxed]);
    if (!requests.some((request) => reaches(relaxedAlone, request, relaxed))) return { ok: false, reason: `without ${JSON.stringify(source.span)}, no edge packet matches line ${rule.line + 1} either (${requests.length} packets)` };
  }
  return controls > 0 ? { ok: true } : { ok: false, reason: 'no constraint of the finding can be left out to control the packets' };
}

/** The rule whose line starts at `offset`. */
export function ruleAt(ruleset: Ruleset, offset: number): Rule | undefined {
  for (const table of ruleset.tables) for (const chain of table.chains.values()) for (const rule of chain.rules) if (rule.span.start === offset) return rule;
  return undefined;
}
