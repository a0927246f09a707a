// A rule's matches normalized into comparable constraints, so that "is every packet of rule B
// also a packet of rule A?" can be answered exactly where the semantics are known — and answered
// "no" (never guessed) where they are not.
//
// Soundness rules (they keep the shadowing check free of false positives):
//   - the later rule B may be over-approximated: a constraint of B we do not understand is
//     ignored (B only looks bigger, so fewer subsets are found);
//   - the earlier rule A must be under-approximated: a constraint of A we cannot model must
//     appear identically in B (same module, option, negation and arguments) and must be a pure
//     function of the packet (`stateless`); any stateful match (statistic, limit, recent, set,
//     an unknown module …) makes A unable to shadow anything.

import type { Family, MatchUse, OptionUse, Rule, Span } from '../model';
import { protocolNumber } from '../packet';
import { compileCidr } from '../trace/net';
import { complement, intersect, isSubset, isUniverse, single, union, type IntervalSet } from './intervals';
import { ruleOutline } from '../parser';
import type { RuleOutline } from '../rule-templates';
import { ICMP_TYPES, icmpTypeSpec, resolveIcmpType } from '../extensions/matches/icmp';
import { nftTranslatesPortMatch, portOptionsNftDrops } from '../extensions/common';
import { ICMPV6_TYPES } from '../extensions/matches/icmp6';
import { CONNTRACK_STATE_OPTION } from '../extensions/matches/conntrack';
import { STATE_OPTION } from '../extensions/matches/state';
import { dscpOptionValue } from '../extensions/matches/dscp';
import { parseTos } from '../extensions/matches/tos';
import { PKTTYPE_OPTION } from '../extensions/matches/pkttype';
import { macValue } from '../extensions/matches/mac';
import { stringSearch } from '../extensions/matches/string';
import type { OptionSpec } from '../extensions/types';
import { valueWord } from '../values';

/** The kernel's PACKET_* number of each --pkt-type value (libxt_pkttype). */
const PACKET_TYPE_NUMBERS: Record<string, number> = { unicast: 0, broadcast: 1, multicast: 2, otherhost: 3 };
Object.setPrototypeOf(PACKET_TYPE_NUMBERS, null); // keys come from dumps: `constructor` must not find Object's

/** Packet properties a non-terminal target can change between two rules of a chain. */
export type Field = 'mark' | 'ctmark' | 'ct' | 'tos' | 'ttl' | 'tcpopt' | 'packet' | 'set';
export const ALL_FIELDS: readonly Field[] = ['mark', 'ctmark', 'ct', 'tos', 'ttl', 'tcpopt', 'packet', 'set'];

export type IntervalDim = 'src' | 'dst' | 'proto' | 'sport' | 'dport' | 'icmp' | 'ttl' | 'length' | 'mac';
export type BitsDim = 'frag' | 'tcpflags' | 'ctstate' | 'srctype' | 'dsttype' | 'pkttype';

/** `(field & mask) == value`, or its negation: marks, and the TOS / Traffic Class byte (dscp, tos). */
export interface MarkConstraint {
  field: 'mark' | 'ctmark' | 'tos';
  value: number;
  mask: number;
  negated: boolean;
}

export interface InterfaceConstraint {
  dir: 'in' | 'out';
  /** `eth+` is kept as prefix `eth` with `wildcard` */
  name: string;
  wildcard: boolean;
  negated: boolean;
}

export interface RuleShape {
  /** per dimension, the intersection of the rule's constraints; absent = any value */
  intervals: Map<IntervalDim, IntervalSet>;
  /** per dimension, the set of allowed points as a bit mask; absent = any */
  bits: Map<BitsDim, bigint>;
  marks: MarkConstraint[];
  interfaces: InterfaceConstraint[];
  /** constraints we cannot model: compared by identity of their text */
  opaque: Set<string>;
  /** a match whose outcome is not a pure function of the packet (statistic, limit, recent, set …) */
  stateful: boolean;
  /** a match with side effects beyond this rule (recent --set, nfacct, hashlimit …): deleting the rule changes behaviour */
  sideEffects: boolean;
  /** packet fields the rule's matches read (a change of them between two rules breaks shadowing) */
  reads: Set<Field>;
  /** provably matches no packet */
  empty: boolean;
}

/** One constraint of a rule as written: where it is and how it reads (`-m iprange --src-range a-b`). */
export interface ConstraintSource {
  span: Span;
  text: string;
}

/** Why a rule's shape is empty (explainEmptyShape): the constraints no packet satisfies together. */
export interface EmptyReason {
  /** what no packet has: `source address`, `destination port`, `packet mark` … */
  what: string;
  /** the constraints that exclude every value of it, together (or one alone) */
  sources: ConstraintSource[];
  /** why, when the constraints' texts do not say it by themselves */
  detail?: string;
}

/** What each dimension is, in a finding's words. */
const DIMENSION_NAMES: Record<IntervalDim | BitsDim | 'mark' | 'ctmark' | 'tos' | 'in' | 'out' | 'content', string> = {
  src: 'source address', dst: 'destination address', proto: 'protocol', sport: 'source port', dport: 'destination port',
  icmp: 'ICMP type', ttl: 'TTL (hop limit)', length: 'packet length', frag: 'packet', tcpflags: 'combination of TCP flags', ctstate: 'conntrack state',
  srctype: 'source address type', dsttype: 'destination address type', mark: 'packet mark', ctmark: 'connection mark',
  tos: 'TOS byte (DSCP and ECN bits)', pkttype: 'link-layer packet type', mac: 'source MAC address',
  in: 'input interface', out: 'output interface', content: 'packet content',
};

const PORT_MAX = 65535n;
const PROTO_MAX = 255n;
const ICMP_MAX = 65535n;
const TTL_MAX = 255n;
/** MAC addresses are 0 … 2^48 − 1; the value 2^48 stands for "no Ethernet source" (lo), which no mac test matches */
const NO_MAC = 1n << 48n;
// (pkttype: the kernel's PACKET_* numbers 0–7; more than the packets can have, which keeps the shapes sound)
const BITS_SIZE: Record<BitsDim, number> = { frag: 2, tcpflags: 256, ctstate: 20, srctype: 12, dsttype: 12, pkttype: 8 };
Object.setPrototypeOf(BITS_SIZE, null); // keys come from dumps: `constructor` must not find Object's

export function addressMax(family: Family): bigint {
  return family === 'ipv6' ? (1n << 128n) - 1n : (1n << 32n) - 1n;
}

export function intervalMax(dim: IntervalDim, family: Family): bigint {
  switch (dim) {
    case 'src':
    case 'dst':
      return addressMax(family);
    case 'proto':
      return PROTO_MAX;
    case 'icmp':
      return ICMP_MAX;
    case 'ttl':
      return TTL_MAX;
    case 'mac':
      return NO_MAC;
    default:
      return PORT_MAX; // (ports, packet length)
  }
}

export function fullBits(dim: BitsDim): bigint {
  return (1n << BigInt(BITS_SIZE[dim])) - 1n;
}

/** Modules whose matches are pure functions of the packet (and of the fields listed). */
const STATELESS_MODULES: Record<string, Field[]> = {
  tcp: ['tcpopt'], udp: [], sctp: [], dccp: [], udplite: [], icmp: [], icmp6: [], multiport: [],
  ah: [], esp: [], frag: [], rt: [], hbh: [], dst: [], ipv6header: [], mh: [], eui64: [], ipcomp: [],
  length: ['packet'], owner: [], physdev: [], pkttype: [], mac: [], policy: [], realm: [], rpfilter: [],
  devgroup: [], cgroup: [], cpu: [], helper: ['ct'], iprange: [], addrtype: [], mark: ['mark'],
  connmark: ['ctmark'], conntrack: ['ct'], state: ['ct'], dscp: ['tos'], tos: ['tos'], ecn: ['tos'],
  ttl: ['ttl'], hl: ['ttl'], tcpmss: ['tcpopt', 'packet'], u32: ['packet'], bpf: ['packet'], string: ['packet'],
};
Object.setPrototypeOf(STATELESS_MODULES, null); // keys come from dumps: `constructor` must not find Object's

/** Matches whose evaluation changes state other rules can see. */
function hasSideEffects(match: MatchUse): boolean {
  switch (match.module) {
    case 'recent':
      return match.options.some((o) => o.name === 'set' || o.name === 'update' || o.name === 'remove');
    case 'connlabel':
      return match.options.some((o) => o.name === 'set');
    case 'nfacct':
    case 'hashlimit':
    case 'quota':
      return true;
    default:
      return !match.known;
  }
}

const TCP_FLAG_BITS: Record<string, number> = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ALL: 63, NONE: 0 };
Object.setPrototypeOf(TCP_FLAG_BITS, null); // keys come from dumps: `constructor` must not find Object's
const CT_BASE = ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED'];
const ADDR_TYPES = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];
/** Service names iptables resolves through /etc/services that hand-written files commonly use. */
const SERVICES: Record<string, number> = {
  ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, http: 80, www: 80, pop3: 110, ntp: 123, imap: 143,
  snmp: 161, https: 443, smtps: 465, submission: 587, imaps: 993, pop3s: 995, openvpn: 1194, 'http-alt': 8080,
};
Object.setPrototypeOf(SERVICES, null); // keys come from dumps: `constructor` must not find Object's


function parseNumber(text: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return parseInt(text, 16);
  if (/^0[0-7]+$/.test(text)) return parseInt(text, 8);
  if (/^\d+$/.test(text)) return Number(text);
  return undefined;
}

/**
 * A port the analysis can compare: a plain decimal number up to 65535 or a known service. A leading
 * zero is left out (tcp reads `053` as octal 43, udp as 53: extensions/common.ts parsePort and
 * parseServicePort), and so are numbers past 65535 (udp keeps 16 bits of them).
 */
function parsePort(text: string): number | undefined {
  const n = /^(0|[1-9]\d{0,4})$/.test(text) ? Number(text) : SERVICES[text];
  return n !== undefined && n <= 65535 ? n : undefined;
}

/** `80`, `80:90`, `:90`, `80:` (tcp/udp), or a multiport list `80,443,8000:8080`. */
export function parsePortSet(text: string, list: boolean): IntervalSet | undefined {
  const parts = list ? text.split(',') : [text];
  const out: Array<[bigint, bigint]> = [];
  for (const part of parts) {
    const colon = part.indexOf(':');
    let lo: number | undefined;
    let hi: number | undefined;
    if (colon < 0) lo = hi = parsePort(part);
    else {
      lo = colon === 0 ? 0 : parsePort(part.slice(0, colon));
      hi = colon === part.length - 1 ? 65535 : parsePort(part.slice(colon + 1));
    }
    if (lo === undefined || hi === undefined || lo > hi) return undefined;
    out.push([BigInt(lo), BigInt(hi)]);
  }
  return union(out);
}

/** One address or CIDR as an interval; undefined for host names, wrong family, non-contiguous masks. */
export function cidrInterval(text: string, family: Family): readonly [bigint, bigint] | undefined {
  const cidr = compileCidr(text);
  if (!cidr || cidr.v6 !== (family === 'ipv6')) return undefined;
  const max = addressMax(family);
  const value = BigInt(cidr.value);
  const mask = BigInt(cidr.mask);
  const host = max ^ mask;
  if ((host & (host + 1n)) !== 0n) return undefined;
  return [value, value | host];
}

function addressListSet(text: string, negated: boolean, family: Family): IntervalSet | undefined {
  const parts: Array<readonly [bigint, bigint]> = [];
  for (const piece of text.split(',')) {
    const interval = cidrInterval(piece, family);
    if (!interval) return undefined;
    parts.push(interval);
  }
  // iptables expands `-s a,b` into one rule per address: `! -s a,b` is the union of the negations.
  if (!negated) return union(parts);
  return union(parts.flatMap((p) => complement([p], addressMax(family))));
}

function rangeSet(text: string, family: Family): IntervalSet | undefined {
  const dash = text.indexOf('-');
  if (dash < 0) return undefined;
  const lo = cidrInterval(text.slice(0, dash), family);
  const hi = cidrInterval(text.slice(dash + 1), family);
  if (!lo || !hi || lo[0] !== lo[1] || hi[0] !== hi[1]) return undefined;
  return single(lo[0], hi[0]);
}

function icmpSet(text: string, v6: boolean): IntervalSet | undefined {
  // As the match reads it (resolveIcmpType: names, their prefixes, TYPE[/CODE]); a value iptables rejects is not decided.
  const spec = icmpTypeSpec(resolveIcmpType(text, v6 ? ICMPV6_TYPES : ICMP_TYPES, v6 ? 'ICMPv6' : 'ICMP'));
  if (!spec) return undefined;
  const [type, lo, hi] = spec;
  if (!v6 && type === 255) return single(0n, ICMP_MAX); // 0xFF (`any`) is every type in the IPv4 icmp match
  return single(BigInt(type * 256 + lo), BigInt(type * 256 + hi));
}

/** `--ttl-eq 64` (`eq`), `--ttl-lt 2`, `--ttl-gt 63` as the set of TTLs it matches; plain decimals only. */
function ttlSet(mode: string, text: string): IntervalSet | undefined {
  if (!/^(0|[1-9]\d{0,2})$/.test(text)) return undefined;
  const n = BigInt(text);
  if (n > TTL_MAX) return undefined;
  if (mode === 'eq') return single(n, n);
  if (mode === 'lt') return n === 0n ? [] : single(0n, n - 1n);
  return n === TTL_MAX ? [] : single(n + 1n, TTL_MAX);
}

function tcpFlagsBits(maskText: string, compText: string): bigint | undefined {
  const parse = (t: string) => {
    let v = 0;
    for (const name of t.split(',')) {
      if (name === '') continue; // (libxt_tcp splits with strtok: empty items are skipped)
      const bit = TCP_FLAG_BITS[name.toUpperCase()];
      if (bit === undefined) return undefined;
      v |= bit;
    }
    return v;
  };
  const mask = parse(maskText);
  const comp = parse(compText);
  // (no flag in the mask: iptables-nft and iptables-legacy read it differently, see matches/tcp.ts)
  if (mask === undefined || comp === undefined || mask === 0) return undefined;
  let bits = 0n;
  for (let f = 0; f < 256; f++) if ((f & mask) === comp) bits |= 1n << BigInt(f);
  return bits;
}

/** The states a --ctstate / --state list (`spec`'s) names, as bits; undefined when a word is not one (the parser reports it). */
function ctstateBits(spec: OptionSpec, list: string, withNat: boolean): bigint | undefined {
  const names = list.split(',').map((word) => valueWord(spec, word));
  if (names.includes(undefined)) return undefined;
  for (const n of names as string[]) if (!CT_BASE.includes(n) && !(withNat && (n === 'SNAT' || n === 'DNAT'))) return undefined;
  let bits = 0n;
  for (let base = 0; base < 5; base++)
    for (let nat = 0; nat < 4; nat++) {
      const snat = (nat & 2) !== 0;
      const dnat = (nat & 1) !== 0;
      if (names.includes(CT_BASE[base]) || (snat && names.includes('SNAT')) || (dnat && names.includes('DNAT'))) bits |= 1n << BigInt(base * 4 + nat);
    }
  return bits;
}

function addrTypeBits(list: string): bigint | undefined {
  let bits = 0n;
  for (const name of list.split(',')) {
    const i = ADDR_TYPES.indexOf(name.toUpperCase());
    if (i < 0) return undefined;
    bits |= 1n << BigInt(i);
  }
  return bits;
}

function parseMark(text: string): { value: number; mask: number } | undefined {
  const [v, m] = text.split('/');
  const value = parseNumber(v);
  const mask = m === undefined ? 0xffffffff : parseNumber(m);
  if (value === undefined || mask === undefined || value > 0xffffffff || mask > 0xffffffff) return undefined;
  return { value: value >>> 0, mask: mask >>> 0 };
}

class ShapeBuilder {
  readonly shape: RuleShape = {
    intervals: new Map(),
    bits: new Map(),
    marks: [],
    interfaces: [],
    opaque: new Set(),
    stateful: false,
    sideEffects: false,
    reads: new Set(),
    empty: false,
  };
  /** explainEmptyShape's pass: the constraints seen per dimension, and the first reason the shape became empty */
  private readonly sources: Map<string, ConstraintSource[]> | undefined;
  reason: EmptyReason | undefined;
  constructor(
    private readonly family: Family,
    explain = false,
  ) {
    if (explain) this.sources = new Map();
  }

  /** Record that `option` (of match `module`; '' for -p/-s/-d/-i/-o/-f) constrains `dim`; on the explaining pass only. */
  private note(dim: string, option: OptionUse | undefined, module: string, match?: MatchUse): void {
    if (!this.sources) return;
    let list = this.sources.get(dim);
    if (!list) this.sources.set(dim, (list = []));
    list.push(option ? sourceOf(option, module) : { span: { start: match!.span.start, end: match!.span.end }, text: `-m ${module}` });
  }

  /** The shape matches nothing because of the constraints on `dim` seen so far. */
  emptied(dim: keyof typeof DIMENSION_NAMES, detail?: string): void {
    this.shape.empty = true;
    if (this.sources && !this.reason) this.reason = { what: DIMENSION_NAMES[dim], sources: [...(this.sources.get(dim) ?? [])], ...(detail ? { detail } : {}) };
  }

  /** One option that no packet satisfies by itself (`! -i +`). */
  excludesAll(dim: keyof typeof DIMENSION_NAMES, option: OptionUse, detail: string): void {
    this.note(dim, option, '');
    this.emptied(dim, detail);
  }

  interval(dim: IntervalDim, set: IntervalSet, negated: boolean, option?: OptionUse, module = '', detail?: string): void {
    this.note(dim, option, module);
    const max = intervalMax(dim, this.family);
    const effective = negated ? complement(set, max) : set;
    const previous = this.shape.intervals.get(dim);
    const next = previous ? intersect(previous, effective) : effective;
    if (next.length === 0) this.emptied(dim, detail ?? (previous ? undefined : negated ? 'it excludes every one' : undefined));
    if (isUniverse(next, max)) this.shape.intervals.delete(dim);
    else this.shape.intervals.set(dim, next);
  }

  bitset(dim: BitsDim, bits: bigint, negated: boolean, option?: OptionUse, module = '', match?: MatchUse, detail?: string): void {
    this.note(dim, option, module, match);
    const full = fullBits(dim);
    const effective = negated ? full ^ bits : bits;
    const previous = this.shape.bits.get(dim);
    const next = (previous ?? full) & effective;
    if (next === 0n) this.emptied(dim, detail ?? (previous === undefined && negated ? 'it excludes every one' : undefined));
    if (next === full) this.shape.bits.delete(dim);
    else this.shape.bits.set(dim, next);
  }

  /** A mark test; two that cannot hold together (or one that never holds) empty the shape. */
  mark(constraint: MarkConstraint, option: OptionUse, module: string): void {
    this.note(constraint.field, option, module);
    const { value, mask, negated } = constraint;
    const { field } = constraint;
    if (!negated && (value & ~mask) !== 0) return this.emptied(field, `${hexOf(value)} has bits outside the mask ${hexOf(mask)}, so (${field} & ${hexOf(mask)}) never equals it`);
    if (negated && mask === 0 && value === 0) return this.emptied(field, `(${field} & 0) is always 0, so its negation never holds`);
    for (const other of this.shape.marks) {
      if (other.field !== constraint.field || (other.negated && negated)) continue;
      const [positive, test] = other.negated ? [constraint, other] : [other, constraint];
      if (!test.negated) {
        // Both must hold: a bit both test, with different values, cannot.
        if ((positive.mask & test.mask & (positive.value ^ test.value)) !== 0) return this.emptied(constraint.field);
      } else if ((test.mask & ~positive.mask) === 0 && ((positive.value & test.mask) >>> 0) === test.value) {
        // Every packet of the positive test has the bits the negated one refuses.
        return this.emptied(constraint.field);
      }
    }
    this.shape.marks.push(constraint);
  }

  opaque(scope: string, option: OptionUse): void {
    this.shape.opaque.add(`${scope} ${option.negated ? '!' : ''}--${option.name} ${option.args.map((a) => a.text).join(' ')}`);
  }
}

function hexOf(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

/** An option as the finding quotes it: `! -s 10.0.0.0/8`, `-m iprange --src-range a-b`. */
function sourceOf(option: OptionUse, module: string): ConstraintSource {
  const args = option.args.map((a) => (a.quoted || a.text === '' || /\s/.test(a.text) ? JSON.stringify(a.text) : a.text)).join(' ');
  const written = `${option.negated ? '! ' : ''}${option.written.text}${args ? ' ' + args : ''}`;
  return { span: { start: option.span.start, end: option.span.end }, text: module ? `-m ${module} ${written}` : written };
}

/** How the iptables that loads the rules reads some of them (saved-by.ts). */
export interface LoaderQuirks {
  /** iptables-nft 1.8.9: `! --sport A ! --dport B` is one test of both ports */
  mergesNegatedPorts?: boolean;
  /** iptables-nft 1.8.9: a tcp/udp port range over every port is no test at all, `!` included */
  dropsFullPortRanges?: boolean;
  /** the backend that loads the dump, when its header names one (placement.ts: hook checks in user chains) */
  backend?: 'nf_tables' | 'legacy';
}

/** Normalize a rule's criteria and matches. Pure; cheap enough to run on every rule of a large dump. */
export function ruleShape(rule: Rule, family: Family, loader: LoaderQuirks = {}): RuleShape {
  return buildShape(new ShapeBuilder(family), rule, family, loader).shape;
}

/**
 * For a rule whose shape is empty: what no packet can satisfy, and the constraints that say so (the
 * same normalization again, noting where each constraint comes from). Undefined when not empty.
 */
export function explainEmptyShape(rule: Rule, family: Family, loader: LoaderQuirks = {}): EmptyReason | undefined {
  const builder = buildShape(new ShapeBuilder(family, true), rule, family, loader);
  return builder.shape.empty ? builder.reason : undefined;
}

function buildShape(b: ShapeBuilder, rule: Rule, family: Family, loader: LoaderQuirks): ShapeBuilder {
  const shape = b.shape;
  const c = rule.criteria;
  if (c.protocol) {
    const text = c.protocol.args[0]?.text ?? '';
    const number = protocolNumber(text);
    if (number === undefined) b.opaque('', c.protocol);
    else if (number === 0) {
      if (c.protocol.negated) b.excludesAll('proto', c.protocol, '`all` is every protocol');
    } else b.interval('proto', single(BigInt(number), BigInt(number)), c.protocol.negated, c.protocol);
  }
  for (const [option, dim] of [[c.source, 'src'], [c.destination, 'dst']] as const) {
    if (!option) continue;
    const set = addressListSet(option.args[0]?.text ?? '', option.negated, family);
    if (set) b.interval(dim, set, false, option, '', option.negated ? 'it excludes every one' : undefined);
    // A host name is resolved separately for each rule at load time (and may expand to several
    // rules): two rules naming the same host need not hold the same addresses.
    else shape.stateful = true;
  }
  for (const [option, dir] of [[c.inInterface, 'in'], [c.outInterface, 'out']] as const) {
    if (!option) continue;
    const text = option.args[0]?.text ?? '';
    const wildcard = text.endsWith('+');
    const name = wildcard ? text.slice(0, -1) : text;
    if (wildcard && name === '') {
      if (option.negated) b.excludesAll(dir, option, '`+` is every interface');
      continue;
    }
    shape.interfaces.push({ dir, name, wildcard, negated: option.negated });
  }
  if (c.fragment) b.bitset('frag', 2n, c.fragment.negated, c.fragment);

  for (const match of rule.matches) {
    if (match.module === 'comment') continue;
    if (hasSideEffects(match)) shape.sideEffects = true;
    const fields = match.known ? STATELESS_MODULES[match.module] : undefined;
    if (!fields) {
      shape.stateful = true;
      continue;
    }
    // iptables-nft 1.8.9 loads `! --sport A ! --dport B` as "not both equal" (saved-by.ts): which
    // packets that matches is not what the two intervals say, so the rule is not compared
    if (loader.mergesNegatedPorts && L4_MODULES.has(match.module) && nftTranslatesPortMatch(match) && match.options.filter((o) => (o.name === 'sport' || o.name === 'dport') && o.negated).length === 2) {
      shape.stateful = true;
      continue;
    }
    for (const f of fields) shape.reads.add(f);
    // (an opaque constraint: an earlier rule with it shadows only rules that have it too)
    if (RESTRICTING_MODULES.has(match.module)) shape.opaque.add(`${match.module} (present)`);
    addMatch(b, match, family, loader);
  }
  return b;
}

const L4_MODULES = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite']);

/**
 * Modules that restrict the packet even without an option: the header or protocol they read must be
 * there (`-m frag` alone matches only IPv6 packets with a Fragment header, `-m esp` only ESP), or
 * they test something of their own (`-m rpfilter`, `-m eui64`). The kernel differential found
 * `-A INPUT -m frag -j DROP` taken for a rule that decides every packet (ipv6-extension-headers.rules).
 */
const RESTRICTING_MODULES = new Set(['ah', 'esp', 'frag', 'rt', 'hbh', 'dst', 'mh', 'ipcomp', 'eui64', 'rpfilter']);

/** The options of a tcp/udp match iptables-nft 1.8.9 loads as no test (common.ts portOptionsNftDrops). */
export function nftDroppedPortOptions(match: MatchUse, loader: LoaderQuirks): OptionUse[] {
  return portOptionsNftDrops(match, !!loader.dropsFullPortRanges, isEveryPort);
}

function isEveryPort(text: string): boolean {
  const set = parsePortSet(text, false);
  return !!set && set.length === 1 && set[0][0] === 0n && set[0][1] === PORT_MAX;
}

/**
 * The dimension an option of `owner` (a module; '' for -p/-s/-d/-f) constrains in addMatch and
 * buildShape, if they model it: rule-class.ts reads a template's outline with it. Keep the two together.
 */
export function dimensionOf(owner: string, name: string): string | undefined {
  switch (owner) {
    case '':
      return name === 'protocol' ? 'proto' : name === 'source' ? 'src' : name === 'destination' ? 'dst' : name === 'fragment' ? 'frag' : undefined;
    case 'tcp':
      return name === 'tcp-flags' || name === 'syn' ? 'tcpflags' : name === 'sport' || name === 'dport' ? name : undefined;
    case 'udp':
    case 'sctp':
    case 'dccp':
    case 'udplite':
      return name === 'sport' || name === 'dport' ? name : undefined;
    case 'multiport':
      return name === 'sports' ? 'sport' : name === 'dports' ? 'dport' : undefined;
    case 'icmp':
    case 'icmp6':
      return name === 'icmp-type' || name === 'icmpv6-type' ? 'icmp' : undefined;
    case 'conntrack':
      return name === 'ctstate' ? 'ctstate' : undefined;
    case 'state':
      return name === 'state' ? 'ctstate' : undefined;
    case 'addrtype':
      return name === 'src-type' ? 'srctype' : name === 'dst-type' ? 'dsttype' : undefined;
    case 'iprange':
      return name === 'src-range' ? 'src' : name === 'dst-range' ? 'dst' : undefined;
    case 'mark':
    case 'connmark':
      return name === 'mark' ? owner : undefined;
    case 'ttl':
    case 'hl':
      return /^(?:ttl|hl)-(?:eq|lt|gt)$/.test(name) ? 'ttl' : undefined;
    case 'length':
      return name === 'length' ? 'length' : undefined;
    case 'dscp':
      return name === 'dscp' || name === 'dscp-class' ? 'tos' : undefined;
    case 'tos':
      return name === 'tos' ? 'tos' : undefined;
    case 'ecn':
      return name === 'ecn-ip-ect' ? 'tos' : undefined;
    case 'pkttype':
      return name === 'pkt-type' ? 'pkttype' : undefined;
    case 'mac':
      return name === 'mac-source' ? 'mac' : undefined;
    default:
      return undefined;
  }
}

/** Modules that never match a non-first fragment (the kernel checks fragoff before the header): the `frag` dimension. */
export const FIRST_FRAGMENT_MODULES = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite', 'multiport', 'icmp', 'icmp6']);

function addMatch(b: ShapeBuilder, match: MatchUse, family: Family, loader: LoaderQuirks): void {
  const m = match.module;
  const scope = m;
  const written = match.implicit ? '' : m;
  const dropped = nftDroppedPortOptions(match, loader);
  // (except a tcp/udp match iptables-nft loads as no expression at all)
  const nothingLoaded = dropped.length > 0 && dropped.length === match.options.length;
  if (FIRST_FRAGMENT_MODULES.has(m) && !nothingLoaded) b.bitset('frag', 1n, false, undefined, m, match, `-m ${m} never matches a non-first fragment`);
  if (m === 'string') {
    // xt_string finds a pattern only when all of it lies between --from and --to (a --from past the
    // --to is refused when the rule is loaded: place/match-value says so)
    const search = stringSearch(match);
    const pattern = match.options.find((o) => o.name === 'string' || o.name === 'hex-string');
    if (search && pattern && !search.negated && search.from <= search.to && search.from + search.pattern.length > search.to) {
      b.excludesAll('content', pattern, `the ${search.pattern.length}-byte pattern cannot lie between offsets ${search.from} (--from) and ${search.to} (--to)`);
    }
  }
  for (const option of match.options) {
    if (dropped.includes(option)) continue;
    const text = option.args[0]?.text ?? '';
    let handled = false;
    if (L4_MODULES.has(m) && (option.name === 'sport' || option.name === 'dport')) {
      const set = parsePortSet(text, false);
      if (set) {
        b.interval(option.name, set, option.negated, option, written);
        handled = true;
      }
    } else if (m === 'multiport' && (option.name === 'sports' || option.name === 'dports')) {
      const set = parsePortSet(text, true);
      if (set) {
        b.interval(option.name === 'sports' ? 'sport' : 'dport', set, option.negated, option, written);
        handled = true;
      }
    } else if (m === 'tcp' && option.name === 'tcp-flags' && option.args.length === 2) {
      const bits = tcpFlagsBits(option.args[0].text, option.args[1].text);
      if (bits !== undefined) {
        b.bitset('tcpflags', bits, option.negated, option, written, undefined, bits === 0n && !option.negated ? `${option.args[1].text} has flags outside the mask ${option.args[0].text}` : undefined);
        handled = true;
      }
    } else if (m === 'tcp' && option.name === 'syn') {
      b.bitset('tcpflags', tcpFlagsBits('SYN,RST,ACK,FIN', 'SYN')!, option.negated, option, written);
      handled = true;
    } else if ((m === 'icmp' && option.name === 'icmp-type' && family === 'ipv4') || (m === 'icmp6' && option.name === 'icmpv6-type' && family === 'ipv6')) {
      const set = icmpSet(text, m === 'icmp6');
      if (set) {
        b.interval('icmp', set, option.negated, option, written);
        handled = true;
      }
    } else if ((m === 'conntrack' && option.name === 'ctstate') || (m === 'state' && option.name === 'state')) {
      const bits = ctstateBits(m === 'conntrack' ? CONNTRACK_STATE_OPTION : STATE_OPTION, text, m === 'conntrack');
      if (bits !== undefined) {
        b.bitset('ctstate', bits, option.negated, option, written);
        handled = true;
      }
    } else if (m === 'addrtype' && family === 'ipv4' && (option.name === 'src-type' || option.name === 'dst-type') && !match.options.some((o) => o.name.startsWith('limit-iface'))) {
      const bits = addrTypeBits(text);
      if (bits !== undefined) {
        b.bitset(option.name === 'src-type' ? 'srctype' : 'dsttype', bits, option.negated, option, written);
        handled = true;
      }
    } else if (m === 'iprange' && (option.name === 'src-range' || option.name === 'dst-range')) {
      const set = rangeSet(text, family);
      if (set) {
        b.interval(option.name === 'src-range' ? 'src' : 'dst', set, option.negated, option, written, set.length === 0 && !option.negated ? 'the range is reversed' : undefined);
        handled = true;
      }
    } else if ((m === 'ttl' || m === 'hl') && /^(?:ttl|hl)-(?:eq|lt|gt)$/.test(option.name)) {
      // xt_ttl / xt_hl: ==, < or > one value; `! --ttl-eq` is !=
      const set = ttlSet(option.name.slice(option.name.indexOf('-') + 1), text);
      if (set) {
        b.interval('ttl', set, option.negated, option, written, set.length === 0 ? `no ${m === 'ttl' ? 'TTL' : 'hop limit'} is ${option.name.endsWith('lt') ? 'below 0' : 'above 255'}` : undefined);
        handled = true;
      }
    } else if (m === 'length' && option.name === 'length') {
      // xt_length: the IP packet's length (IPv6: payload plus the 40-byte header) within FROM[:TO]
      const range = /^(0|[1-9]\d{0,4})(?::(0|[1-9]\d{0,4}))?$/.exec(text);
      const [from, to] = range ? [Number(range[1]), Number(range[2] ?? range[1])] : [];
      if (from !== undefined && to !== undefined && from <= 65535 && to <= 65535 && from <= to) {
        b.interval('length', single(BigInt(from), BigInt(to)), option.negated, option, written);
        handled = true;
      }
    } else if ((m === 'mark' || m === 'connmark') && option.name === 'mark') {
      const parsed = parseMark(text);
      if (parsed) {
        b.mark({ field: m === 'mark' ? 'mark' : 'ctmark', ...parsed, negated: option.negated }, option, written);
        handled = true;
      }
    } else if (m === 'dscp' && (option.name === 'dscp' || option.name === 'dscp-class')) {
      // xt_dscp: the TOS byte's top six bits equal the value
      const dscp = dscpOptionValue(option);
      if (dscp !== undefined) {
        b.mark({ field: 'tos', value: dscp << 2, mask: 0xfc, negated: option.negated }, option, written);
        handled = true;
      }
    } else if (m === 'tos' && option.name === 'tos') {
      // xt_tos: (TOS byte & mask) == value (a symbolic name compares under 0x3f)
      const parsed = parseTos(text);
      if (parsed) {
        b.mark({ field: 'tos', ...parsed, negated: option.negated }, option, written);
        handled = true;
      }
    } else if (m === 'ecn' && option.name === 'ecn-ip-ect') {
      // xt_ecn: the TOS byte's low two bits (the ECN field) equal the value
      const ect = parseNumber(text);
      if (ect !== undefined && ect <= 3) {
        b.mark({ field: 'tos', value: ect, mask: 0x03, negated: option.negated }, option, written);
        handled = true;
      }
    } else if (m === 'mac' && option.name === 'mac-source') {
      // xt_mac: a frame's source equals it, or (`!`) differs from it; a packet without an Ethernet
      // header matches neither
      const mac = macValue(text);
      if (mac !== undefined) {
        b.interval('mac', option.negated ? complement(single(mac, mac), NO_MAC - 1n) : single(mac, mac), false, option, written);
        handled = true;
      }
    } else if (m === 'pkttype' && option.name === 'pkt-type') {
      const type = valueWord(PKTTYPE_OPTION, text);
      const number = type === undefined ? undefined : PACKET_TYPE_NUMBERS[type];
      if (number !== undefined) {
        b.bitset('pkttype', 1n << BigInt(number), option.negated, option, written);
        handled = true;
      }
    }
    if (!handled) b.opaque(scope, option);
  }
}

/**
 * True when ruleShape(rule).stateful is certain from the rule's outline alone (a match that is not a
 * function of the packet: statistic, recent, limit …), so its shape need not be built.
 */
export function certainlyStateful(rule: Rule): boolean {
  const outline = ruleOutline(rule);
  return !!outline && statefulOutline(outline);
}

/** certainlyStateful() of every rule with this outline (a template's). */
export function statefulOutline(outline: RuleOutline): boolean {
  return outline.modules.some((module) => module !== 'comment' && !STATELESS_MODULES[module]);
}

/** True when the rule, as normalized, matches every packet. */
export function isUniversal(shape: RuleShape): boolean {
  return (
    !shape.stateful &&
    !shape.empty &&
    shape.intervals.size === 0 &&
    shape.bits.size === 0 &&
    shape.marks.length === 0 &&
    shape.interfaces.length === 0 &&
    shape.opaque.size === 0
  );
}

function markSubset(inner: MarkConstraint, outer: MarkConstraint): boolean {
  if (outer.mask === 0 && outer.value === 0) return !outer.negated; // (m & 0) == 0: everything
  if (!inner.negated && !outer.negated) {
    // Every bit outer tests must be fixed by inner, to the same value.
    return (outer.mask & ~inner.mask) === 0 && ((inner.value & outer.mask) >>> 0) === outer.value;
  }
  if (!inner.negated && outer.negated) {
    // inner ∩ outer-positive = ∅: a bit both test, with different values.
    return ((inner.mask & outer.mask & (inner.value ^ outer.value)) >>> 0) !== 0 || (outer.value & ~outer.mask) !== 0;
  }
  if (inner.negated && outer.negated) return markSubset({ ...outer, negated: false }, { ...inner, negated: false });
  return false;
}

function interfaceSet(c: InterfaceConstraint): { name: string; wildcard: boolean } {
  return { name: c.name, wildcard: c.wildcard };
}

/** L(a) ⊆ L(b) for interface patterns (exact name or prefix). */
function patternSubset(a: { name: string; wildcard: boolean }, b: { name: string; wildcard: boolean }): boolean {
  if (b.wildcard) return a.name.startsWith(b.name);
  return !a.wildcard && a.name === b.name;
}

/** L(a) ∩ L(b) = ∅ */
function patternDisjoint(a: { name: string; wildcard: boolean }, b: { name: string; wildcard: boolean }): boolean {
  if (a.wildcard && b.wildcard) return !a.name.startsWith(b.name) && !b.name.startsWith(a.name);
  if (a.wildcard) return !b.name.startsWith(a.name);
  if (b.wildcard) return !a.name.startsWith(b.name);
  return a.name !== b.name;
}

function interfaceSubset(inner: InterfaceConstraint, outer: InterfaceConstraint): boolean {
  if (inner.dir !== outer.dir) return false;
  const a = interfaceSet(inner);
  const o = interfaceSet(outer);
  if (!inner.negated && !outer.negated) return patternSubset(a, o);
  if (!inner.negated && outer.negated) return patternDisjoint(a, o);
  if (inner.negated && outer.negated) return patternSubset(o, a);
  return false;
}

/**
 * Is every packet matched by `inner` also matched by `outer`? Sound, not complete: `true` only
 * when it is certain.
 */
export function shapeSubsumes(outer: RuleShape, inner: RuleShape, family: Family): boolean {
  if (outer.stateful || outer.empty || inner.empty) return false;
  for (const [dim, outerSet] of outer.intervals) {
    const innerSet = inner.intervals.get(dim);
    if (!innerSet || !isSubset(innerSet, outerSet)) return false;
  }
  void family;
  for (const [dim, outerBits] of outer.bits) {
    const innerBits = inner.bits.get(dim) ?? fullBits(dim);
    if ((innerBits & ~outerBits) !== 0n) return false;
  }
  for (const m of outer.marks) if (!inner.marks.some((i) => i.field === m.field && markSubset(i, m))) return false;
  for (const c of outer.interfaces) if (!inner.interfaces.some((i) => interfaceSubset(i, c))) return false;
  for (const key of outer.opaque) if (!inner.opaque.has(key)) return false;
  return true;
}

/** The single CIDR block `set` is, as (prefix length, network) — for indexing. */
export function cidrBlock(set: IntervalSet | undefined, family: Family): { length: number; network: bigint } | undefined {
  if (!set || set.length !== 1) return undefined;
  const [lo, hi] = set[0];
  const size = hi - lo + 1n;
  if ((size & (size - 1n)) !== 0n || (lo & (size - 1n)) !== 0n) return undefined;
  let hostBits = 0;
  if (family === 'ipv4') hostBits = Math.round(Math.log2(Number(size)));
  else for (let s = size; s > 1n; s >>= 1n) hostBits++;
  const length = (family === 'ipv6' ? 128 : 32) - hostBits;
  return length > 0 ? { length, network: lo } : undefined;
}
