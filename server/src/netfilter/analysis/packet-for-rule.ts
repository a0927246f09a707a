// Packets that satisfy a rule's criteria, built from the same normalized constraints the
// shadowing check uses. Used by the tests that confirm every reach/* finding with the simulator,
// and by the "Trace a matching packet" code lens. Best effort: constraints that cannot be
// expressed in a trace request (ipsets, string, u32 …) are left to the caller to notice.

import type { Family, Rule } from '../model';
import type { TraceRequest } from '../trace/simulate';
import { fullBits, intervalMax, ruleShape, type InterfaceConstraint, type IntervalDim, type MarkConstraint, type RuleShape } from './constraints';
import type { IntervalSet } from './intervals';
import { formatMac } from '../extensions/matches/mac';

const TCP_FLAG_NAMES: Array<[number, string]> = [[1, 'FIN'], [2, 'SYN'], [4, 'RST'], [8, 'PSH'], [16, 'ACK'], [32, 'URG'], [64, 'ECE'], [128, 'CWR']];
const CT_BASE: Array<TraceRequest['ctstate']> = ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED'];

export function formatAddress(value: bigint, family: Family): string {
  if (family === 'ipv4') return [24n, 16n, 8n, 0n].map((s) => ((value >> s) & 255n).toString()).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16));
  return groups.join(':');
}

function contains(set: IntervalSet | undefined, value: bigint): boolean {
  if (!set) return true;
  return set.some(([lo, hi]) => lo <= value && value <= hi);
}

/** A value of the set: `preferred` when allowed, else one inside the first (or last) interval, avoiding its edges for addresses. */
function pick(set: IntervalSet | undefined, preferred: bigint, last: boolean, address: boolean): bigint {
  if (contains(set, preferred) && !last) return preferred;
  if (!set || set.length === 0) return preferred;
  const [lo, hi] = last ? set[set.length - 1] : set[0];
  if (address && hi - lo >= 2n) return last ? hi - 1n : lo + 1n;
  return last ? hi : lo;
}

function pickInterface(constraints: InterfaceConstraint[], dir: 'in' | 'out'): string | undefined {
  const mine = constraints.filter((c) => c.dir === dir);
  if (mine.length === 0) return undefined;
  const positive = mine.find((c) => !c.negated);
  if (positive) return positive.wildcard ? positive.name + '0' : positive.name;
  for (const candidate of ['eth0', 'ens3', 'wlan0', 'vethq1']) {
    if (mine.every((c) => (c.wildcard ? !candidate.startsWith(c.name) : candidate !== c.name))) return candidate;
  }
  return undefined;
}

function pickMark(constraints: MarkConstraint[], field: MarkConstraint['field']): number | undefined {
  let value = 0;
  let fixed = 0;
  let any = false;
  for (const c of constraints) {
    if (c.field !== field || c.negated) continue;
    any = true;
    value = ((value & ~c.mask) | (c.value & c.mask)) >>> 0;
    fixed |= c.mask;
  }
  for (const c of constraints) {
    if (c.field !== field || !c.negated) continue;
    any = true;
    if (((value & c.mask) >>> 0) !== c.value) continue;
    // Flip one bit the negated test looks at and nothing else fixes.
    const free = c.mask & ~fixed;
    if (free) value = (value ^ (free & -free)) >>> 0;
  }
  return any ? value >>> 0 : undefined;
}

function lowestBit(bits: bigint): number {
  let i = 0;
  while (bits > 0n && (bits & 1n) === 0n) {
    bits >>= 1n;
    i++;
  }
  return i;
}

function requestFor(shape: RuleShape, family: Family, last: boolean): TraceRequest {
  const iv = (dim: IntervalDim) => shape.intervals.get(dim);
  const protoSet = iv('proto');
  const icmpProto = family === 'ipv6' ? 58n : 1n;
  const proto = [6n, 17n, icmpProto, 132n].find((p) => contains(protoSet, p)) ?? pick(protoSet, 6n, last, false);
  const request: TraceRequest = {
    src: formatAddress(pick(iv('src'), family === 'ipv6' ? 0x20010db8000000000000000000000010n : 0xc000020an, last, true), family),
    dst: formatAddress(pick(iv('dst'), family === 'ipv6' ? 0x20010db8000000000000000000000020n : 0xc6336414n, last, true), family),
    proto: Number(proto),
  };
  if (proto === 6n || proto === 17n || proto === 132n) {
    request.sport = Number(pick(iv('sport'), 40000n, last, false));
    request.dport = Number(pick(iv('dport'), proto === 17n ? 53n : 80n, last, false));
  }
  if (proto === icmpProto) {
    const point = pick(iv('icmp'), family === 'ipv6' ? 128n * 256n : 8n * 256n, last, false);
    request.icmpType = Number(point >> 8n);
    request.icmpCode = Number(point & 255n);
  }
  if (proto === 6n) {
    const flags = shape.bits.get('tcpflags') ?? fullBits('tcpflags');
    const byte = (flags >> 2n) & 1n ? 2 : (flags >> 16n) & 1n ? 16 : lowestBit(flags);
    request.tcpFlags = TCP_FLAG_NAMES.filter(([bit]) => byte & bit).map(([, name]) => name);
  }
  const ct = shape.bits.get('ctstate');
  if (ct !== undefined) {
    const preferred = [4, 8, 12, 0, 16].find((point) => (ct >> BigInt(point)) & 1n);
    request.ctstate = CT_BASE[Math.floor((preferred ?? lowestBit(ct)) / 4)];
  }
  const inIface = pickInterface(shape.interfaces, 'in');
  if (inIface) request.inIface = inIface;
  const outIface = pickInterface(shape.interfaces, 'out');
  if (outIface) request.outIface = outIface;
  const ttl = iv('ttl');
  if (ttl) request.ttl = Number(pick(ttl, 64n, last, false));
  const length = iv('length');
  if (length) request.length = Number(pick(length, 60n, last, false));
  const mark = pickMark(shape.marks, 'mark');
  if (mark !== undefined) request.mark = mark;
  const ctmark = pickMark(shape.marks, 'ctmark');
  if (ctmark !== undefined) request.ctmark = ctmark;
  // (the TOS byte is DSCP << 2 | ECN)
  const tos = pickMark(shape.marks, 'tos');
  if (tos !== undefined) {
    request.dscp = tos >>> 2;
    request.ecn = tos & 3;
  }
  const mac = iv('mac');
  if (mac) {
    const value = pick(mac, 0x02005e100001n, last, false);
    if (value < 1n << 48n) request.mac = formatMac(value);
  }
  const pkttype = shape.bits.get('pkttype');
  if (pkttype !== undefined) request.pkttype = (['unicast', 'broadcast', 'multicast'] as const).find((_, n) => (pkttype >> BigInt(n)) & 1n) ?? 'unicast';
  void intervalMax;
  return request;
}

/**
 * Up to two trace requests whose packets satisfy the rule's -p/-s/-d/-i/-o, ports, tcp flags,
 * icmp type, conntrack state, TTL, length and marks (one from the low end of each range, one from the high end).
 */
export function packetsForRule(rule: Rule, family: Family): TraceRequest[] {
  const shape = ruleShape(rule, family);
  if (shape.empty) return [];
  const first = requestFor(shape, family, false);
  const second = requestFor(shape, family, true);
  return JSON.stringify(first) === JSON.stringify(second) ? [first] : [first, second];
}
