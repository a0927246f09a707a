// Which "▶ Trace" code lenses a dump gets, and the packet a rule's lens traces.
//
// Two kinds of lens:
// - above every built-in chain declaration (`:PREROUTING ACCEPT [0:0]`): "▶ Trace packet…" asks
//   for a packet and starts the trace at that chain's hook;
// - above every rule whose matches name a concrete destination (kube-proxy's KUBE-SERVICES and
//   KUBE-NODEPORTS rules, DNAT rules, plain `-d … --dport …` rules): "▶ Trace a matching packet"
//   traces a packet synthesized to satisfy the rule.
//
// Finding the sites is one cheap pass over the rules (a 100k-rule dump must stay fast); the
// packet is synthesized only when the editor resolves a lens that is on screen.
//
// Pure: no editor or node imports.

import { isBuiltinChain, type Chain, type OptionUse, type Rule, type Ruleset } from '../model';
import { compileCidr, parseIPv4, parseIPv6 } from '../trace/net';
import { inferLocalAddresses, inferLocalAddressesSteps } from '../trace/simulate';
import { lineOf as lineOfOffset } from '../positions';
import { genericOptionText, optionText, ruleOutline } from '../parser';
import { TARGET_OPTIONS } from '../rule-templates';
import { explainEmptyShape } from '../analysis/constraints';
import { CONNTRACK_STATE_OPTION, listedValues } from '../extensions/matches/conntrack';
import { dscpOptionValue } from '../extensions/matches/dscp';
import { parseTos } from '../extensions/matches/tos';
import { PKTTYPE_OPTION } from '../extensions/matches/pkttype';
import { valueWord } from '../values';
import { loaderQuirksOf } from '../saved-by';
import { runToEnd, type Steps } from '../steps';
import { formatHexString, stringSearch, type StringSearch } from '../extensions/matches/string';
import { ECN_NAMES, MAX_PAYLOAD, lengthWithPayload } from '../packet-bytes';
import { protocolNumber } from '../packet';
import { parseIntRange, parseNumber } from '../extensions/common';
import { linuxSynOptions } from '../tcp-options';
import { destinationKind, groupAlwaysJoined, readNodeAddresses } from '../trace/destinations';

/** Rule lenses beyond this many are not offered (the hook lenses always are). */
export const DEFAULT_MAX_RULE_LENSES = 2000;

export type LensKind = 'hook' | 'rule';

export interface LensSite {
  kind: LensKind;
  /** 0-based line the lens sits above */
  line: number;
  /** the text the lens is attached to (chain declaration or rule line) */
  start: number;
  end: number;
  table: string;
  chain: string;
}

export interface LensSites {
  sites: LensSite[];
  /** the cap was reached: rules after the last rule lens were not looked at */
  capped: boolean;
}

export interface LensSiteOptions {
  maxRuleLenses?: number;
}

/** Lens positions, in document order. Cheap: no packet is synthesized here. */
export function findLensSites(ruleset: Ruleset, options: LensSiteOptions = {}): LensSites {
  const maxRuleLenses = options.maxRuleLenses ?? DEFAULT_MAX_RULE_LENSES;
  const sites: LensSite[] = [];
  let ruleLenses = 0;
  for (const table of ruleset.tables) {
    for (const chain of table.chains.values()) {
      if (chain.builtin && chain.declSpan) {
        sites.push({ kind: 'hook', line: lineOf(ruleset, chain.declSpan.start), start: chain.declSpan.start, end: chain.declSpan.end, table: table.name, chain: chain.name });
      }
      // Past the cap only hook lenses are wanted: the rules are not read (nor made, on a big dump).
      if (ruleLenses >= maxRuleLenses) continue;
      for (const rule of chain.rules) {
        if (!ruleNamesConcreteDestination(rule)) continue;
        sites.push({ kind: 'rule', line: rule.line, start: rule.span.start, end: rule.span.end, table: table.name, chain: chain.name });
        if (++ruleLenses >= maxRuleLenses) break;
      }
    }
  }
  sites.sort((a, b) => a.start - b.start);
  return { sites, capped: ruleLenses >= maxRuleLenses };
}

/**
 * Whether a rule gets "▶ Trace a matching packet": a DNAT rule, a KUBE-NODEPORTS rule with a port,
 * or a rule naming both a destination address and a destination port (not negated).
 */
export function ruleNamesConcreteDestination(rule: Rule): boolean {
  if (rule.broken || rule.otherFamily) return false; // (a rule the restore skips: no packet reaches it)
  if (rule.target?.name === 'DNAT') {
    // From the rule's template when the parser can (reading the options makes them, 30k at 10k services).
    const fromLine = optionText(rule, TARGET_OPTIONS, 'to-destination');
    if (fromLine !== undefined ? fromLine !== null : rule.target.options.some((o) => o.name === 'to-destination')) return true;
  }
  const outline = ruleOutline(rule); // big dumps: answer from the rule's template, no model built
  if (outline) {
    if (!outline.matchOptions.some((o) => !o.negated && DESTINATION_PORT_OPTIONS.includes(o.name))) return false;
    if (rule.chain === 'KUBE-NODEPORTS') return true;
    return outline.generic.some((o) => o.name === 'destination' && !o.negated);
  }
  const port = positiveOption(rule, DESTINATION_PORT_OPTIONS);
  if (!port) return false;
  if (rule.chain === 'KUBE-NODEPORTS') return true;
  const destination = rule.criteria.destination;
  return !!destination && !destination.negated;
}
const DESTINATION_PORT_OPTIONS = ['dport', 'dports', 'ports'];

// ---------------------------------------------------------------------------------------------
// The packet for a rule

export interface NodeSettings {
  /** the node's own addresses (setting `iptables-lens.nodeAddresses`) */
  nodeAddresses?: string[];
  /** setting `iptables-lens.defaultInInterface` */
  defaultInInterface?: string;
}

/** Who sends the synthesized packet. */
export type SourceRole = 'pod' | 'external' | 'node' | 'rule';

export interface SynthesizedPacket {
  /** the packet in the one-line syntax; absent when something must be asked (see `missing`) */
  packetLine?: string;
  /** what to pre-fill the input box with when `packetLine` is absent */
  suggestion?: string;
  /** what could not be determined, e.g. `the node's address` */
  missing?: string;
  role: SourceRole;
  /** lens title, saying where the source was chosen */
  title: string;
  /** one sentence for the tooltip / trace notes */
  explanation: string;
  /** hook the packet enters first (PREROUTING, or OUTPUT for `from local`) */
  fromLocal: boolean;
}

/** Address used as "a client outside the cluster" (RFC 1918, never a pod or service address in the seeds). */
export const EXTERNAL_CLIENT = '192.168.50.9';
const EXTERNAL_CLIENT_FALLBACK = '203.0.113.9';
export const DEFAULT_POD_CIDR = '10.244.0.0/16';
/** Offset of the synthesized pod inside the pod CIDR (10.244.0.0/16 → 10.244.0.9). */
const POD_HOST_OFFSET = 9;

/** What the synthesis learned from the rule and the rules that jump to it. */
interface Constraints {
  destination?: string;
  destinationFromCidr?: boolean;
  dport?: number;
  proto?: string;
  source?: string;
  sourceNegated?: string;
  inIface?: string;
  outIface?: string;
  state?: string;
  mark?: string;
  /** DSCP 0–63 a dscp / tos match asks for */
  dscp?: number;
  /** the ECN field (0–3) an ecn or tos match asks for */
  ecn?: number;
  /** broadcast / multicast, when a pkttype match asks for it */
  pkttype?: string;
  /** the MSS a tcpmss match asks for (the packet carries a Linux SYN's options with it) */
  tcpMss?: number;
  /** a --tcp-option test asks for an option a Linux SYN carries */
  linuxTcpOption?: boolean;
  /** the ways through IPsec a policy match asks for (`none`, `in`, `out`) */
  ipsec?: 'none' | 'in' | 'out';
  /** the search of the first `-m string` the packet must satisfy (its payload carries the pattern) */
  stringSearch?: StringSearch;
  /** a chain on the way is KUBE-NODEPORTS */
  nodePort: boolean;
  /** the destination came from a KUBE-SERVICES rule (a ClusterIP / external IP) */
  clusterIp: boolean;
  /** built-in chains the rule is reachable from (through jumps) */
  entryChains: Set<string>;
}

/** Synthesize a packet that satisfies `rule` and says where its source comes from. */
export function synthesizePacketForRule(ruleset: Ruleset, rule: Rule, settings: NodeSettings = {}): SynthesizedPacket {
  const c = gatherConstraints(ruleset, rule);
  const podCidr = findPodCidr(ruleset);
  const given = readNodeAddresses(settings.nodeAddresses ?? []);
  const nodeAddresses = given.addresses.length ? given.addresses : inferLocalAddresses(ruleset);
  const nodeAddress = nodeAddresses.find((a) => a.includes(':') === (ruleset.family === 'ipv6') && destinationKind(a) === 'unicast');
  const v6 = ruleset.family === 'ipv6';
  const onlyFromLocal = c.entryChains.size > 0 && [...c.entryChains].every((chain) => chain === 'OUTPUT');

  let role: SourceRole;
  let source: string;
  let why: string;
  // An address of the other family (a host name to the parser, e.g. `0x0.0.0.5` in an IPv6 dump)
  // cannot be a packet's destination here: ask for one instead.
  let destination = c.destination !== undefined && c.destination.includes(':') === v6 ? c.destination : undefined;
  let missing: string | undefined;
  if (c.nodePort) {
    role = 'external';
    source = externalClient(podCidr, v6);
    why = `from a client outside the pod CIDR ${podCidr} (${source}) to the node`;
    if (nodeAddress) destination = nodeAddress;
    else {
      destination = undefined;
      missing = "the node's address (set iptables-lens.nodeAddresses)";
    }
  } else if (c.source) {
    role = 'rule';
    source = c.source;
    why = `source ${source} as the rule asks`;
  } else if (onlyFromLocal) {
    role = 'node';
    source = nodeAddress ?? '';
    why = 'sent by the node itself (the rule is reached only from OUTPUT)';
  } else if (c.clusterIp) {
    role = 'pod';
    source = hostInCidr(podCidr, POD_HOST_OFFSET) ?? (v6 ? 'fd00::9' : '10.244.0.9');
    why = `from a pod inside the pod CIDR ${podCidr} (${source})`;
  } else {
    role = 'external';
    source = externalClient(podCidr, v6);
    why = `from an outside client (${source})`;
  }
  let who = role === 'pod' ? `from pod ${source}` : role === 'node' ? 'from the node' : role === 'rule' ? `from ${source}` : c.nodePort ? `outside client ${source} → node` : `from outside ${source}`;
  if (c.sourceNegated && role !== 'node') {
    // `! -s 10.244.0.0/16`: the source must be outside that range.
    if (source && sourceInside(c.sourceNegated, source)) {
      source = externalClient(c.sourceNegated, v6);
      role = 'external';
    }
    why = `from a client outside ${c.sourceNegated} (${source}), as the rule's ! -s asks`;
    who = `from ${source}, outside ${c.sourceNegated}`;
  }
  if (!destination && !missing) {
    // A DNAT without -d (a port forward): the packet is addressed to the node.
    if (nodeAddress) destination = nodeAddress;
    else missing = "the packet's destination (the rule names none; set iptables-lens.nodeAddresses for the node's address)";
  }

  const fromLocal = role === 'node';
  if (fromLocal && !source && !missing) missing = "the node's own address, the packet's source (set iptables-lens.nodeAddresses)";
  const proto = c.proto ?? (c.dport !== undefined ? 'tcp' : undefined);
  const endpoint = (address: string, port?: number) => (port === undefined ? address : address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
  const sourceText = fromLocal ? (source ? `from local ${source}` : 'from local') : source;
  const tail: string[] = [];
  const inIface = fromLocal ? undefined : c.inIface ?? settings.defaultInInterface;
  if (inIface) tail.push(`in ${inIface}`);
  if (c.outIface) tail.push(`out ${c.outIface}`);
  if (c.mark) tail.push(`mark ${c.mark}`);
  if (c.state && c.state !== 'NEW') tail.push(`state ${c.state}`);
  if (c.dscp) tail.push(`dscp ${c.dscp}`);
  if (c.ecn) tail.push(`ecn ${ECN_NAMES[c.ecn]}`);
  // (a packet the node sends has no frame yet: unicast, whatever the rule asks)
  if (c.pkttype && c.pkttype !== 'unicast' && !fromLocal) tail.push(`pkttype ${c.pkttype}`);
  if ((proto ?? 'tcp') === 'tcp' && (c.tcpMss !== undefined || c.linuxTcpOption)) tail.push(`options ${c.tcpMss !== undefined ? linuxSynOptions(v6 ? 'ipv6' : 'ipv4', c.tcpMss) : 'linux'}`);
  // (a packet the node sends did not arrive through IPsec: the line would be refused)
  if (c.ipsec && !(fromLocal && c.ipsec === 'in')) tail.push(`ipsec ${c.ipsec}`);
  const payload = c.stringSearch ? payloadFor(c.stringSearch, v6, proto) : undefined;
  if (payload !== undefined) tail.push(`payload "${payload}"`);
  const lineFor = (dst: string) => [`${sourceText} -> ${endpoint(dst, c.dport)}${proto ? '/' + proto : ''}`, ...tail].join(' ');

  if (missing || !destination) {
    const placeholder = v6 ? '2001:db8::1' : 'NODE-ADDRESS';
    return {
      suggestion: lineFor(placeholder),
      missing,
      role,
      title: `▶ Trace a matching packet (${who}; asks for ${c.nodePort ? 'the node address' : 'the destination'})`,
      explanation: `Packet ${why}; ${missing ?? 'destination unknown'}.`,
      fromLocal,
    };
  }
  const packetLine = lineFor(destination);
  let caveat = '';
  const onlyInput = c.entryChains.size > 0 && [...c.entryChains].every((chain) => chain === 'INPUT');
  const kind = destinationKind(destination, given.broadcasts);
  if (onlyInput && !fromLocal && !nodeAddresses.includes(destination) && kind !== 'broadcast' && !groupAlwaysJoined(destination, nodeAddresses)) {
    // Routing sends the packet to INPUT only when the node owns the destination (or has joined the group).
    caveat = kind === 'multicast'
      ? ` The rule is reached only from INPUT: it sees this packet only if the node has joined multicast group ${destination} (name the group in iptables-lens.nodeAddresses when a process on the node has).`
      : ` The rule is reached only from INPUT: it sees this packet only if ${destination} is one of the node's addresses (iptables-lens.nodeAddresses).`;
  }
  // A rule no packet satisfies (reach/never-matches): the lens still traces the packet, and says so.
  const never = explainEmptyShape(rule, ruleset.family, loaderQuirksOf(ruleset.text));
  if (never) caveat += ` No packet matches this rule: no ${never.what} satisfies ${never.sources.map((s) => '`' + s.text + '`').join(' and ') || 'its matches'}.`;
  return {
    packetLine,
    role,
    title: never ? `▶ Trace a packet (${who}; no packet matches this rule)` : `▶ Trace a matching packet (${who})`,
    explanation: `Packet ${packetLine}: ${why}${c.destinationFromCidr ? '; destination picked inside the rule\'s -d range' : ''}.${caveat}`,
    fromLocal,
  };
}

/** A packet to pre-fill the input box with on a built-in chain's "▶ Trace packet…" lens. */
export function suggestedPacketForHook(ruleset: Ruleset, hook: string, settings: NodeSettings = {}): string {
  const podCidr = findPodCidr(ruleset);
  const v6 = ruleset.family === 'ipv6';
  const nodeAddresses = settings.nodeAddresses?.length ? readNodeAddresses(settings.nodeAddresses).addresses : inferLocalAddresses(ruleset);
  const node = nodeAddresses.find((a) => a.includes(':') === v6 && destinationKind(a) === 'unicast');
  const pod = hostInCidr(podCidr, POD_HOST_OFFSET) ?? (v6 ? 'fd00::9' : '10.244.0.9');
  const remote = v6 ? '[2001:db8::10]:443' : '93.184.216.34:443';
  const inIface = settings.defaultInInterface ?? 'eth0';
  switch (hook) {
    case 'OUTPUT':
      return `from local${node ? ' ' + node : ''} -> ${remote}/tcp`;
    case 'INPUT':
      return `${externalClient(podCidr, v6)} -> ${node ? (v6 ? `[${node}]:22` : `${node}:22`) : v6 ? '[2001:db8::1]:22' : '10.0.0.1:22'}/tcp in ${inIface}`;
    case 'FORWARD':
    case 'POSTROUTING':
      return `${pod} -> ${remote}/tcp in ${inIface}`;
    default:
      return `${externalClient(podCidr, v6)} -> ${node ? (v6 ? `[${node}]:443` : `${node}:443`) : remote}/tcp in ${inIface}`;
  }
}

/**
 * The pod CIDR, read from kube-proxy's / flannel's masquerade rules (`! -s 10.244.0.0/16 … -j
 * KUBE-MARK-MASQ`, `-s 10.244.0.0/16 ! -d 10.244.0.0/16 -j MASQUERADE`); 10.244.0.0/16 otherwise.
 */
export function findPodCidr(ruleset: Ruleset): string {
  return runToEnd(podCidrSteps(ruleset));
}

/** findPodCidr, pausing every few thousand rules; the answer is kept for the ruleset. */
function* podCidrSteps(ruleset: Ruleset): Steps<string> {
  const cached = podCidrCache.get(ruleset);
  if (cached) return cached;
  const counts = new Map<string, number>();
  let read = 0;
  for (const table of ruleset.tables) {
    if (table.name !== 'nat') continue;
    for (const chain of table.chains.values()) {
      for (const rule of chain.rules) {
        if (++read % LENS_FACTS_STEP_RULES === 0) yield;
        const target = rule.target?.name;
        if (target !== 'KUBE-MARK-MASQ' && target !== 'MASQUERADE' && target !== 'RETURN') continue;
        // (from the rule's line: 30k KUBE-MARK-MASQ jumps at 10k services, no model built for them)
        const source = genericOptionText(rule, 'source');
        const destination = target === 'KUBE-MARK-MASQ' ? undefined : genericOptionText(rule, 'destination');
        let cidr: string | undefined;
        if (target === 'KUBE-MARK-MASQ' && source?.negated) cidr = source.text;
        else if (target === 'MASQUERADE' && source && !source.negated && destination?.negated) cidr = source.text;
        else if (target === 'RETURN' && source && !source.negated && destination && !destination.negated && source.text === destination.text) cidr = source.text;
        if (cidr && cidr.includes('/') && compileCidr(cidr) && !cidr.endsWith('/32') && !cidr.endsWith('/128')) counts.set(cidr, (counts.get(cidr) ?? 0) + 1);
      }
    }
  }
  let best = ruleset.family === 'ipv6' ? 'fd00:10:244::/56' : DEFAULT_POD_CIDR;
  let bestCount = 0;
  for (const [cidr, count] of counts) if (count > bestCount && cidr.includes(':') === (ruleset.family === 'ipv6')) [best, bestCount] = [cidr, count];
  podCidrCache.set(ruleset, best);
  return best;
}

const podCidrCache = new WeakMap<Ruleset, string>();

// ---------------------------------------------------------------------------------------------
// Constraint gathering

function gatherConstraints(ruleset: Ruleset, rule: Rule): Constraints {
  const c: Constraints = { nodePort: false, clusterIp: false, entryChains: new Set() };
  // The rule itself first, then the rules on the shortest chain of jumps that leads to it and
  // names a destination (a KUBE-SEP DNAT rule learns its ClusterIP from KUBE-SERVICES).
  addRuleConstraints(c, rule, false);
  const ownDestination = !!rule.criteria.destination && !rule.criteria.destination.negated;
  for (const r of callerWay(ruleset, rule)) addRuleConstraints(c, r, ownDestination);
  c.entryChains = entryChains(ruleset, rule.table, rule.chain);
  return c;
}

/** `contextOnly`: a caller of a rule that names its own destination adds interfaces, state and mark only. */
function addRuleConstraints(c: Constraints, rule: Rule, contextOnly: boolean): void {
  addContextConstraints(c, rule);
  if (contextOnly) return;
  if (rule.chain === 'KUBE-NODEPORTS') c.nodePort = true;
  const destination = rule.criteria.destination;
  if (destination && !destination.negated && c.destination === undefined) {
    const text = destination.args[0]?.text;
    const host = text ? hostInCidr(text, 1) : undefined;
    if (host) {
      c.destination = host;
      c.destinationFromCidr = !!text && !isExactHost(text);
      if (rule.chain === 'KUBE-SERVICES') c.clusterIp = true;
    }
  }
  const source = rule.criteria.source;
  if (source) {
    const text = source.args[0]?.text;
    if (text && source.negated) c.sourceNegated ??= text;
    else if (text && c.source === undefined) c.source = hostInCidr(text, isExactHost(text) ? 0 : 9);
  }
  const protocol = rule.criteria.protocol;
  if (protocol && !protocol.negated && c.proto === undefined) {
    const p = protocol.args[0]?.text.toLowerCase();
    if (p && p !== 'all' && p !== '0') c.proto = p;
  }
  const port = positiveOption(rule, ['dport', 'dports', 'ports']);
  if (port && c.dport === undefined) {
    const first = Number(port.args[0]?.text.split(/[,:]/)[0]);
    if (Number.isInteger(first) && first >= 0 && first <= 65535) c.dport = first;
  }
}

/** Interfaces, conntrack state and mark: what a rule adds whichever way the packet came. */
function addContextConstraints(c: Constraints, rule: Rule): void {
  const inIface = rule.criteria.inInterface;
  if (inIface && !inIface.negated && c.inIface === undefined) c.inIface = concreteInterface(inIface.args[0]?.text);
  const outIface = rule.criteria.outInterface;
  if (outIface && !outIface.negated && c.outIface === undefined) c.outIface = concreteInterface(outIface.args[0]?.text);
  const state = positiveOption(rule, ['ctstate', 'state']);
  if (state && c.state === undefined) {
    // (the states as iptables reads the words: `EST` is ESTABLISHED)
    const states = listedValues(CONNTRACK_STATE_OPTION, state.args[0]?.text ?? '');
    c.state = states.includes('NEW') ? 'NEW' : states.find((s) => ['ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'].includes(s));
  }
  // the DSCP and ECN field a dscp, ecn or tos match wants, the payload of a string match, the packet type
  const dscp = rule.matches.find((m) => m.module === 'dscp')?.options.find((o) => !o.negated);
  const tos = rule.matches.find((m) => m.module === 'tos')?.options.find((o) => o.name === 'tos' && !o.negated);
  const tosValue = tos ? parseTos(tos.args[0]?.text ?? '')?.value : undefined;
  if (c.dscp === undefined) {
    const wanted = dscp ? dscpOptionValue(dscp) : tosValue === undefined ? undefined : tosValue >>> 2;
    if (wanted !== undefined) c.dscp = wanted;
  }
  const ect = rule.matches.find((m) => m.module === 'ecn')?.options.find((o) => o.name === 'ecn-ip-ect' && !o.negated);
  if (c.ecn === undefined) {
    const wanted = ect ? parseNumber(ect.args[0]?.text ?? '') : tosValue === undefined ? undefined : tosValue & 3;
    if (wanted !== undefined && wanted >= 0 && wanted <= 3) c.ecn = wanted;
  }
  const search = rule.matches.filter((m) => m.module === 'string').map(stringSearch).find((found) => found && !found.negated);
  if (search && c.stringSearch === undefined) c.stringSearch = search;
  const pkttype = rule.matches.find((m) => m.module === 'pkttype')?.options.find((o) => o.name === 'pkt-type' && !o.negated);
  if (pkttype && c.pkttype === undefined) c.pkttype = valueWord(PKTTYPE_OPTION, pkttype.args[0]?.text ?? '');
  // a Linux SYN's options, with the MSS a tcpmss match asks for
  const mss = rule.matches.find((m) => m.module === 'tcpmss')?.options.find((o) => o.name === 'mss' && !o.negated);
  const option = rule.matches.find((m) => m.module === 'tcp')?.options.find((o) => o.name === 'tcp-option' && !o.negated);
  const wanted = mss ? parseIntRange(mss.args[0]?.text ?? '')?.from : undefined;
  if (c.tcpMss === undefined && wanted !== undefined && wanted <= 0xffff) c.tcpMss = wanted;
  if (option && [1, 2, 3, 4, 8].includes(parseNumber(option.args[0]?.text ?? '') ?? -1)) c.linuxTcpOption = true;
  const policy = rule.matches.find((m) => m.module === 'policy');
  const dir = policy?.options.find((o) => o.name === 'dir')?.args[0]?.text;
  if (policy && c.ipsec === undefined && (dir === 'in' || dir === 'out')) {
    c.ipsec = policy.options.some((o) => o.name === 'pol' && o.args[0]?.text === 'none') ? 'none' : dir;
  }
  const mark = rule.matches.find((m) => m.module === 'mark')?.options.find((o) => o.name === 'mark' && !o.negated);
  if (mark && c.mark === undefined) {
    // `--mark 0x4000/0x4000`: a packet carrying exactly the value satisfies it.
    const value = mark.args[0]?.text.split('/')[0];
    if (value && /^(0x[0-9a-f]+|\d+)$/i.test(value)) c.mark = value;
  }
}

/**
 * A payload that puts a `-m string` pattern where the search looks: right after the transport header
 * (no TCP options), moved on to --from with filler bytes. Undefined when the window has no room for it.
 */
function payloadFor(search: StringSearch, v6: boolean, proto: string | undefined): string | undefined {
  const number = protocolNumber(proto ?? 'tcp') ?? 6;
  const start = lengthWithPayload(v6 ? 'ipv6' : 'ipv4', number, 0);
  const filler = Math.max(0, search.from - start);
  if (start + filler + search.pattern.length > search.to || filler + search.pattern.length > MAX_PAYLOAD) return undefined;
  return formatHexString(Uint8Array.from([...new Array<number>(filler).fill(0x2e /* . */), ...search.pattern]));
}

function positiveOption(rule: Rule, names: string[]): OptionUse | undefined {
  for (const match of rule.matches) for (const option of match.options) if (!option.negated && names.includes(option.name)) return option;
  return undefined;
}

function concreteInterface(name: string | undefined): string | undefined {
  if (!name) return undefined;
  return name.endsWith('+') ? name.slice(0, -1) + '0' : name;
}

interface CallerIndex {
  /** `table\0chain` → rules that jump or go to that chain */
  callers: Map<string, Rule[]>;
  chains: Map<string, Chain>;
}
const callerIndexCache = new WeakMap<Ruleset, CallerIndex>();

function callerIndex(ruleset: Ruleset): CallerIndex {
  return runToEnd(callerIndexSteps(ruleset));
}

/** callerIndex, pausing every few thousand rules; kept for the ruleset. */
function* callerIndexSteps(ruleset: Ruleset): Steps<CallerIndex> {
  let index = callerIndexCache.get(ruleset);
  if (index) return index;
  index = { callers: new Map(), chains: new Map() };
  let read = 0;
  for (const table of ruleset.tables) {
    for (const chain of table.chains.values()) {
      index.chains.set(`${table.name}\0${chain.name}`, chain);
      for (const rule of chain.rules) {
        if (++read % LENS_FACTS_STEP_RULES === 0) yield;
        if (rule.broken || rule.otherFamily || rule.target?.kind !== 'chain') continue;
        const key = `${table.name}\0${rule.target.name}`;
        const list = index.callers.get(key);
        if (list) list.push(rule);
        else index.callers.set(key, [rule]);
      }
    }
  }
  callerIndexCache.set(ruleset, index);
  return index;
}

/** Rules read between two pauses of the steps that gather what every lens packet needs. */
const LENS_FACTS_STEP_RULES = 2000;

/**
 * What synthesizePacketForRule and suggestedPacketForHook read about the whole ruleset — who jumps
 * where, the pod CIDR, the node's addresses — gathered a few thousand rules at a time and kept for
 * the ruleset. A language server runs this in slices before its first lens packet (at 10k services
 * the three took ≈ 0.4 s in one block inside the request).
 */
export function* prepareLensFacts(ruleset: Ruleset): Steps<void> {
  yield* callerIndexSteps(ruleset);
  yield* podCidrSteps(ruleset);
  yield* inferLocalAddressesSteps(ruleset);
}

const MAX_CALLER_DEPTH = 8;

/**
 * The rules on the shortest way of jumps into `rule`'s chain that starts at a rule naming a
 * destination (nearest first), or, if none names one, the way from a built-in chain (may be empty).
 */
function callerWay(ruleset: Ruleset, rule: Rule): Rule[] {
  // A rule naming its own destination takes only interfaces / state / mark from above (a KUBE-SVC
  // chain's masquerade rule names the ClusterIP even though a NodePort also leads there).
  const fromBuiltin = (r: Rule) => isBuiltinChain(r.table, r.chain);
  if (rule.criteria.destination && !rule.criteria.destination.negated) return waysUp(ruleset, rule, fromBuiltin) ?? [];
  return (
    waysUp(ruleset, rule, (r) => !!r.criteria.destination && !r.criteria.destination.negated) ??
    waysUp(ruleset, rule, (r) => r.chain === 'KUBE-NODEPORTS') ??
    waysUp(ruleset, rule, fromBuiltin) ??
    []
  );
}

/** Breadth-first over callers until a caller satisfies `goal`; the rules on that way, nearest first. */
function waysUp(ruleset: Ruleset, rule: Rule, goal: (r: Rule) => boolean): Rule[] | undefined {
  const index = callerIndex(ruleset);
  const seen = new Set<string>([`${rule.table}\0${rule.chain}`]);
  let frontier: Array<{ chainKey: string; way: Rule[] }> = [{ chainKey: `${rule.table}\0${rule.chain}`, way: [] }];
  for (let depth = 0; depth < MAX_CALLER_DEPTH && frontier.length; depth++) {
    const next: typeof frontier = [];
    for (const { chainKey, way } of frontier) {
      for (const caller of index.callers.get(chainKey) ?? []) {
        const extended = [...way, caller];
        if (goal(caller)) return extended;
        const key = `${caller.table}\0${caller.chain}`;
        if (seen.has(key)) continue;
        seen.add(key);
        next.push({ chainKey: key, way: extended });
      }
    }
    frontier = next;
  }
  return undefined;
}

/** Built-in chains from which `chain` can be reached by jumps. */
function entryChains(ruleset: Ruleset, table: string, chain: string): Set<string> {
  const index = callerIndex(ruleset);
  const found = new Set<string>();
  const seen = new Set<string>();
  const work = [`${table}\0${chain}`];
  while (work.length && seen.size < 5000) {
    const key = work.pop()!;
    if (seen.has(key)) continue;
    seen.add(key);
    const c = index.chains.get(key);
    if (c?.builtin) found.add(c.name);
    for (const caller of index.callers.get(key) ?? []) work.push(`${caller.table}\0${caller.chain}`);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Addresses

function isExactHost(text: string): boolean {
  const cidr = compileCidr(text);
  return !!cidr && cidr.exact;
}

function sourceInside(cidrText: string, address: string): boolean {
  const cidr = compileCidr(cidrText);
  if (!cidr) return false;
  const value = address.includes(':') ? parseIPv6(address) : parseIPv4(address);
  if (value === undefined) return false;
  if (cidr.v6) return typeof value === 'bigint' && (value & (cidr.mask as bigint)) === cidr.value;
  return typeof value === 'number' && ((value & (cidr.mask as number)) >>> 0) === cidr.value;
}

/** A host address inside `cidrText`: the address itself for a host, else network + `offset`. */
export function hostInCidr(cidrText: string, offset: number): string | undefined {
  const cidr = compileCidr(cidrText);
  if (!cidr) return undefined;
  // As the kernel reads it: `0x0.0.0.5` or `010.0.0.1` are written forms, not packet addresses.
  if (cidr.exact) return cidr.v6 ? cidrText.split('/')[0] : formatIPv4(cidr.value as number);
  if (cidr.v6) {
    const hostBits = ~(cidr.mask as bigint) & ((1n << 128n) - 1n);
    const add = BigInt(offset) <= hostBits ? BigInt(offset) : 1n;
    return formatIPv6((cidr.value as bigint) + add);
  }
  const hostBits = ~(cidr.mask as number) >>> 0;
  const add = offset <= hostBits ? offset : Math.min(1, hostBits);
  return formatIPv4(((cidr.value as number) + add) >>> 0);
}

function externalClient(avoidCidr: string, v6: boolean): string {
  if (v6) return '2001:db8:50::9';
  return sourceInside(avoidCidr, EXTERNAL_CLIENT) ? EXTERNAL_CLIENT_FALLBACK : EXTERNAL_CLIENT;
}

function formatIPv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

function formatIPv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // Compress the longest run of zero groups (RFC 5952).
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i > 1) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function lineOf(ruleset: Ruleset, offset: number): number {
  return lineOfOffset(ruleset.lineStarts, offset);
}

/**
 * The rule that starts on 0-based `line`, for callers holding only a ruleset (tests, the fuzzer);
 * the language server asks its document's navigation index (DocumentIndex.ruleOnLine) instead.
 */
export function ruleAtLine(ruleset: Ruleset, line: number): Rule | undefined {
  let index = ruleByLineCache.get(ruleset);
  if (!index) {
    index = new Map();
    for (const table of ruleset.tables) for (const chain of table.chains.values()) for (const rule of chain.rules) index.set(rule.line, rule);
    ruleByLineCache.set(ruleset, index);
  }
  return index.get(line);
}
const ruleByLineCache = new WeakMap<Ruleset, Map<number, Rule>>();
