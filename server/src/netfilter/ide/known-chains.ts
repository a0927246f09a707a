// Roles of well-known chains written by other software than kube-proxy (kube chains live in
// kube/chains.ts). One sentence each; only what the projects' own rules make clear.

export interface KnownChain {
  /** the software that writes the chain */
  owner: string;
  role: string;
}

interface Entry extends KnownChain {
  /** exact name, or a prefix when `prefix` is true */
  name: string;
  prefix?: boolean;
}

const ENTRIES: Entry[] = [
  // Docker
  { name: 'DOCKER', owner: 'Docker', role: 'Published container ports: in nat it DNATs host ports to containers, in filter it accepts traffic to those published ports.' },
  { name: 'DOCKER-USER', owner: 'Docker', role: 'Empty chain for your own rules: Docker jumps here first from FORWARD and never changes it, so rules here survive Docker restarts.' },
  { name: 'DOCKER-ISOLATION-STAGE-1', owner: 'Docker', role: 'First half of network isolation: traffic leaving a Docker bridge for another interface goes to stage 2.' },
  { name: 'DOCKER-ISOLATION-STAGE-2', owner: 'Docker', role: 'Second half of network isolation: drops traffic that would enter a different Docker bridge network.' },
  { name: 'DOCKER-INGRESS', owner: 'Docker Swarm', role: 'Swarm routing mesh: published service ports go to the ingress network.' },
  { name: 'DOCKER-FORWARD', owner: 'Docker', role: 'Forwarding rules for Docker networks (Docker 28 and later).' },
  { name: 'DOCKER-CT', owner: 'Docker', role: 'Accepts established/related traffic back into Docker networks (Docker 28 and later).' },
  { name: 'DOCKER-BRIDGE', owner: 'Docker', role: 'Per-bridge dispatch of forwarded traffic to DOCKER (Docker 28 and later).' },
  { name: 'DOCKER_OUTPUT', owner: 'Docker', role: 'Embedded DNS of user-defined networks: DNATs DNS queries for the resolver address to the port Docker\'s resolver listens on (127.0.0.11).' },
  { name: 'DOCKER_POSTROUTING', owner: 'Docker', role: 'Embedded DNS of user-defined networks: SNATs the resolver\'s replies back to the resolver address and port 53.' },
  // flannel
  { name: 'FLANNEL-FWD', owner: 'flannel', role: 'Accepts forwarded traffic from and to the pod network (flannel\'s forward rules).' },
  { name: 'FLANNEL-POSTRTG', owner: 'flannel', role: 'Masquerades pod traffic that leaves the pod network; pod-to-pod traffic returns unmasqueraded.' },
  // kind
  { name: 'KIND-MASQ-AGENT', owner: 'kind (ip-masq-agent)', role: 'Traffic to the pod CIDR returns without SNAT; everything else leaving the node is masqueraded (the last rule).' },
  // Calico
  { name: 'cali-fw-', prefix: true, owner: 'Calico', role: 'Policy for traffic *from* one workload interface (the suffix is the interface name).' },
  { name: 'cali-tw-', prefix: true, owner: 'Calico', role: 'Policy for traffic *to* one workload interface (the suffix is the interface name).' },
  { name: 'cali-pi-', prefix: true, owner: 'Calico', role: 'Inbound rules of one network policy.' },
  { name: 'cali-po-', prefix: true, owner: 'Calico', role: 'Outbound rules of one network policy.' },
  { name: 'cali-pri-', prefix: true, owner: 'Calico', role: 'Inbound rules of one profile (namespace / service account defaults).' },
  { name: 'cali-pro-', prefix: true, owner: 'Calico', role: 'Outbound rules of one profile (namespace / service account defaults).' },
  { name: 'cali-nat-outgoing', owner: 'Calico', role: 'Masquerades traffic from IP pools with natOutgoing enabled that leaves the pools.' },
  { name: 'cali-from-wl-dispatch', owner: 'Calico', role: 'Dispatches traffic from workloads to the per-interface cali-fw-* chain.' },
  { name: 'cali-to-wl-dispatch', owner: 'Calico', role: 'Dispatches traffic to workloads to the per-interface cali-tw-* chain.' },
  { name: 'cali-failsafe-', prefix: true, owner: 'Calico', role: 'Failsafe ports that stay open whatever the host endpoint policy (so you cannot lock yourself out).' },
  { name: 'cali-', prefix: true, owner: 'Calico', role: 'Calico (Felix) chain; Calico owns it and rewrites it on every sync.' },
  // Cilium
  { name: 'CILIUM_', prefix: true, owner: 'Cilium', role: 'Cilium\'s iptables hook for this table and hook (the datapath is eBPF; these rules handle host, proxy and masquerade traffic).' },
  // Weave Net
  { name: 'WEAVE', owner: 'Weave Net', role: 'Masquerades traffic between the Weave network and the outside.' },
  { name: 'WEAVE-NPC', owner: 'Weave Net', role: 'Weave network policy controller: entry chain for Kubernetes NetworkPolicy enforcement.' },
  { name: 'WEAVE-NPC-INGRESS', owner: 'Weave Net', role: 'Ingress rules of the Kubernetes NetworkPolicies.' },
  { name: 'WEAVE-NPC-EGRESS', owner: 'Weave Net', role: 'Egress rules of the Kubernetes NetworkPolicies.' },
  { name: 'WEAVE-NPC-DEFAULT', owner: 'Weave Net', role: 'Default allow rules for namespaces without isolating policies.' },
  { name: 'WEAVE-', prefix: true, owner: 'Weave Net', role: 'Weave Net chain.' },
  // ufw
  { name: 'ufw-before-', prefix: true, owner: 'ufw', role: 'Rules from /etc/ufw/before.rules, evaluated before the user rules.' },
  { name: 'ufw-user-', prefix: true, owner: 'ufw', role: 'The rules added with `ufw allow/deny …` (/etc/ufw/user.rules).' },
  { name: 'ufw-after-', prefix: true, owner: 'ufw', role: 'Rules from /etc/ufw/after.rules, evaluated after the user rules.' },
  { name: 'ufw-logging-', prefix: true, owner: 'ufw', role: 'Logging of allowed/denied packets according to the ufw logging level.' },
  { name: 'ufw-skip-to-policy-', prefix: true, owner: 'ufw', role: 'Applies the default policy of the hook (the verdict of `ufw default …`).' },
  { name: 'ufw-reject-', prefix: true, owner: 'ufw', role: 'Rejection rules for `ufw reject`.' },
  { name: 'ufw-track-', prefix: true, owner: 'ufw', role: 'Tracks new connections so later packets of them are accepted.' },
  { name: 'ufw-', prefix: true, owner: 'ufw', role: 'ufw chain.' },
  { name: 'ufw6-', prefix: true, owner: 'ufw', role: 'ufw chain (IPv6).' },
  // firewalld (iptables backend)
  { name: 'INPUT_direct', owner: 'firewalld', role: 'Direct rules (`firewall-cmd --direct`) for INPUT.' },
  { name: 'FORWARD_direct', owner: 'firewalld', role: 'Direct rules (`firewall-cmd --direct`) for FORWARD.' },
  { name: 'OUTPUT_direct', owner: 'firewalld', role: 'Direct rules (`firewall-cmd --direct`) for OUTPUT.' },
  { name: 'PREROUTING_direct', owner: 'firewalld', role: 'Direct rules (`firewall-cmd --direct`) for PREROUTING.' },
  { name: 'POSTROUTING_direct', owner: 'firewalld', role: 'Direct rules (`firewall-cmd --direct`) for POSTROUTING.' },
  { name: 'INPUT_ZONES', owner: 'firewalld', role: 'Dispatches incoming traffic to the zone of its interface or source (IN_<zone>).' },
  { name: 'FORWARD_IN_ZONES', owner: 'firewalld', role: 'Dispatches forwarded traffic to the zone of its input interface (FWDI_<zone>).' },
  { name: 'FORWARD_OUT_ZONES', owner: 'firewalld', role: 'Dispatches forwarded traffic to the zone of its output interface (FWDO_<zone>).' },
  { name: 'IN_', prefix: true, owner: 'firewalld', role: 'Incoming traffic of one zone (with _allow, _deny, _log, _pre, _post sub-chains).' },
  { name: 'FWDI_', prefix: true, owner: 'firewalld', role: 'Forwarded traffic entering one zone.' },
  { name: 'FWDO_', prefix: true, owner: 'firewalld', role: 'Forwarded traffic leaving one zone.' },
  // fail2ban
  { name: 'f2b-', prefix: true, owner: 'fail2ban', role: 'Banned addresses of one jail (the suffix is the jail name); banned sources are rejected or dropped, the rest returns.' },
  { name: 'fail2ban-', prefix: true, owner: 'fail2ban', role: 'Banned addresses of one jail (older fail2ban naming).' },
  // libvirt
  { name: 'LIBVIRT_', prefix: true, owner: 'libvirt', role: 'libvirt virtual network rules (INP input, OUT output, FWI/FWO/FWX forwarding, PRT postrouting NAT).' },
  // Istio
  { name: 'ISTIO_', prefix: true, owner: 'Istio', role: 'Istio sidecar traffic capture: redirects the pod\'s inbound / outbound TCP to the Envoy proxy (ports 15001 / 15006).' },
];

const EXACT = new Map(ENTRIES.filter((e) => !e.prefix).map((e) => [e.name, e]));
// Longest prefix first, so `cali-fw-` wins over `cali-`.
const PREFIXES = ENTRIES.filter((e) => e.prefix).sort((a, b) => b.name.length - a.name.length);

export function knownChain(name: string): KnownChain | undefined {
  const exact = EXACT.get(name);
  if (exact) return { owner: exact.owner, role: exact.role };
  for (const entry of PREFIXES) if (name.startsWith(entry.name)) return { owner: entry.owner, role: entry.role };
  return undefined;
}

/** Built-in chains: when the kernel runs them. */
export const BUILTIN_CHAIN_ROLES: Record<string, string> = {
  PREROUTING: 'Packets just received on an interface, before the routing decision',
  INPUT: 'Packets routed to a local address of this host',
  FORWARD: 'Packets routed through this host to somewhere else',
  OUTPUT: 'Packets generated by local processes, after the routing decision',
  POSTROUTING: 'Packets about to leave on an interface, after routing',
};
Object.setPrototypeOf(BUILTIN_CHAIN_ROLES, null); // keys come from dumps: `constructor` must not find Object's

export const TABLE_ROLES: Record<string, string> = {
  raw: 'Runs first, before connection tracking: exempt packets from conntrack (NOTRACK / CT --notrack) or set conntrack zones/helpers.',
  mangle: 'Packet alteration: marks, TOS/DSCP, TTL, TCPMSS; runs in every hook.',
  nat: 'Address translation. Only the first packet of a connection traverses it; the conntrack entry applies the same translation to the rest.',
  filter: 'The default table: accept or drop packets in INPUT, FORWARD and OUTPUT.',
  security: 'Mandatory access control (SELinux SECMARK / CONNSECMARK), after filter.',
};
Object.setPrototypeOf(TABLE_ROLES, null); // keys come from dumps: `constructor` must not find Object's
