// What kube-proxy's (and kubelet's) chains are for, and what a dump says about one hashed chain:
// the service port behind it, whether its hash recomputes, the endpoints it balances to with their
// effective probabilities, the endpoint a KUBE-SEP chain DNATs to, the traffic policy of KUBE-EXT.
// Pure: reads the model only. Rule shapes follow pkg/proxy/iptables/proxier.go (see
// /work/shared/notes/kube-proxy-facts.md and the seed dumps).

import type { Rule, Table } from '../model';
import { optionText } from '../parser';
import { TARGET_OPTIONS } from '../rule-templates';
import { parseKubeChainName, servicePortNameFromComment, verifyKubeChainName, type KubeChainKind } from './hash';

export type KubeProxyMode = 'iptables' | 'ipvs' | 'iptables and ipvs';

export interface KubeChainRole {
  /** one sentence: what the chain does */
  role: string;
  /** which kube-proxy mode writes it; kubelet chains say so in `writer` */
  mode: KubeProxyMode;
  writer: 'kube-proxy' | 'kubelet' | 'kubelet and kube-proxy';
  hashedKind?: KubeChainKind;
}

interface FixedRole {
  role: string | Record<string, string>;
  mode: KubeProxyMode;
  writer: KubeChainRole['writer'];
}

const FIXED: Record<string, FixedRole> = {
  'KUBE-SERVICES': {
    role: {
      nat: 'Entry point for Service traffic: one rule per ClusterIP / external IP / load-balancer IP and port jumps to the service port\'s chain; the last rule sends traffic for local addresses to KUBE-NODEPORTS.',
      filter: 'Rejects new connections to service ports that have no endpoints (and, with firewall rules, traffic to service IPs it must not reach).',
      default: 'Entry point for Service traffic.',
    },
    mode: 'iptables and ipvs',
    writer: 'kube-proxy',
  },
  'KUBE-NODEPORTS': {
    role: {
      nat: 'Matches NodePort destination ports (traffic to a local address) and jumps to the service port\'s KUBE-EXT chain.',
      filter: 'Accepts traffic to the health-check node ports of services with externalTrafficPolicy: Local.',
      default: 'NodePort handling.',
    },
    mode: 'iptables and ipvs',
    writer: 'kube-proxy',
  },
  'KUBE-MARK-MASQ': { role: 'Sets the masquerade bit of the packet mark (0x4000, bit 14 by default) so that KUBE-POSTROUTING SNATs the packet.', mode: 'iptables and ipvs', writer: 'kubelet and kube-proxy' },
  'KUBE-MARK-DROP': { role: 'Sets the drop bit of the packet mark (0x8000, bit 15); older kubelet / kube-proxy versions drop such packets in KUBE-FIREWALL.', mode: 'iptables and ipvs', writer: 'kubelet and kube-proxy' },
  'KUBE-POSTROUTING': { role: 'Masquerades (SNATs) packets that carry the masquerade mark bit, clearing the bit first; other packets return unchanged.', mode: 'iptables and ipvs', writer: 'kube-proxy' },
  'KUBE-FORWARD': { role: 'Lets service traffic through the filter FORWARD hook: drops conntrack-INVALID packets, accepts packets with the masquerade mark and established/related connections.', mode: 'iptables and ipvs', writer: 'kube-proxy' },
  'KUBE-FIREWALL': { role: 'Written by kubelet: drops packets to 127.0.0.0/8 that do not come from 127.0.0.0/8 (protection for route_localnet); older versions also drop packets with the drop mark bit 0x8000.', mode: 'iptables and ipvs', writer: 'kubelet' },
  'KUBE-PROXY-FIREWALL': { role: 'Enforces loadBalancerSourceRanges: drops load-balancer traffic that the service\'s KUBE-FW chain did not accept.', mode: 'iptables', writer: 'kube-proxy' },
  'KUBE-EXTERNAL-SERVICES': { role: 'Rejects or drops external traffic (NodePort, external IPs, load-balancer IPs) to service ports that have no endpoints, or no local endpoints under externalTrafficPolicy: Local.', mode: 'iptables', writer: 'kube-proxy' },
  'KUBE-KUBELET-CANARY': { role: 'Empty canary chain: kubelet re-creates its rules when this chain disappears (e.g. after a firewall reload flushed the tables).', mode: 'iptables and ipvs', writer: 'kubelet' },
  'KUBE-PROXY-CANARY': { role: 'Empty canary chain: kube-proxy resyncs all its rules when this chain disappears (e.g. after a firewall reload flushed the tables).', mode: 'iptables and ipvs', writer: 'kube-proxy' },
  'KUBE-IPTABLES-HINT': { role: 'Empty marker chain in mangle: tells containerized tools which iptables backend (legacy or nft) the host\'s kubelet uses.', mode: 'iptables and ipvs', writer: 'kubelet' },
  'KUBE-LOAD-BALANCER': { role: 'IPVS mode: handles traffic to load-balancer IPs (ipsets KUBE-LOAD-BALANCER*), masquerading it as needed.', mode: 'ipvs', writer: 'kube-proxy' },
  'KUBE-NODE-PORT': { role: 'IPVS mode: handles NodePort traffic matched through the KUBE-NODE-PORT-* ipsets, masquerading it as needed.', mode: 'ipvs', writer: 'kube-proxy' },
  'KUBE-LOOP-BACK': { role: 'IPVS mode: hairpin traffic (an endpoint reaching itself through its service), matched with the KUBE-LOOP-BACK ipset and masqueraded.', mode: 'ipvs', writer: 'kube-proxy' },
  'KUBE-SOURCE-RANGES-FIREWALL': { role: 'IPVS mode: drops load-balancer traffic whose source is outside loadBalancerSourceRanges.', mode: 'ipvs', writer: 'kube-proxy' },
  'KUBE-IPVS-FILTER': { role: 'IPVS mode: drops traffic to addresses bound to the kube-ipvs0 dummy interface that is not for a service port.', mode: 'ipvs', writer: 'kube-proxy' },
  'KUBE-IPVS-OUT-FILTER': { role: 'IPVS mode: filters locally generated traffic to IPVS virtual addresses.', mode: 'ipvs', writer: 'kube-proxy' },
};
Object.setPrototypeOf(FIXED, null); // keys come from dumps: `constructor` must not find Object's

const HASHED: Record<KubeChainKind, string> = {
  service: 'Load-balances one service port across all its ready endpoints (statistic random rules), after marking traffic from outside the pod network for masquerade.',
  'service-local': 'Load-balances one service port across the endpoints on this node only (internalTrafficPolicy / externalTrafficPolicy: Local).',
  external: 'External traffic (NodePort, external IP, load-balancer IP) for one service port: marks it for masquerade where needed and sends it to the service chain (Cluster policy) or the local-endpoints chain (Local policy).',
  firewall: 'loadBalancerSourceRanges for one service port: traffic from an allowed source range continues to KUBE-EXT; the rest is left for KUBE-PROXY-FIREWALL to drop.',
  'load-balancer-local': 'Older kube-proxy (before v1.24): external traffic for a service with externalTrafficPolicy: Local, balanced across local endpoints only.',
  endpoint: 'One endpoint of a service port: marks hairpin traffic (from the endpoint itself) for masquerade and DNATs to the endpoint.',
};
Object.setPrototypeOf(HASHED, null); // keys come from dumps: `constructor` must not find Object's

export function kubeChainRole(name: string, table?: string): KubeChainRole | undefined {
  const fixed = FIXED[name];
  if (fixed) {
    const role = typeof fixed.role === 'string' ? fixed.role : fixed.role[table ?? ''] ?? fixed.role.default;
    return { role, mode: fixed.mode, writer: fixed.writer };
  }
  const parsed = parseKubeChainName(name);
  if (parsed) return { role: HASHED[parsed.kind], mode: 'iptables', writer: 'kube-proxy', hashedKind: parsed.kind };
  if (name.startsWith('KUBE-NODE-PORT-')) return { role: 'IPVS mode: NodePort handling for one protocol/family.', mode: 'ipvs', writer: 'kube-proxy' };
  return undefined;
}

// ---------------------------------------------------------------- facts about one hashed chain

export interface KubeEndpointShare {
  /** `ip:port` from the branch comment or the KUBE-SEP chain's DNAT */
  endpoint?: string;
  /** the KUBE-SEP chain the branch jumps to */
  chain: string;
  /** probability that a new connection takes this branch (statistic p_i times all earlier misses) */
  probability: number;
  rule: Rule;
}

export interface KubeChainFacts {
  kind: KubeChainKind;
  servicePortName?: string;
  protocol?: string;
  /** whether the chain's hash recomputes from the service port name (and endpoint) */
  hashCheck?: { matches: boolean; expectedName: string };
  /** KUBE-SVC / KUBE-SVL / KUBE-XLB: where new connections go */
  endpoints?: KubeEndpointShare[];
  /** rules that pin a client to an endpoint (sessionAffinity: ClientIP, `-m recent --rcheck`) */
  affinityRules?: number;
  /** KUBE-SEP: the DNAT destination */
  dnatTo?: { endpoint: string; rule: Rule };
  /** KUBE-EXT / KUBE-FW / KUBE-XLB: externalTrafficPolicy as implemented */
  trafficPolicy?: { policy: 'Cluster' | 'Local'; reason: string };
}

export function optionArg(rule: Rule, name: string, owner?: string): string | undefined {
  const read = optionText(rule, owner ?? '*', name); // big dumps: from the line, no model built
  if (read !== undefined) return read?.text;
  for (const match of rule.matches) {
    if (owner && match.module !== owner) continue;
    for (const option of match.options) if (option.name === name) return option.args[0]?.text;
  }
  return undefined;
}

function commentOf(rule: Rule): string | undefined {
  return optionArg(rule, 'comment', 'comment');
}

function protocolOf(rule: Rule): string | undefined {
  const protocol = rule.criteria.protocol;
  if (!protocol || protocol.negated) return undefined;
  return protocol.args[0]?.text.toLowerCase();
}

/** The effective probability of a statistic-random rule (1 when it has none; undefined for nth mode). */
export function statisticProbability(rule: Rule): number | undefined {
  for (const match of rule.matches) {
    if (match.module !== 'statistic') continue;
    const mode = match.options.find((o) => o.name === 'mode')?.args[0]?.text;
    const probability = match.options.find((o) => o.name === 'probability');
    if (mode === 'random' && probability?.args[0]) {
      const p = Number(probability.args[0].text);
      if (!Number.isFinite(p)) return undefined;
      return probability.negated ? 1 - p : p;
    }
    return undefined;
  }
  return 1;
}

/**
 * For each rule of a chain, the probability that a packet reaching the chain is taken by that
 * rule's statistic branch: p_i × Π_{j<i} (1 − p_j), over the rules from the first one that uses
 * `-m statistic` on (earlier rules, like kube-proxy's masquerade rule, do not take packets away).
 * Rules without statistic after that count as p = 1 (the catch-all last endpoint).
 */
export function branchProbabilities(rules: readonly Rule[]): Map<Rule, number> {
  const result = new Map<Rule, number>();
  let remaining = 1;
  const first = rules.findIndex((r) => r.matches.some((m) => m.module === 'statistic'));
  for (const rule of first < 0 ? rules : rules.slice(first)) {
    const p = statisticProbability(rule);
    if (p === undefined) continue;
    result.set(rule, remaining * p);
    remaining *= 1 - p;
  }
  return result;
}

function hasRecentCheck(rule: Rule): boolean {
  return rule.matches.some((m) => m.module === 'recent' && m.options.some((o) => o.name === 'rcheck' || o.name === 'update'));
}

function dnatOf(rule: Rule): string | undefined {
  return rule.target?.name === 'DNAT' ? targetOptionArg(rule, 'to-destination') : undefined;
}

/**
 * The first argument of the target's option `name` (`--to-destination` of a DNAT): read from the
 * rule's line when its template tells where (big dumps: no target model built), else from the model.
 */
export function targetOptionArg(rule: Rule, name: string): string | undefined {
  const read = optionText(rule, TARGET_OPTIONS, name);
  if (read !== undefined) return read?.text;
  return rule.target?.options.find((o) => o.name === name)?.args[0]?.text;
}

/** Facts the dump gives about a hashed kube chain; undefined for other chains. `callers` are the rules that jump to it. */
export function kubeChainFacts(table: Table, chainName: string, callers: readonly Rule[]): KubeChainFacts | undefined {
  const parsed = parseKubeChainName(chainName);
  if (!parsed) return undefined;
  const chain = table.chains.get(chainName);
  const rules = chain?.rules ?? [];
  const facts: KubeChainFacts = { kind: parsed.kind };

  let endpoint: string | undefined;
  for (const rule of [...rules, ...callers]) {
    const comment = commentOf(rule);
    const subject = comment ? servicePortNameFromComment(comment) : undefined;
    if (subject && !facts.servicePortName) facts.servicePortName = subject.servicePortName;
    if (!facts.protocol) facts.protocol = protocolOf(rule);
    if (facts.servicePortName && facts.protocol) break;
  }

  if (parsed.kind === 'endpoint') {
    for (const rule of rules) {
      const to = dnatOf(rule);
      if (to) {
        facts.dnatTo = { endpoint: to, rule };
        facts.protocol ??= protocolOf(rule);
        break;
      }
    }
    endpoint = facts.dnatTo?.endpoint;
  }

  if (parsed.kind === 'service' || parsed.kind === 'service-local' || parsed.kind === 'load-balancer-local') {
    const branches = rules.filter((r) => r.target?.name.startsWith('KUBE-SEP-') && !hasRecentCheck(r));
    facts.affinityRules = rules.filter((r) => hasRecentCheck(r)).length || undefined;
    const shares = branchProbabilities(branches);
    facts.endpoints = branches.map((rule) => {
      const sep = rule.target!.name;
      const comment = commentOf(rule);
      const fromComment = comment ? servicePortNameFromComment(comment)?.endpoint : undefined;
      const sepRules = table.chains.get(sep)?.rules ?? [];
      const fromDnat = sepRules.map(dnatOf).find((x) => x !== undefined);
      return { endpoint: fromComment ?? fromDnat, chain: sep, probability: shares.get(rule) ?? 0, rule };
    });
  }

  if (parsed.kind === 'external' || parsed.kind === 'firewall' || parsed.kind === 'load-balancer-local') {
    facts.trafficPolicy = trafficPolicyOf(table, chainName, parsed.kind);
  }

  if (facts.servicePortName) {
    const protocols = facts.protocol ? [facts.protocol] : ['tcp', 'udp', 'sctp'];
    for (const protocol of protocols) {
      const check = verifyKubeChainName(chainName, facts.servicePortName, protocol, parsed.kind === 'endpoint' ? endpoint : undefined);
      if (!check) break;
      if (check.matches || protocol === protocols[protocols.length - 1]) {
        facts.hashCheck = { matches: check.matches, expectedName: check.expectedName };
        if (check.matches) facts.protocol = protocol;
        break;
      }
    }
  }
  return facts;
}

function trafficPolicyOf(table: Table, chainName: string, kind: KubeChainKind, depth = 0): KubeChainFacts['trafficPolicy'] {
  if (kind === 'load-balancer-local') return { policy: 'Local', reason: 'KUBE-XLB chains exist only for externalTrafficPolicy: Local' };
  const rules = table.chains.get(chainName)?.rules ?? [];
  if (kind === 'firewall') {
    // KUBE-FW hands accepted traffic to the KUBE-EXT chain (or, in older versions, KUBE-SVC / KUBE-XLB).
    for (const rule of rules) {
      const target = rule.target?.name ?? '';
      if (target.startsWith('KUBE-EXT-') && depth < 2) {
        const inner = trafficPolicyOf(table, target, 'external', depth + 1);
        return inner ? { policy: inner.policy, reason: `via ${target}: ${inner.reason}` } : undefined;
      }
      if (target.startsWith('KUBE-XLB-')) return { policy: 'Local', reason: `jumps to ${target}` };
      if (target.startsWith('KUBE-SVC-')) return { policy: 'Cluster', reason: `jumps to ${target}` };
    }
    return undefined;
  }
  const local = rules.find((r) => r.target?.name.startsWith('KUBE-SVL-'));
  const srcTypeLocal = rules.some((r) => r.matches.some((m) => m.module === 'addrtype' && m.options.some((o) => o.name === 'src-type' && o.args[0]?.text === 'LOCAL')));
  if (local) {
    return { policy: 'Local', reason: `jumps to ${local.target!.name} (local endpoints only)${srcTypeLocal ? ' and short-circuits traffic from this node (--src-type LOCAL) to the cluster-wide chain' : ''}` };
  }
  if (rules.some((r) => r.target?.name.startsWith('KUBE-SVC-'))) return { policy: 'Cluster', reason: 'sends all external traffic to the cluster-wide KUBE-SVC chain' };
  if (rules.some((r) => r.target?.name === 'DROP' && /has no local endpoints/.test(commentOf(r) ?? ''))) {
    return { policy: 'Local', reason: 'drops the traffic: the service has no local endpoints' };
  }
  return undefined;
}

/** `0.3333` → `33.3%`, `0.5` → `50%`. */
export function formatPercent(probability: number): string {
  const percent = probability * 100;
  const rounded = Math.round(percent * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)}%`;
}
