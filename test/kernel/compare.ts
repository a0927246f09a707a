// One packet through the real kernel and through the simulator; the kernel's step list must be one
// of the simulator's paths. Shared by the differential suite and the random campaign.
//
// Granularity compared: table, chain, kind, rule position, verdict. Not compared: `return` steps
// (this kernel never prints one for a chain that falls off its end; older kernels did), and steps in
// chains the kernel does not have (iptables-nft creates only the built-in chains a dump declares,
// so an undeclared INPUT has no `policy:ACCEPT` line). REJECT is compared as REJECT (the kernel's
// DROP is relabelled from the rule text by the oracle).

import { MAC, TRACE_TABLE, isGroupOrBroadcast, withoutPrefix, formatSteps, kernelTraceDetailed, payloadOf, resolvePacketSpec, synWindowScale, type ConntrackTuple, type KernelStep, type PacketSpec, type ResolvedPacketSpec } from './oracle';
import { formatHexString } from '../../server/src/netfilter/extensions/matches/string';
import { linuxSynOptions } from '../../server/src/netfilter/tcp-options';
import { canonicalAddress } from '../../server/src/netfilter/addr';
import type { TraceResult, TraceStep } from '../../server/src/netfilter/trace/types';
import { execFileSync } from 'node:child_process';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { tracePacket } from '../../server/src/netfilter/trace/simulate';
import { parseIpsetSave } from '../../server/src/netfilter/ipset';
import { analyzeRuleset } from '../../server/src/netfilter/analysis/index';
import { lineNumber } from '../../server/src/netfilter/analysis/context';
import type { Ruleset } from '../../server/src/netfilter/model';

/** What the simulator must be told to reproduce the kernel run exactly. */
export function engineRequest(spec: ResolvedPacketSpec, sentAtSeconds?: number): Record<string, unknown> {
  return {
    src: spec.src,
    dst: spec.dst,
    proto: spec.proto === 'icmp' && spec.family === 'ipv6' ? 'icmpv6' : spec.proto,
    sport: spec.sport,
    dport: spec.dport,
    tcpFlags: spec.proto === 'tcp' ? ['SYN'] : undefined,
    // the oracle sends an echo request (ICMP type 8 / ICMPv6 type 128)
    icmpType: spec.proto === 'icmp' ? (spec.family === 'ipv6' ? 128 : 8) : undefined,
    inIface: spec.fromLocal ? undefined : spec.inIface,
    outIface: spec.outIface,
    fromLocal: !!spec.fromLocal,
    localAddresses: spec.nodeAddresses,
    egressAddress: spec.outAddress ?? withoutPrefix(spec.nodeAddresses[0]),
    mark: 0,
    ctstate: 'NEW',
    dscp: spec.dscp ?? 0,
    ecn: spec.ecn ?? 0,
    // (the client's veth sends every packet that arrives; the node's own packets have no frame)
    mac: spec.fromLocal ? undefined : MAC.cli0,
    // the frame the client sent: to a group or 255.255.255.255 the engine knows it from the destination;
    // else the case's broadcast or multicast frame, or one sent to the node (also to a subnet's broadcast address)
    pkttype: spec.fromLocal || isGroupOrBroadcast(spec.dst) ? undefined : spec.frame ?? 'unicast',
    // the namespaces have no xfrm state or policy: no packet goes through IPsec (-m policy)
    ipsec: 'none',
    // what the oracle's sender puts on the wire: TTL/hop limit 64; a SYN with Linux's 20 bytes of
    // options and no payload, a UDP datagram or an echo request with the case's payload (13 bytes
    // unless it says otherwise) — behind a 20-byte IPv4 or a 40-byte IPv6 header (quota counts them:
    // campaign seed 951481, `! --quota 60` on an IPv6 SYN)
    ttl: 64,
    length: (spec.family === 'ipv6' ? 40 : 20) + (spec.proto === 'tcp' ? 40 : 8 + payloadOf(spec).length),
    payload: formatHexString(payloadOf(spec)),
    // the SYN's 20 bytes of options, as Linux writes them (timestamps random: unknown): its MSS is the
    // route's MTU less the headers — the veth's 1500, or lo's 65536 for the node's own address —, its
    // window scale what the namespace's buffer sizes give
    tcpOptions: spec.proto === 'tcp' ? linuxSynOptions(spec.family, synMss(spec), synWindowScale()) : undefined,
    // (TCPMSS --clamp-mss-to-pmtu: the veths' MTU, or lo's for the node's own address)
    mtu: toItself(spec) ? 65536 : 1500,
    ipsets: spec.ipsets ? parseIpsetSave(spec.ipsets).sets : undefined,
    // the kernel's clock when the packet passed (`-m time`)
    time: sentAtSeconds,
  };
}

/** The MSS a Linux SYN of this case advertises (IPv4 MTU − 40, IPv6 MTU − 60; capped at 65495 on lo). */
function synMss(spec: ResolvedPacketSpec): number {
  return spec.family === 'ipv4' ? (toItself(spec) ? 65495 : 1460) : toItself(spec) ? 65476 : 1440;
}

/** The node sends the packet to one of its own addresses (through lo). */
function toItself(spec: ResolvedPacketSpec): boolean {
  return !!spec.fromLocal && spec.nodeAddresses.some((a) => canonicalAddress(withoutPrefix(a)) === canonicalAddress(spec.dst));
}

type Comparable = Pick<KernelStep, 'table' | 'chain' | 'kind' | 'rule' | 'verdict'>;

function comparable(steps: Array<KernelStep | TraceStep>, kernelChains: Set<string>): Comparable[] {
  return steps
    .filter((s) => s.kind !== 'return' && kernelChains.has(`${s.table}:${s.chain}`))
    .map((s) => ({ table: s.table, chain: s.chain, kind: s.kind, rule: s.kind === 'rule' ? s.rule : null, verdict: normalizeVerdict(s.verdict) }));
}

function normalizeVerdict(verdict: string): string {
  return verdict.trim().replace(/^(JUMP|GOTO):/, '$1 ').replace(/\s+/g, ' ').toUpperCase();
}

function firstDifference(a: Comparable[], b: Comparable[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return i;
  }
  return -1;
}

export interface Comparison {
  /** undefined when the kernel's trace is one of the simulator's paths; else a readable report */
  disagreement?: string;
  /** the kernel's steps, as compared */
  kernelSteps: number;
  /** how many paths the simulator forked into */
  simulatorPaths: number;
  /** whether the NAT the kernel chose (its conntrack entry) was compared with the simulator's path's */
  natCompared: boolean;
  /** …and the kernel had rewritten the packet (an address or a port differs from the one sent) */
  natApplied?: boolean;
  /** rules the analysis says no packet reaches or matches, per code (reach/*), and chains it says none is evaluated in (graph/unused-chain): the kernel must show none of them */
  neverReached: Record<string, number>;
}

/**
 * What the lint claims that a kernel run can contradict: the lines (1-based) of the rules
 * reach/unreachable, reach/shadowed and reach/never-matches flag (no packet gets there), the chains
 * graph/unused-chain flags (no packet is evaluated there), and the errors (the kernel would refuse the
 * dump, yet it loaded it).
 */
function lintClaims(ruleset: Ruleset): { neverReached: Map<number, string>; unusedChains: Set<string>; errors: string[] } {
  const neverReached = new Map<number, string>();
  const unusedChains = new Set<string>();
  const errors: string[] = [];
  for (const p of [...ruleset.problems, ...analyzeRuleset(ruleset)]) {
    const line = lineNumber(ruleset, p.span.start);
    if (p.code.startsWith('reach/')) neverReached.set(line, p.code);
    if (p.code === 'graph/unused-chain') {
      const table = [...ruleset.tables].reverse().find((t) => t.span.start <= p.span.start);
      const chain = table && [...table.chains.values()].find((c) => c.nameSpan?.start === p.span.start);
      if (table && chain) unusedChains.add(`${table.name}:${chain.name}`);
    }
    if (p.severity === 'error') errors.push(`line ${line}: ${p.code} ${p.message}`);
  }
  return { neverReached, unusedChains, errors };
}

/**
 * Trace the packet in the kernel (throws when the kernel cannot load the dump or the harness fails)
 * and in the simulator, and compare.
 */
export async function compareWithKernel(name: string, dumpText: string, packet: PacketSpec): Promise<Comparison> {
  const spec = resolvePacketSpec(packet);
  dumpText = withSaverHeader(dumpText, spec.family);
  const kernel = await kernelTraceDetailed(dumpText, spec);
  const chains = new Set(kernel.chains);
  const expected = comparable(kernel.steps, chains);
  // No step of the dump's chains: the packet was dropped after PREROUTING in a dump without chains
  // there (our tracing table armed it), or before the first hook (the node's counters show it: the
  // tracing table never saw it), or the harness failed.
  const armed = kernel.raw.some((line) => line.includes(TRACE_TABLE));
  if (expected.length === 0 && !armed && kernel.droppedOnArrival === 0) throw new Error(`the kernel printed no trace for ${name} — harness problem (raw: ${kernel.raw.join(' | ')})`);

  const ruleset = parseRuleset(dumpText, { family: spec.family });
  const result: TraceResult = tracePacket(ruleset, engineRequest(spec, kernel.sentAtSeconds) as never);
  const paths = result.paths.map((p) => ({ path: p, steps: comparable(p.steps, chains) }));
  if (expected.length === 0 && !armed) {
    const dropped = paths.length === 1 && paths[0].steps.length === 0 && paths[0].path.verdict === 'DROP';
    return dropped
      ? { kernelSteps: 0, simulatorPaths: 1, natCompared: false, neverReached: {} }
      : { kernelSteps: 0, simulatorPaths: paths.length, natCompared: false, neverReached: {}, disagreement: `the kernel dropped the packet on arrival, before any hook (${kernel.droppedOnArrival} header error), the simulator did not: ${name}\n${paths.map((p) => `--- ${p.path.verdict}: ${p.path.outcome}\n${formatSteps(p.steps)}`).join('\n')}` };
  }
  const claims = lintClaims(ruleset);
  const flagged = claims.neverReached;
  const neverReached: Record<string, number> = {};
  for (const code of flagged.values()) neverReached[code] = (neverReached[code] ?? 0) + 1;
  if (claims.unusedChains.size) neverReached['graph/unused-chain'] = claims.unusedChains.size;
  const base = { kernelSteps: expected.length, simulatorPaths: paths.length, natCompared: false, neverReached };
  // The kernel loaded the dump: an error the lint reports on it says the kernel would not have.
  if (claims.errors.length) return { ...base, disagreement: `the kernel loaded the dump, but the lint reports ${claims.errors.length} error(s): ${name}\n${claims.errors.join('\n')}` };
  const inUnused = kernel.steps.find((step) => claims.unusedChains.has(`${step.table}:${step.chain}`));
  if (inUnused) return { ...base, disagreement: `the kernel evaluated chain ${inUnused.chain}, which the analysis reports as graph/unused-chain: ${name}\n--- kernel:\n${formatSteps(expected)}` };
  const matching = paths.filter((p) => JSON.stringify(p.steps) === JSON.stringify(expected));
  if (matching.length > 0) {
    // The analyses' claims, held to the kernel: the rules it matched (the path's steps, numbered as
    // the kernel numbers them, carry their lines) include none the analysis says no packet gets to.
    for (const step of matching[0].path.steps) {
      const code = step.kind === 'rule' && step.line != null ? flagged.get(step.line) : undefined;
      if (code) return { ...base, disagreement: `the kernel matched line ${step.line}, which the analysis reports as ${code}: ${name}\npacket: ${JSON.stringify(engineRequest(spec, kernel.sentAtSeconds))}\n--- kernel:\n${formatSteps(expected)}` };
    }
    // The same path; then the same NAT: the connection conntrack kept is the packet the path ends with.
    const after = kernel.conntrack;
    if (!after) return base;
    const claims = matching.map((p) => natClaim(p.path, dumpText));
    const sent = { src: canonicalAddress(spec.src), dst: canonicalAddress(spec.dst), sport: spec.sport, dport: spec.dport };
    const natApplied = JSON.stringify(after) !== JSON.stringify(spec.proto === 'icmp' ? { src: sent.src, dst: sent.dst } : sent);
    if (claims.some((claim) => sameNat(claim, after))) return { ...base, natCompared: true, natApplied };
    return {
      ...base,
      natCompared: true,
      disagreement: `same path, other NAT for: ${name}\npacket: ${JSON.stringify({ ...engineRequest(spec, kernel.sentAtSeconds), ipsets: spec.ipsets })}\n` +
        `--- kernel (conntrack): ${formatTuple(after)}\n--- simulator: ${claims.map((c) => formatTuple(c) + (c.portsClaimed ? '' : ' (ports not claimed)')).join(' | ')}\n--- path:\n${formatSteps(expected)}`,
    };
  }

  const report = paths.map((p, i) => {
    const at = firstDifference(expected, p.steps);
    return `--- simulator path ${i + 1}/${paths.length} (p=${p.path.probability}, ${p.path.verdict}: ${p.path.outcome}), first difference at step ${at + 1}:\n${formatSteps(p.steps)}`;
  }).join('\n');
  return {
    ...base,
    disagreement: `kernel trace is none of the simulator's ${paths.length} path(s) for: ${name}\n` +
      `packet: ${JSON.stringify({ ...engineRequest(spec, kernel.sentAtSeconds), ipsets: spec.ipsets })}\n--- kernel:\n${formatSteps(expected)}\n${report}`,
  };
}

/** What the simulator's path says the packet looks like as it leaves, and whether it claims the ports. */
interface NatClaim extends ConntrackTuple {
  /**
   * false when a NAT on the path picks a port at random in the kernel (SNAT/MASQUERADE with a port
   * range or --random/--random-fully: nf_nat_l4proto_unique_tuple draws the source port), which the
   * simulator shows as one possible port only
   */
  portsClaimed: boolean;
}

function natClaim(path: TraceResult['paths'][number], dumpText: string): NatClaim {
  const lines = dumpText.split('\n');
  const randomPort = path.steps.some((step) => {
    if (step.kind !== 'rule' || step.line == null) return false;
    const text = lines[step.line - 1] ?? '';
    return /-j (SNAT|MASQUERADE)\b/.test(text) && /--random|--to-ports|--to-source \S*\]?:\d/.test(text);
  });
  const { src, dst, sport, dport } = path.packet;
  return { src: canonicalAddress(src), dst: canonicalAddress(dst), sport, dport, portsClaimed: !randomPort };
}

function sameNat(claim: NatClaim, kernel: ConntrackTuple): boolean {
  if (claim.src !== kernel.src || claim.dst !== kernel.dst) return false;
  return !claim.portsClaimed || (claim.sport === kernel.sport && claim.dport === kernel.dport);
}

function formatTuple(t: ConntrackTuple): string {
  const at = (address: string, port?: number) => (port === undefined ? address : address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
  return `${at(t.src, t.sport)} -> ${at(t.dst, t.dport)}`;
}

let installedVersion: string | undefined;

/**
 * The oracle loads every dump with this machine's iptables-nft, and some behaviour depends on the
 * version that loads a dump (server/src/netfilter/saved-by.ts): a dump without a `# Generated by`
 * header gets the one this machine's iptables-nft-save would write, so the simulator knows it too.
 */
export function withSaverHeader(dumpText: string, family: 'ipv4' | 'ipv6'): string {
  if (/^# Generated by /m.test(dumpText.slice(0, 2048))) return dumpText;
  installedVersion ??= /v(\d+(?:\.\d+)*)/.exec(execFileSync('iptables-nft', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  return `# Generated by ${family === 'ipv6' ? 'ip6tables' : 'iptables'}-nft-save v${installedVersion} (nf_tables)\n${dumpText}`;
}
