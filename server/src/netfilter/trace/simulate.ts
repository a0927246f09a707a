// The packet simulator: what netfilter does with one packet, hook by hook, table by table, rule by
// rule — forking the path wherever the outcome depends on chance (statistic) or on something the
// dump does not say (an ipset without its contents, `-m recent`, an unknown module).
//
// The hook order is the kernel's (net/ipv4/ip_input.c, ip_forward.c, ip_output.c and the table
// priorities in include/uapi/linux/netfilter_ipv4.h):
//   incoming:  PREROUTING (raw, mangle, nat) → routing → INPUT (mangle, filter, security, nat)
//                                                       or FORWARD (mangle, filter, security) → POSTROUTING (mangle, nat)
//   local:     OUTPUT (raw, mangle, nat, filter, security) → routing → POSTROUTING (mangle, nat)
//              and, when the destination is the node itself, back in through lo: PREROUTING (raw, mangle) → INPUT (mangle, filter, security)
// The nat table is consulted only while the connection has no NAT binding for that direction: the
// first packet (NEW, or RELATED) and once per manipulation type (destination in PREROUTING/OUTPUT,
// source in INPUT/POSTROUTING).

import { hasAddressLists, kernelRulesBefore, type Chain, type Rule, type Ruleset, type Table } from '../model';
import type { HookPosition, NodeContext, Packet } from '../packet';
import { protocolName, protocolNumber } from '../packet';
import { findMatch, findTarget } from '../extensions/registry';
import type { EvalContext, MatchOutcome, TargetEffect } from '../extensions/types';
import { allUndecided, assumedFact, localAddressFact, negatedAssumptionOf, type UndecidedOutcome } from '../extensions/common';
import type { TracePath, TraceResult, TraceStep, TracedPacket } from './types';
import { compileRule, expansionIndex, matchingExpansions, type CompiledRule } from './compile';
import { chainDispatch } from './dispatch';
import { addressIsLoopback, addressInList, addressValue, formatMark } from './net';
import { lineOf } from '../positions';
import { hasConntrack } from '../extensions/matches/conntrack';
import { dropsFullPortRanges, mergesNegatedPorts, savedBy } from '../saved-by';
import { runToEnd, type Steps } from '../steps';
import { formatTraceTime } from './packet-line';
import { formatHexString, payloadBytes } from '../extensions/matches/string';
import { ipHeaderLength, lengthWithPayload } from '../packet-bytes';
import { formatTcpOptions, parseTcpOptionList } from '../tcp-options';
import { arrivingFrameType, destinationKind, droppedOnArrival, firstUnicast, groupAlwaysJoined, readNodeAddresses, type DestinationKind } from './destinations';

export interface TraceRequest {
  src: string;
  dst: string;
  /** tcp, udp, icmp, sctp, icmpv6 or a number; default tcp */
  proto?: string | number;
  sport?: number;
  dport?: number;
  icmpType?: number;
  icmpCode?: number;
  tcpFlags?: string[];
  inIface?: string;
  /** interface routing picks for destinations that are not local */
  outIface?: string;
  fromLocal?: boolean;
  /** node addresses; when absent they are inferred from the dump (and the trace says so) */
  localAddresses?: string[];
  mark?: number;
  ctmark?: number;
  ctstate?: Packet['ctstate'];
  length?: number;
  ttl?: number;
  /** the DSCP bits of the TOS / Traffic Class byte (0–63); default 0 */
  dscp?: number;
  /** the ECN bits of that byte (0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE); default 0 */
  ecn?: number;
  /** link-layer packet type as pkttype sees it; default unicast */
  pkttype?: Packet['pkttype'];
  /** source MAC of the arriving Ethernet frame (-m mac); not for packets the node sends */
  mac?: string;
  /**
   * which ways the packet goes through IPsec (-m policy): `none`, `in` (it arrived decapsulated),
   * `out` (its route encapsulates it), `in,out`. Absent: unknown (policy forks).
   */
  ipsec?: IpsecClause;
  /**
   * TCP: the header's options in the packet line's form (`mss=1460,sack-perm,ts,nop,wscale=7`,
   * `linux`, `none`; tcp-options.ts). Absent: unknown (--tcp-option, tcpmss fork).
   */
  tcpOptions?: string;
  /** the path MTU (`mtu N`): decides TCPMSS --clamp-mss-to-pmtu; absent: unknown */
  mtu?: number;
  ipsets?: NodeContext['ipsets'];
  /** address MASQUERADE uses */
  egressAddress?: string;
  /** start the trace in this hook instead of the packet's first one (code lens on a built-in chain) */
  startHook?: Hook;
  /** when the packet arrives (or is sent), seconds since the epoch, UTC: decides `-m time` */
  time?: number;
  /**
   * the bytes after the transport header, written as `--hex-string` writes them (`GET /|0d 0a|`;
   * '' for none): the packet ends with them, and its length defaults to its headers' plus theirs.
   * Absent: the payload is unknown (`-m string` and payload reads of `-m u32` fork).
   */
  payload?: string;
}

export type IpsecClause = 'none' | 'in' | 'out' | 'in,out';

export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

/** Tables per hook, in priority order. */
const HOOK_TABLES: Record<Hook, string[]> = {
  PREROUTING: ['raw', 'mangle', 'nat'],
  INPUT: ['mangle', 'filter', 'security', 'nat'],
  FORWARD: ['mangle', 'filter', 'security'],
  OUTPUT: ['raw', 'mangle', 'nat', 'filter', 'security'],
  POSTROUTING: ['mangle', 'nat'],
};
Object.setPrototypeOf(HOOK_TABLES, null); // keys come from dumps: `constructor` must not find Object's

/** Safety limits: beyond these the trace stops with a clear verdict instead of running away. */
export const TRACE_LIMITS = {
  maxPaths: 512,
  maxStepsPerPath: 100_000,
  maxCallDepth: 20_000,
};

interface Frame {
  chain: Chain;
  /** index of the next rule to evaluate */
  next: number;
}

/** One path being explored. Cloned at every fork. */
interface PathState {
  packet: Packet;
  steps: TraceStep[];
  assumptions: string[];
  probability: number;
  /** whether the connection already has a NAT binding for destination / source manipulation */
  natDoneDst: boolean;
  natDoneSrc: boolean;
  /** routing forks already decided on this path (dst → local?) */
  verdict?: string;
  outcome?: string;
}

interface TableOutcome {
  state: PathState;
  /** ACCEPT lets the packet go on to the next table / hook */
  verdict: 'ACCEPT' | 'DROP' | 'REJECT' | 'QUEUE' | 'STOLEN' | 'LOOP' | 'LIMIT' | 'ERROR';
  reason?: string;
}

/** A packet of its own for a new path: the lists and counters it carries are copied too. */
function clonePacket(packet: Packet): Packet {
  return {
    ...packet,
    ctstatus: [...packet.ctstatus],
    tcpFlags: packet.tcpFlags ? [...packet.tcpFlags] : undefined,
    limitUses: packet.limitUses ? { ...packet.limitUses } : undefined,
    quotaUsed: packet.quotaUsed ? { ...packet.quotaUsed } : undefined,
  };
}

function clonePath(state: PathState): PathState {
  return {
    packet: clonePacket(state.packet),
    steps: state.steps.slice(),
    assumptions: state.assumptions.slice(),
    probability: state.probability,
    natDoneDst: state.natDoneDst,
    natDoneSrc: state.natDoneSrc,
  };
}

/** Rules that make the kernel track connections (see Simulator.tracksConnections). */
const CONNTRACK_USERS = new RegExp(
  String.raw`(?:^|[ \t])(?:-m|--match)[ \t]+(?:conntrack|state|connmark|helper|connlimit|connbytes|connlabel|cluster)(?=[ \t\r\n]|$)` +
  String.raw`|(?:^|[ \t])(?:-j|--jump)[ \t]+(?:DNAT|SNAT|MASQUERADE|REDIRECT|NETMAP|CONNMARK|CONNSECMARK|SYNPROXY)(?=[ \t\r\n]|$)` +
  // CT switches it on, but for `CT --notrack` alone
  String.raw`|(?:^|[ \t])(?:-j|--jump)[ \t]+CT(?![ \t]+--notrack[ \t]*\r?$)(?=[ \t\r\n]|$)`,
  'm',
);

/**
 * Whether a dump's text has a pattern, remembered per parsed version: a dump without one is scanned
 * to its end (≈ 40 ms for 17 MB), and the editor traces the same version many times.
 */
function textHas(cache: WeakMap<Ruleset, boolean>, pattern: RegExp, ruleset: Ruleset): boolean {
  let found = cache.get(ruleset);
  if (found === undefined) cache.set(ruleset, (found = pattern.test(ruleset.text)));
  return found;
}
const conntrackUsers = new WeakMap<Ruleset, boolean>();
const negatedPortPairs = new WeakMap<Ruleset, boolean>();
const fullPortRanges = new WeakMap<Ruleset, boolean>();

/** `! --sport A ! --dport B` with single ports (see saved-by.ts mergesNegatedPorts). */
const NEGATED_PORT_PAIR = /! --(?:sport \w+ ! --dport|dport \w+ ! --sport) \w+(?=[ \t\r\n]|$)/m;

/** A tcp/udp port range written over every port (see saved-by.ts dropsFullPortRanges). */
const FULL_PORT_RANGE = /--(?:[sd]port|source-port|destination-port) (?:0?:(?:65535)?)(?=[ \t\r\n]|$)/m;

export class Simulator {
  private readonly tables = new Map<string, Table>();
  private readonly compiled = new Map<Rule, CompiledRule>();
  private pathBudget = TRACE_LIMITS.maxPaths;
  private truncated = false;
  /** forks on this trace decided by an assumption, not by chance: each side is weighted ½ */
  private assumedSplits = 0;

  constructor(
    private readonly ruleset: Ruleset,
    private readonly node: NodeContext,
  ) {
    for (const table of ruleset.tables) this.tables.set(table.name, table);
  }

  private conntrackInUse: boolean | undefined;

  /**
   * Does the kernel track connections for this dump? Only while some rule needs it (kernel ≥ 5.x
   * registers the conntrack hooks per namespace on demand); without conntrack the nat table is
   * never consulted. Measured in a fresh namespace (random kernel campaign, seed 77, and one probe
   * per extension): DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP, CONNMARK, SYNPROXY, CT (but
   * `CT --notrack` alone), -m state/conntrack/connmark/helper/connlimit/connbytes/connlabel switch it
   * on; NOTRACK, MARK, -m socket do not. Read from the text (the lazy trace parse has not read every
   * rule); a mention in a comment errs towards "on", the behaviour before this check.
   */
  private tracksConnections(): boolean {
    if (this.conntrackInUse === undefined) {
      this.conntrackInUse = textHas(conntrackUsers, CONNTRACK_USERS, this.ruleset);
      if (!this.conntrackInUse) this.extraNotes.push('no rule in this dump needs connection tracking (no NAT target, no -m state/conntrack/connmark …): the kernel then tracks no connections and never consults the nat table (unless something outside this dump enables conntrack)');
    }
    return this.conntrackInUse;
  }

  private readonly extraNotes: string[] = [];
  /** the interface the request says a packet leaves by (for destinations away from the node) */
  private requestedOutIface: string | undefined;

  /** the broadcast addresses of the node's subnets (node addresses given with a prefix) */
  private get broadcasts(): readonly string[] {
    return this.node.localBroadcasts ?? [];
  }

  /** The interface a locally generated packet for somewhere else leaves by: the request's, else eth0. */
  private awayInterface(): string {
    return this.requestedOutIface ?? 'eth0';
  }

  private compiledRule(rule: Rule): CompiledRule {
    let c = this.compiled.get(rule);
    if (!c) {
      c = compileRule(rule, this.ruleset.family);
      this.compiled.set(rule, c);
    }
    return c;
  }

  trace(request: TraceRequest, initial: Packet): TraceResult {
    this.pathBudget = TRACE_LIMITS.maxPaths;
    this.truncated = false;
    this.assumedSplits = 0;
    const start: PathState = { packet: clonePacket(initial), steps: [], assumptions: [], probability: 1, natDoneDst: false, natDoneSrc: false };
    const finished: PathState[] = [];
    const hookStart: Hook = request.startHook ?? (initial.fromLocal ? 'OUTPUT' : 'PREROUTING');
    this.requestedOutIface = request.outIface;
    const destination = destinationKind(initial.dst, this.broadcasts);
    let loopedCopy: string | undefined;
    if (initial.fromLocal) {
      // Locally generated packets are routed before OUTPUT, so `-o` already matches there; a
      // destination on the node itself goes out through lo (a group or a broadcast never does).
      const local = destination === 'unicast' && this.isLocal(initial.dst);
      if (local) start.packet.outIface = 'lo';
      else start.packet.outIface = this.awayInterface();
      if (destination !== 'unicast') loopedCopy = `a packet the node sends to ${destination === 'multicast' ? 'a multicast group it has joined' : 'a broadcast address'} is also looped back to its own sockets (POSTROUTING again, then PREROUTING and INPUT, in on ${start.packet.outIface}, without a new routing decision): that copy is not traced here${initial.family === 'ipv4' ? '; it passes POSTROUTING before this packet, so its nat rules, not shown, decide the source NAT both get' : ''}`;
    }
    const refusedOnArrival = !initial.fromLocal && hookStart === 'PREROUTING' && initial.inIface !== 'lo' ? droppedOnArrival(initial.src, initial.dst) : undefined;
    if (refusedOnArrival) {
      // ipv6_rcv drops it before the first hook: no table sees it.
      finished.push({ ...start, verdict: 'DROP', outcome: refusedOnArrival });
    } else this.runFrom(hookStart, start, finished);
    const notes: string[] = [];
    if (this.node.localAddressesSource === 'inferred') notes.push(`node addresses inferred from the dump: ${this.node.localAddresses.join(', ') || 'none'} (pass --local-addr to set them)`);
    if (this.node.localAddressesSource === 'none') notes.push('node addresses unknown: routing and addrtype LOCAL are undecided (pass --local-addr)');
    if (this.node.localAddressesSource === 'given') notes.push(`node addresses: ${this.node.localAddresses.join(', ')}${this.broadcasts.length ? `; subnet broadcast ${this.broadcasts.join(', ')}` : ''}`);
    if (initial.time !== undefined) notes.push(`handled at ${formatTraceTime(initial.time)} (UTC; decides -m time)`);
    notes.push(...this.extraNotes);
    if (loopedCopy) notes.push(loopedCopy);
    if (mergesNegatedPorts(this.node.savedBy) && textHas(negatedPortPairs, NEGATED_PORT_PAIR, this.ruleset)) {
      notes.push(`saved by ${this.node.savedBy!.tool} v${this.node.savedBy!.version} (nf_tables): that version loads "! --sport A ! --dport B" as one test of both ports, so such a rule matches unless both ports are equal (iptables-legacy: only when both differ); traced as that version loads it`);
    }
    if (dropsFullPortRanges(this.node.savedBy) && textHas(fullPortRanges, FULL_PORT_RANGE, this.ruleset)) {
      notes.push(`saved by ${this.node.savedBy!.tool} v${this.node.savedBy!.version} (nf_tables): that version loads a tcp/udp port range over every port (0:65535) as no test at all, "!" included, so "! --dport 0:65535" matches every packet of the protocol (iptables-legacy: none); traced as that version loads it`);
    }
    if (this.assumedSplits > 0) {
      notes.push(`${this.assumedSplits} split${this.assumedSplits === 1 ? '' : 's'} on what the engine cannot know (listed as "assumes" on each path) count${this.assumedSplits === 1 ? 's' : ''} 50/50 in the percentages; only statistic splits are real odds`);
    }
    if (this.truncated) notes.push(`more than ${TRACE_LIMITS.maxPaths} paths: the rest were not explored`);
    const paths: TracePath[] = finished.map((state) => ({
      probability: roundProbability(state.probability),
      verdict: state.verdict ?? 'ACCEPT',
      outcome: state.outcome ?? '',
      assumptions: state.assumptions,
      packet: describePacket(state.packet),
      steps: state.steps,
    }));
    // (the arriving frame's source MAC belongs to the packet as it came in, not as it leaves)
    const input: TracedPacket = { ...describePacket(initial), ...(initial.srcMac ? { mac: initial.srcMac } : {}), ...(initial.fromLocal ? { fromLocal: true as const } : {}) };
    if (request.ipsec !== undefined) input.ipsec = request.ipsec;
    if (initial.payload !== undefined) input.payload = formatHexString(initial.payload);
    return { input, notes, paths };
  }

  /** Run the packet from `hook` to its end, pushing every finished path. */
  private runFrom(hook: Hook, state: PathState, finished: PathState[]): void {
    // Work list of (state, stage) so forks never recurse deeply.
    const work: Array<{ state: PathState; stage: Stage }> = [{ state, stage: { hook, phase: 'hook' } }];
    while (work.length) {
      const item = work.pop()!;
      const { stage } = item;
      if (stage.phase === 'done') {
        finished.push(item.state);
        continue;
      }
      if (stage.phase === 'route') {
        for (const routed of this.route(item.state, stage.after)) work.push(routed);
        continue;
      }
      const outcomes = this.runHook(stage.hook, item.state, !!stage.loopback);
      for (const outcome of outcomes) {
        const s = outcome.state;
        if (outcome.verdict !== 'ACCEPT') {
          s.verdict = outcome.verdict;
          s.outcome = outcome.reason ?? `${outcome.verdict.toLowerCase()} in ${stage.hook}`;
          work.push({ state: s, stage: { phase: 'done' } });
          continue;
        }
        work.push({ state: s, stage: nextStage(stage.hook, s, stage.loopback) });
      }
    }
  }

  /** Routing decision after PREROUTING (incoming) or OUTPUT (local). */
  private route(state: PathState, after: Hook): Array<{ state: PathState; stage: Stage }> {
    const packet = state.packet;
    const dropped = (s: PathState, why: string) => {
      s.verdict = 'DROP';
      s.outcome = `dropped by routing: ${why}`;
      return { state: s, stage: { phase: 'done' as const } };
    };
    const decide = (local: boolean, s: PathState) => {
      if (after === 'PREROUTING') {
        if (local) {
          s.packet.outIface = undefined;
          return { state: s, stage: { hook: 'INPUT' as Hook, phase: 'hook' as const } };
        }
        // ip_forward / ip6_forward forward only frames sent to the node (destinations.ts)
        if (s.packet.pkttype !== 'unicast') {
          const subnet = s.packet.pkttype === 'broadcast' && !this.broadcasts.length ? `; if ${s.packet.dst} is the broadcast address of a subnet of the node, give the node's address with its prefix (as 10.0.0.1/24) and it is delivered` : '';
          return dropped(s, `a ${s.packet.pkttype} frame is not forwarded (only frames sent to the node are)${subnet}`);
        }
        // ip_forward / ip6_forward: a packet with TTL (hop limit) 1 or 0 is dropped with an ICMP
        // "time exceeded" before FORWARD; any other loses one before FORWARD sees it.
        if (s.packet.ttl <= 1) return dropped(s, `${s.packet.family === 'ipv6' ? 'hop limit' : 'TTL'} ${s.packet.ttl} cannot be forwarded (ICMP time exceeded sent)`);
        s.packet.ttl -= 1;
        s.packet.outIface = s.packet.outIface ?? 'eth0';
        return { state: s, stage: { hook: 'FORWARD' as Hook, phase: 'hook' as const } };
      }
      // after OUTPUT: the packet always goes through POSTROUTING; a local destination comes back through lo.
      // A NAT in OUTPUT that sent the node's own address elsewhere re-routes the packet
      // (ip_route_me_harder): it leaves by the request's interface, no longer by lo (campaign seed
      // 961396: NETMAP in nat OUTPUT, then `-o lo` in POSTROUTING).
      if (local) s.packet.outIface = 'lo';
      else if (s.packet.outIface === undefined || s.packet.outIface === 'lo') s.packet.outIface = this.awayInterface();
      return { state: s, stage: { hook: 'POSTROUTING' as Hook, phase: 'hook' as const, loopback: local } };
    };
    const destination = destinationKind(packet.dst, this.broadcasts);
    if (after === 'OUTPUT' && destination !== 'unicast') {
      // A packet the node sends to a group or a broadcast address leaves by its interface. IPv4's
      // ip_mc_output loops a copy back to the node's sockets (to a broadcast address, or to a group
      // the node has joined) *before* this packet's POSTROUTING: the copy goes through the nat
      // table and is confirmed first, so this packet finds its connection's source NAT decided
      // (campaign seed 1165692). IPv6 loops its copy after POSTROUTING.
      const copyFirst = (s: PathState) => {
        s.natDoneSrc = true;
        if (hasConntrack(s.packet) && !s.packet.ctstatus.includes('CONFIRMED')) s.packet.ctstatus.push('CONFIRMED');
        return s;
      };
      if (packet.family !== 'ipv4') return [decide(false, state)];
      if (destination === 'broadcast') return [decide(false, copyFirst(state))];
      return this.routeToGroup(state, (joined, s) => decide(false, joined ? copyFirst(s) : s));
    }
    if (after === 'PREROUTING') {
      const martian = this.martian(packet, destination);
      if (martian) return [dropped(state, martian)];
      if (destination === 'broadcast') return [decide(true, state)];
      if (destination === 'multicast') return this.routeToGroup(state, (joined, s) => (joined ? decide(true, s) : dropped(s, `the node has not joined multicast group ${packet.dst} (and routes no multicast)`)));
    }
    const known = this.isLocal(packet.dst, packet);
    if (known !== undefined) return [decide(known, state)];
    // Nobody told us whether the destination is one of the node's addresses: explore both, and
    // remember the answer on each (addrtype LOCAL later on that path must agree with it).
    const [a, b] = [state, clonePath(state)];
    a.probability *= 0.5;
    b.probability *= 0.5;
    this.assumedSplits++;
    a.assumptions.push(`assumed ${packet.dst} is one of the node's addresses (no --local-addr given)`);
    b.assumptions.push(`assumed ${packet.dst} is not one of the node's addresses (no --local-addr given)`);
    assume(a.packet, localAddressFact(packet.dst), true);
    assume(b.packet, localAddressFact(packet.dst), false);
    return [decide(true, a), decide(false, b)];
  }

  /**
   * Why IPv4 routing refuses an arriving packet for its addresses (ip_route_input: a "martian"), or
   * undefined. Measured in namespaces (destinations.ts; rp_filter off): a multicast source or
   * 255.255.255.255, the node's own address as the source (accept_local is off by default), 0.0.0.0
   * as the source unless to 255.255.255.255 or a 224.0.0.0/24 group (or IGMP), 0.0.0.0 as the
   * destination. A loopback source is left alone: whether it passes depends on route_localnet
   * (kube-proxy turns it on); so is a source that only rp_filter refuses.
   */
  private martian(packet: Packet, destination: DestinationKind): string | undefined {
    if (packet.family !== 'ipv4') return undefined;
    const source = addressValue(packet.src);
    if (source === undefined) return undefined;
    // (a subnet's broadcast address as the source passes unless rp_filter checks it: measured, not modelled)
    const sourceKind = destinationKind(packet.src);
    if (sourceKind !== 'unicast') return `martian source ${packet.src} (a ${sourceKind} address)`;
    const zeroSource = source === 0;
    if (zeroSource) {
      const toLinkGroup = destination === 'multicast' && ((addressValue(packet.dst) as number) >>> 8 === 0xe00000 || packet.proto === 2);
      if (destination !== 'broadcast' && !toLinkGroup && addressValue(packet.dst) !== 0) return `martian source 0.0.0.0 (allowed only to 255.255.255.255 or a 224.0.0.0/24 group)`;
      return undefined;
    }
    if (addressValue(packet.dst) === 0) return 'martian destination 0.0.0.0';
    if (!addressIsLoopback(packet.src) && (addressInList(packet.src, this.node.localAddresses) || assumedFact(packet, localAddressFact(packet.src)) === true)) {
      return `martian source ${packet.src}: one of the node's own addresses, arriving on ${packet.inIface ?? 'an interface'}`;
    }
    return undefined;
  }

  /**
   * A packet to a multicast group: `then(joined)` when the node's membership is known (the groups
   * every node joins, or the ones --local-addr names), else both ways, each path remembering its
   * answer as the group being one of the node's addresses (as `ip address add G autojoin` makes it).
   */
  private routeToGroup(state: PathState, then: (joined: boolean, s: PathState) => { state: PathState; stage: Stage }): Array<{ state: PathState; stage: Stage }> {
    const group = state.packet.dst;
    if (groupAlwaysJoined(group, this.node.localAddresses) || addressInList(group, this.node.localAddresses)) return [then(true, state)];
    const assumed = assumedFact(state.packet, localAddressFact(group));
    if (assumed !== undefined) return [then(assumed, state)];
    if (this.node.localAddressesSource === 'given') return [then(false, state)];
    const [a, b] = [state, clonePath(state)];
    a.probability *= 0.5;
    b.probability *= 0.5;
    this.assumedSplits++;
    const why = 'not known: name the group in --local-addr when a process on the node has joined it';
    a.assumptions.push(`assumed the node has joined multicast group ${group} (${why})`);
    b.assumptions.push(`assumed the node has not joined multicast group ${group} (${why})`);
    assume(a.packet, localAddressFact(group), true);
    assume(b.packet, localAddressFact(group), false);
    return [then(true, a), then(false, b)];
  }

  /** Whether `address` is the node's; undefined when nobody said and this path assumed nothing. */
  private isLocal(address: string, packet?: Packet): boolean | undefined {
    if (addressIsLoopback(address)) return true;
    if (addressInList(address, this.node.localAddresses)) return true;
    if (this.node.localAddressesSource === 'none') return packet ? assumedFact(packet, localAddressFact(address)) : undefined;
    return false;
  }

  /** Traverse every table of one hook (`loopback`: the packet is coming back in through lo). */
  private runHook(hook: Hook, state: PathState, loopback: boolean): TableOutcome[] {
    let current: TableOutcome[] = [{ state, verdict: 'ACCEPT' }];
    for (const tableName of HOOK_TABLES[hook]) {
      const table = this.tables.get(tableName);
      if (!table) continue;
      const next: TableOutcome[] = [];
      for (const outcome of current) {
        if (outcome.verdict !== 'ACCEPT') {
          next.push(outcome);
          continue;
        }
        if (tableName === 'nat' && !this.natApplies(hook, outcome.state)) {
          next.push(outcome);
          continue;
        }
        const results = tableName === 'raw' && !loopback
          ? this.runBeforeConntrack(hook, table, outcome.state)
          : this.runTable(hook, table, outcome.state);
        if (tableName === 'nat') for (const r of results) this.markNatDone(hook, r.state);
        next.push(...results);
      }
      current = next;
    }
    return current;
  }

  /**
   * The raw table runs before conntrack (priority -300 < -200): the packet has no conntrack entry
   * there yet, so `state`/`conntrack` see INVALID, `connmark` never matches and CONNMARK changes
   * nothing (kernel 6.x, checked by the random kernel campaign); NOTRACK makes it UNTRACKED, and a
   * CT template (CT --zone …) makes it NEW until the raw table ends.
   * Conntrack then gives the packet its state. A packet coming back in through lo keeps the entry
   * it got in OUTPUT.
   */
  private runBeforeConntrack(hook: Hook, table: Table, state: PathState): TableOutcome[] {
    const tracked = state.packet.ctstate;
    if (tracked === 'UNTRACKED') return this.runTable(hook, table, state);
    state.packet.ctstate = 'INVALID';
    const results = this.runTable(hook, table, state);
    // (a CT template shows NEW inside raw; conntrack then gives the packet its real state)
    for (const r of results) {
      const packet = r.state.packet;
      if (packet.ctstate !== 'UNTRACKED') packet.ctstate = tracked;
      // conntrack takes the template's zone for the new connection (a `mark` zone from the mark it sees now)
      if (packet.ctTemplate && packet.ctstate !== 'UNTRACKED' && packet.ctTemplateZone !== undefined) packet.ctZone = packet.ctTemplateZone === 'mark' ? packet.mark & 0xffff : packet.ctTemplateZone;
      packet.ctTemplate = undefined;
      delete packet.ctTemplateZone;
    }
    return results;
  }

  private natApplies(hook: Hook, state: PathState): boolean {
    if (!this.tracksConnections()) return false;
    const ct = state.packet.ctstate;
    if (ct !== 'NEW' && ct !== 'RELATED') return false;
    return hook === 'PREROUTING' || hook === 'OUTPUT' ? !state.natDoneDst : !state.natDoneSrc;
  }

  private markNatDone(hook: Hook, state: PathState): void {
    if (hook === 'PREROUTING' || hook === 'OUTPUT') state.natDoneDst = true;
    else state.natDoneSrc = true;
  }

  /** Traverse one table's built-in chain (and every chain it jumps to) for one path, forking as needed. */
  private runTable(hook: Hook, table: Table, state: PathState): TableOutcome[] {
    const base = table.chains.get(hook);
    // iptables-nft creates a base chain only when the dump declares it or adds rules to it; an
    // absent one does not show up in the kernel's trace, and it would only ACCEPT anyway.
    if (!base || (!base.declSpan && base.rules.length === 0)) return [{ state, verdict: 'ACCEPT' }];
    const results: TableOutcome[] = [];
    const work: Array<{ state: PathState; stack: Frame[]; resume?: Resume }> = [{ state, stack: [{ chain: base, next: 0 }] }];
    while (work.length) {
      const item = work.pop()!;
      const outcome = this.runStack(hook, table, item.state, item.stack, work, item.resume);
      if (outcome) results.push(outcome);
    }
    return results;
  }

  /**
   * Run rules until the table's traversal ends for this path. Forks push their other branch to
   * `work` (with the rule to resume at) and go on with the first.
   */
  private runStack(
    hook: Hook,
    table: Table,
    state: PathState,
    stack: Frame[],
    work: Array<{ state: PathState; stack: Frame[]; resume?: Resume }>,
    resume: Resume | undefined,
  ): TableOutcome | undefined {
    const onStack = new Set<Chain>(stack.map((f) => f.chain));
    let pendingResume = resume;
    for (;;) {
      const frame = stack[stack.length - 1];
      const chain = frame.chain;
      if (state.steps.length > TRACE_LIMITS.maxStepsPerPath) {
        state.assumptions.push(`stopped after ${TRACE_LIMITS.maxStepsPerPath} steps`);
        return { state, verdict: 'LIMIT', reason: 'trace too long' };
      }
      let matchedRule: Rule | undefined;
      let branch: Resume['branch'] | undefined;
      if (pendingResume) {
        matchedRule = pendingResume.rule;
        branch = pendingResume.branch;
        frame.next = pendingResume.index + 1;
        pendingResume = undefined;
      } else {
        // Find the next rule whose matches all hold (forks are handled inside).
        const found = this.nextMatchingRule(hook, table, chain, frame, state, stack, work);
        matchedRule = found;
      }
      if (!matchedRule) {
        // End of chain.
        if (stack.length === 1) {
          if (chain.builtin) {
            const policy = chain.policy ?? 'ACCEPT';
            state.steps.push(step(hook, table.name, chain.name, 'policy', null, chain.declSpan ? this.lineOf(chain.declSpan.start) : null, policy, null));
            return { state, verdict: policy === 'DROP' ? 'DROP' : 'ACCEPT', reason: policy === 'DROP' ? `dropped by the policy of ${table.name} ${chain.name}` : undefined };
          }
          // A goto from a base chain replaced it: falling off ends in the base chain's policy.
          const baseChain = table.chains.get(hook)!;
          const policy = baseChain.policy ?? 'ACCEPT';
          state.steps.push(step(hook, table.name, chain.name, 'return', null, null, 'RETURN', null));
          state.steps.push(step(hook, table.name, hook, 'policy', null, baseChain.declSpan ? this.lineOf(baseChain.declSpan.start) : null, policy, null));
          return { state, verdict: policy === 'DROP' ? 'DROP' : 'ACCEPT', reason: policy === 'DROP' ? `dropped by the policy of ${table.name} ${hook}` : undefined };
        }
        state.steps.push(step(hook, table.name, chain.name, 'return', null, null, 'RETURN', null));
        stack.pop();
        onStack.delete(chain);
        continue;
      }
      const rule = matchedRule;
      const line = rule.line + 1;
      const number = this.kernelPosition(chain, rule, state.packet);
      const stepsBefore = state.steps.length;
      const attachBranch = () => {
        if (branch && state.steps.length > stepsBefore) state.steps[stepsBefore].branch = branch;
      };
      const target = rule.target;
      if (!target) {
        state.steps.push(step(hook, table.name, chain.name, 'rule', number, line, 'CONTINUE', null));
        attachBranch();
        for (const again of this.repeatedExpansions(chain, rule, state.packet, { hook, table: table.name, chain: chain.name })) state.steps.push(step(hook, table.name, chain.name, 'rule', again, line, 'CONTINUE', null));
        continue;
      }
      if (target.kind === 'chain') {
        const callee = table.chains.get(target.name);
        if (!callee) {
          state.steps.push(step(hook, table.name, chain.name, 'rule', number, line, `${target.goto ? 'GOTO' : 'JUMP'} ${target.name}`, null, `chain ${target.name} does not exist`));
          return { state, verdict: 'ERROR', reason: `jump to missing chain ${target.name}: iptables-restore refuses this dump` };
        }
        state.steps.push(step(hook, table.name, chain.name, 'rule', number, line, `${target.goto ? 'GOTO' : 'JUMP'} ${target.name}`, null));
        attachBranch();
        if (target.goto) {
          // The goto'd chain returns to the caller's caller: it replaces the current frame. (From a
          // base chain, falling off the goto'd chain then ends in the base chain's policy.)
          stack.pop();
          onStack.delete(chain);
        }
        if (onStack.has(callee) || (target.goto && callee === chain)) {
          return { state, verdict: 'LOOP', reason: `loop: ${target.name} is already being traversed (the kernel refuses to load rulesets with loops)` };
        }
        if (stack.length >= TRACE_LIMITS.maxCallDepth) {
          return { state, verdict: 'LIMIT', reason: `jump depth above ${TRACE_LIMITS.maxCallDepth}: not followed further` };
        }
        stack.push({ chain: callee, next: 0 });
        onStack.add(callee);
        continue;
      }
      // A verdict or an extension target.
      const effect = this.applyTarget(hook, table, chain, rule, state);
      const rewrite = effect.rewrite && Object.keys(effect.rewrite).length ? normalizeRewrite(effect.rewrite) : null;
      if (effect.assumption) state.assumptions.push(effect.assumption);
      const verdict = effect.verdict;
      state.steps.push(step(hook, table.name, chain.name, 'rule', number, line, verdict, rewrite, effect.description));
      attachBranch();
      switch (verdict) {
        case 'CONTINUE':
          // `-s a,b`: the kernel's next rule of the expansion may match too, and does the target again
          for (const again of this.repeatedExpansions(chain, rule, state.packet, { hook, table: table.name, chain: chain.name })) {
            const repeat = this.applyTarget(hook, table, chain, rule, state);
            const repeatRewrite = repeat.rewrite && Object.keys(repeat.rewrite).length ? normalizeRewrite(repeat.rewrite) : null;
            state.steps.push(step(hook, table.name, chain.name, 'rule', again, line, repeat.verdict, repeatRewrite, repeat.description));
          }
          continue;
        case 'RETURN':
          if (stack.length === 1) {
            const baseChain = chain.builtin ? chain : table.chains.get(hook)!;
            const policy = baseChain.policy ?? 'ACCEPT';
            state.steps.push(step(hook, table.name, baseChain.name, 'policy', null, baseChain.declSpan ? this.lineOf(baseChain.declSpan.start) : null, policy, null));
            return { state, verdict: policy === 'DROP' ? 'DROP' : 'ACCEPT', reason: policy === 'DROP' ? `dropped by the policy of ${table.name} ${baseChain.name}` : undefined };
          }
          stack.pop();
          onStack.delete(chain);
          continue;
        case 'ACCEPT':
          return { state, verdict: 'ACCEPT' };
        case 'DROP':
          return { state, verdict: 'DROP', reason: `dropped by ${table.name} ${chain.name} rule #${number} (line ${line})` };
        case 'REJECT':
          return { state, verdict: 'REJECT', reason: `rejected by ${table.name} ${chain.name} rule #${number} (line ${line})` };
        case 'QUEUE':
          return { state, verdict: 'QUEUE', reason: `queued to userspace by ${table.name} ${chain.name} rule #${number} (line ${line})` };
        case 'STOLEN':
          return { state, verdict: 'STOLEN', reason: `taken over by ${target.name} in ${table.name} ${chain.name} rule #${number}` };
      }
    }
  }

  /**
   * Advance `frame` to the next rule of `chain` whose matches all hold for `state`. When a rule's
   * outcome is undecided, the "does not match" branch continues here and the "matches" branch is
   * pushed to `work` to resume at that rule (or the other way round), each with its probability.
   */
  private nextMatchingRule(
    hook: Hook,
    table: Table,
    chain: Chain,
    frame: Frame,
    state: PathState,
    stack: Frame[],
    work: Array<{ state: PathState; stack: Frame[]; resume?: Resume }>,
  ): Rule | undefined {
    const rules = chain.rules;
    const dispatch = chainDispatch(chain, this.ruleset.family, (r) => this.compiledRule(r));
    const position: HookPosition = { hook, table: table.name, chain: chain.name };
    while (frame.next < rules.length) {
      const index = dispatch ? dispatch.nextCandidate(frame.next, state.packet) : frame.next;
      if (index >= rules.length) {
        frame.next = rules.length;
        break;
      }
      const rule = rules[index];
      frame.next = index + 1;
      const outcome = this.evaluateRule(rule, state.packet, position);
      if (outcome === false) continue;
      if (outcome === true) return rule;
      // Undecided: fork. Matching branch resumes at this rule; this path continues as "does not match".
      if (this.pathBudget <= 1) {
        this.truncated = true;
        state.assumptions.push(`${outcome.assumption} — not explored further (path limit)`);
        continue;
      }
      this.pathBudget--;
      if (outcome.probability === undefined) this.assumedSplits++;
      const p = outcome.probability ?? 0.5;
      const matching = clonePath(state);
      matching.probability *= p;
      state.probability *= 1 - p;
      matching.assumptions.push(outcome.assumption);
      state.assumptions.push(negatedAssumptionOf(outcome));
      if (outcome.fact) {
        // Settled for the rest of each path: a later rule (or routing) asking it again agrees.
        assume(matching.packet, outcome.fact.key, outcome.fact.ifMatches);
        assume(state.packet, outcome.fact.key, !outcome.fact.ifMatches);
      }
      const branchInfo = { probability: outcome.probability === undefined ? undefined : p, assumption: outcome.assumption };
      work.push({ state: matching, stack: stack.map((f) => ({ chain: f.chain, next: f.next })), resume: { rule, index, branch: branchInfo } });
      if (p >= 1) {
        state.probability = 0;
      }
    }
    return undefined;
  }

  /**
   * The rule's number in its chain as the kernel has it (what its trace and `iptables -L
   * --line-numbers` show): rules the restore skipped — marked -4/-6 for the other family — are not
   * in the kernel, so they do not count.
   */
  private kernelPosition(chain: Chain, rule: Rule, packet: Packet): number {
    const lists = hasAddressLists(this.ruleset);
    let before = this.kernelBefore.get(chain);
    if (before === undefined) this.kernelBefore.set(chain, (before = kernelRulesBefore(chain.rules, lists)));
    const position = before === null ? rule.position : before[rule.position - 1] + 1;
    // `-s a,b` is a rule per address in the kernel: the one the packet meets first
    return lists ? position + expansionIndex(rule, packet) : position;
  }
  private readonly kernelBefore = new Map<Chain, Int32Array | null>();

  /**
   * Kernel numbers of the further rules of an `-s`/`-d` list expansion that this packet also
   * matches, after the first did and let it continue (a non-terminal target or none).
   */
  private repeatedExpansions(chain: Chain, rule: Rule, packet: Packet, position: HookPosition): number[] {
    if (!hasAddressLists(this.ruleset)) return [];
    const matching = matchingExpansions(rule, packet);
    if (matching.length < 2 || this.evaluateRule(rule, packet, position) !== true) return [];
    const first = this.kernelPosition(chain, rule, packet) - matching[0];
    return matching.slice(1).map((k) => first + k);
  }

  /** true / false, or undecided with the assumption text (and probability when chance decides). */
  private evaluateRule(rule: Rule, packet: Packet, position: HookPosition): true | false | UndecidedOutcome {
    // A broken rule makes restore refuse the file; one for the other family is skipped by it.
    if (rule.broken || rule.otherFamily) return false;
    const compiled = this.compiledRule(rule);
    if (!compiled.generic(packet)) return false;
    let undecided: UndecidedOutcome[] | undefined;
    const ctx: EvalContext = { packet, node: this.node, position, rule };
    for (const match of rule.matches) {
      const spec = match.known ? findMatch(match.module, this.ruleset.family) : undefined;
      let outcome: MatchOutcome;
      if (!spec || !spec.evaluate) {
        outcome = { undecided: true, assumption: `assumed -m ${match.module} ${this.ruleset.text.slice(match.span.end, lastOptionEnd(match)).trim()} matches`.replace(/\s+matches$/, ' matches') };
      } else {
        try {
          outcome = spec.evaluate(match, ctx);
        } catch (error) {
          outcome = { undecided: true, assumption: `assumed -m ${match.module} matches (evaluation failed: ${error instanceof Error ? error.message : error})` };
        }
      }
      if (outcome === false) return false;
      if (outcome === true) continue;
      // Two undecided matches in one rule: combine them into one fork (both must hold).
      (undecided ??= []).push(outcome);
    }
    return undecided ? allUndecided(undecided) : true;
  }

  private applyTarget(hook: Hook, table: Table, chain: Chain, rule: Rule, state: PathState): TargetEffect {
    const target = rule.target!;
    const spec = target.kind === 'unknown' ? undefined : findTarget(target.name, this.ruleset.family);
    const ctx: EvalContext = { packet: state.packet, node: this.node, position: { hook, table: table.name, chain: chain.name }, rule };
    if (!spec || !spec.apply) {
      if (spec && spec.terminating) return { verdict: 'ACCEPT', assumption: `${target.name} is not simulated: assumed it lets the packet through` };
      return { verdict: 'CONTINUE', assumption: `${target.name} is not simulated: assumed it changes nothing` };
    }
    const before = { ...state.packet };
    let effect: TargetEffect;
    try {
      effect = spec.apply(target, ctx);
    } catch (error) {
      return { verdict: 'CONTINUE', assumption: `${target.name} failed to simulate: ${error instanceof Error ? error.message : error}` };
    }
    // Make sure the rewrite lists what really changed (targets mutate ctx.packet).
    const rewrite: Record<string, string | number> = {};
    for (const key of ['src', 'dst', 'sport', 'dport', 'mark', 'ctmark'] as const) {
      if (state.packet[key] !== before[key] && state.packet[key] !== undefined) rewrite[key] = state.packet[key] as string | number;
    }
    return { ...effect, rewrite: Object.keys(rewrite).length ? (rewrite as TargetEffect['rewrite']) : effect.rewrite };
  }

  /** 1-based line of an offset. */
  private lineOf(offset: number): number {
    return lineOf(this.ruleset.lineStarts, offset) + 1;
  }
}

interface Resume {
  rule: Rule;
  index: number;
  branch: { probability?: number; assumption: string };
}

type Stage = { phase: 'hook'; hook: Hook; loopback?: boolean } | { phase: 'route'; after: Hook } | { phase: 'done' };

function nextStage(hook: Hook, state: PathState, loopback: boolean | undefined): Stage {
  switch (hook) {
    case 'PREROUTING':
      if (loopback) return { phase: 'hook', hook: 'INPUT', loopback: true };
      return { phase: 'route', after: 'PREROUTING' };
    case 'OUTPUT':
      return { phase: 'route', after: 'OUTPUT' };
    case 'INPUT':
      state.outcome = 'delivered to a local process';
      return { phase: 'done' };
    case 'FORWARD':
      return { phase: 'hook', hook: 'POSTROUTING' };
    case 'POSTROUTING':
      if (loopback) {
        // Sent to the node itself: back in through lo. Conntrack already has the connection, so
        // the nat table is not consulted again.
        state.packet.inIface = 'lo';
        state.packet.outIface = undefined;
        delete state.packet.srcMac; // (lo has no Ethernet header)
        if (state.packet.ipsec) state.packet.ipsec = { in: false, out: false }; // (nor a sec_path, nor an xfrm route to lo)
        // conntrack confirmed the entry when the packet left POSTROUTING (--ctstatus CONFIRMED on lo)
        if (hasConntrack(state.packet) && !state.packet.ctstatus.includes('CONFIRMED')) state.packet.ctstatus.push('CONFIRMED');
        return { phase: 'hook', hook: 'PREROUTING', loopback: true };
      }
      state.outcome = state.packet.fromLocal ? `sent out via ${state.packet.outIface ?? 'the routed interface'}` : `forwarded out via ${state.packet.outIface ?? 'the routed interface'}`;
      return { phase: 'done' };
  }
}

function step(
  hook: string,
  table: string,
  chain: string,
  kind: TraceStep['kind'],
  rule: number | null,
  line: number | null,
  verdict: string,
  rewrite: TraceStep['rewrite'],
  note?: string,
): TraceStep {
  const s: TraceStep = { hook, table, chain, kind, rule, line, verdict, rewrite };
  if (note) s.note = note;
  return s;
}

function normalizeRewrite(rewrite: NonNullable<TargetEffect['rewrite']>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(rewrite)) {
    if (value === undefined) continue;
    out[key] = key === 'mark' || key === 'ctmark' ? formatMark(value as number) : (value as string | number);
  }
  return out;
}

function lastOptionEnd(match: { options: Array<{ span: { end: number } }>; span: { end: number } }): number {
  return match.options.length ? match.options[match.options.length - 1].span.end : match.span.end;
}

/** Record on this path's packet what it now assumes (the record is replaced: forks share the old one). */
function assume(packet: Packet, key: string, value: boolean): void {
  packet.assumedFacts = { ...packet.assumedFacts, [key]: value };
}

function roundProbability(p: number): number {
  return Math.round(p * 1e9) / 1e9;
}

export function formatPercent(p: number): string {
  const percent = p * 100;
  return (Number.isInteger(percent) ? percent.toFixed(0) : percent.toFixed(percent < 1 ? 2 : 1)) + '%';
}

export function describePacket(packet: Packet): TracedPacket {
  const out: TracedPacket = { src: packet.src, dst: packet.dst, proto: protocolName(packet.proto), mark: formatMark(packet.mark) };
  if (packet.sport !== undefined) out.sport = packet.sport;
  if (packet.dport !== undefined) out.dport = packet.dport;
  if (packet.ctmark) out.ctmark = formatMark(packet.ctmark);
  if (packet.dscp) out.dscp = packet.dscp;
  if (packet.ecn) out.ecn = packet.ecn;
  if (packet.pkttype !== 'unicast') out.pkttype = packet.pkttype;
  if (packet.tcpOptions) out.tcpOptions = formatTcpOptions(packet.tcpOptions);
  if (packet.inIface) out.inIface = packet.inIface;
  if (packet.outIface) out.outIface = packet.outIface;
  return out;
}

/** Build the initial packet from a request. */
export function packetFromRequest(request: TraceRequest, family: Ruleset['family'], broadcasts: readonly string[] = []): Packet {
  const protoInput = request.proto ?? 'tcp';
  const proto = typeof protoInput === 'number' ? protoInput : protocolNumber(protoInput) ?? 6;
  const tcp = proto === 6;
  const ported = proto === 6 || proto === 17 || proto === 132 || proto === 33 || proto === 136;
  const fromLocal = !!request.fromLocal;
  const sport = ported ? request.sport ?? 40000 : undefined;
  const dport = ported ? request.dport ?? (tcp ? 80 : 53) : undefined;
  const icmpType = proto === 1 || proto === 58 ? request.icmpType ?? (proto === 1 ? 8 : 128) : undefined;
  const payload = payloadBytes(request.payload);
  const parsedOptions = tcp && request.tcpOptions !== undefined ? parseTcpOptionList(request.tcpOptions, family) : undefined;
  const tcpOptions = parsedOptions && !('error' in parsedOptions) ? parsedOptions.options : undefined;
  // (a SYN with options and no data ends with its header)
  const headersLength = tcpOptions ? ipHeaderLength(family) + 20 + tcpOptions.bytes.length : undefined;
  return {
    family,
    src: request.src,
    dst: request.dst,
    proto,
    sport,
    dport,
    icmpType,
    icmpCode: icmpType !== undefined ? request.icmpCode ?? 0 : undefined,
    tcpFlags: tcp ? request.tcpFlags ?? (request.ctstate && request.ctstate !== 'NEW' ? ['ACK'] : ['SYN']) : undefined,
    inIface: fromLocal ? undefined : request.inIface ?? 'eth0',
    outIface: request.outIface,
    mark: (request.mark ?? 0) >>> 0,
    ctmark: (request.ctmark ?? 0) >>> 0,
    ctstate: request.ctstate ?? 'NEW',
    ctstatus: [],
    origSrc: request.src,
    origDst: request.dst,
    origSport: sport,
    origDport: dport,
    length: request.length ?? (headersLength !== undefined ? headersLength + (payload?.length ?? 0) : payload ? lengthWithPayload(family, proto, payload.length) : 60),
    ttl: request.ttl ?? 64,
    fragment: false,
    // (a frame from another host to a group or a broadcast address is a multicast / broadcast one)
    pkttype: request.pkttype ?? (fromLocal ? 'unicast' : arrivingFrameType(request.dst, broadcasts)),
    dscp: request.dscp ?? 0,
    ecn: (request.ecn ?? 0) & 3,
    fromLocal,
    ...(request.mac !== undefined && !fromLocal ? { srcMac: request.mac.toLowerCase() } : {}),
    // (a packet the node sends did not arrive: it has no sec_path)
    ...(request.ipsec !== undefined ? { ipsec: { in: !fromLocal && request.ipsec.startsWith('in'), out: request.ipsec.endsWith('out') } } : {}),
    ...(request.time !== undefined ? { time: request.time } : {}),
    ...(payload ? { payload } : {}),
    ...(tcpOptions ? { tcpOptions } : {}),
    ...(request.mtu !== undefined ? { pathMtu: request.mtu } : {}),
  };
}

/** Trace one packet through a parsed ruleset. Pure; never throws for a well-formed request. */
export function tracePacket(ruleset: Ruleset, request: TraceRequest): TraceResult {
  const node = nodeContextFor(ruleset, request);
  const simulator = new Simulator(ruleset, node);
  return simulator.trace(request, packetFromRequest(request, ruleset.family, node.localBroadcasts));
}

/** Node facts: given addresses, or the ones the dump reveals (SNAT --to-source), saying which. */
export function nodeContextFor(ruleset: Ruleset, request: Pick<TraceRequest, 'localAddresses' | 'ipsets' | 'egressAddress'>): NodeContext {
  const saver = savedBy(ruleset.text);
  const saved = saver ? { savedBy: saver } : {};
  if (request.localAddresses && request.localAddresses.length) {
    const { addresses, broadcasts } = readNodeAddresses(request.localAddresses);
    return { localAddresses: addresses, localAddressesSource: 'given', ...(broadcasts.length ? { localBroadcasts: broadcasts } : {}), ipsets: request.ipsets, egressAddress: request.egressAddress ?? firstUnicast(addresses), ...saved };
  }
  const inferred = inferLocalAddresses(ruleset);
  return {
    localAddresses: inferred,
    localAddressesSource: inferred.length ? 'inferred' : 'none',
    ipsets: request.ipsets,
    egressAddress: request.egressAddress ?? inferred[0],
    ...saved,
  };
}

/** Addresses a dump shows to be the node's own: SNAT sources (not loopback, not ranges). */
export function inferLocalAddresses(ruleset: Ruleset): string[] {
  return [...runToEnd(inferLocalAddressesSteps(ruleset))];
}

/** Rules read between two pauses of the steps below (a few milliseconds). */
const INFER_STEP_RULES = 2000;

/** inferLocalAddresses, pausing every few thousand rules; the answer is kept for the ruleset. */
export function* inferLocalAddressesSteps(ruleset: Ruleset): Steps<readonly string[]> {
  const cached = localAddressesCache.get(ruleset);
  if (cached) return cached;
  const found = new Set<string>();
  let read = 0;
  for (const table of ruleset.tables) {
    if (table.name !== 'nat') continue;
    for (const chain of table.chains.values()) {
      for (const rule of chain.rules) {
        if (++read % INFER_STEP_RULES === 0) yield;
        if (rule.target?.name !== 'SNAT') continue;
        // SNAT of loopback-sourced traffic (Docker's embedded DNS) names the peer's view, not the node.
        const source = rule.criteria.source?.args[0]?.text;
        if (source && addressIsLoopback(source.split('/')[0])) continue;
        for (const option of rule.target.options) {
          if (option.name !== 'to-source' || !option.args[0]) continue;
          const address = option.args[0].text.replace(/^\[/, '').replace(/\](:.*)?$/, '').replace(/(\.\d+):[\d-]+$/, '$1').split('-')[0];
          // Only real addresses: anonymised dumps carry `X.X.X.X` and the like.
          if (address && addressValue(address) !== undefined && !addressIsLoopback(address)) found.add(address);
        }
      }
    }
  }
  const addresses = [...found];
  localAddressesCache.set(ruleset, addresses);
  return addresses;
}
const localAddressesCache = new WeakMap<Ruleset, readonly string[]>();
