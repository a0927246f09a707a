// The packets the differential suite sends through the real kernel and through the simulator.
// Pure data: a dump (seed dumps are read in place from ../shared, hand-written ones from ./dumps),
// the packet, and the addresses the node owns (from /work/shared/fixtures/seeds/README.md).

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PacketSpec } from './oracle';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
const seed = (name: string) => resolve(repoRoot, '..', 'shared', 'fixtures', 'seeds', name);
const own = (name: string) => resolve(here, 'dumps', name);

export interface KernelCase {
  name: string;
  /** absolute path of the iptables-save dump */
  dump: string;
  packet: Omit<PacketSpec, 'nodeAddresses'>;
  /** addresses the node owns (put on its interface; the simulator gets them as localAddresses) */
  nodeAddresses: string[];
  /** `ipset save` text loaded into the node before the dump (the simulator gets the same sets) */
  ipsets?: string;
  /** the case is about a NAT the trace does not show: the kernel must have rewritten the packet, and its conntrack entry is compared */
  nat?: true;
  /** turns the dump file's text into what is loaded (time.rules: values relative to the moment the case runs) */
  render?: (text: string) => string;
}

/** The dump text a case loads. */
export function caseDumpText(c: KernelCase): string {
  const text = readFileSync(c.dump, 'utf8');
  return c.render ? c.render(text) : text;
}

/** Fills time.rules' placeholders (@T±Nm@ daytime, @WD±N@ weekday, @MD±N@ day of month, @D±N@ date) for `now`. */
export function fillTimes(text: string, now = Date.now()): string {
  const at = (ms: number) => new Date(now + ms).toISOString();
  const DAY = 86_400_000;
  return text
    .replace(/@T([+-]\d+)m@/g, (_, minutes: string) => at(Number(minutes) * 60_000).slice(11, 19))
    .replace(/@WD([+-]\d+)@/g, (_, days: string) => ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(now + Number(days) * DAY).getUTCDay()])
    .replace(/@MD([+-]\d+)@/g, (_, days: string) => String(new Date(now + Number(days) * DAY).getUTCDate()))
    .replace(/@D([+-]\d+)@/g, (_, days: string) => at(Number(days) * DAY).slice(0, 19));
}

const EXTERNAL_CLIENT = '192.168.50.9';

interface KubeNode {
  dump: string;
  label: string;
  nodeIp: string;
  /** extra local addresses (e.g. flannel's cni0 gateway) */
  extraAddresses?: string[];
  /** a pod running on this node */
  pod: string;
  /** a ClusterIP:port the dump has a service for */
  clusterIp: { dst: string; proto: 'tcp' | 'udp'; dport: number };
  /** a NodePort the dump has (or, for the "before" dumps, the one it does not have yet) */
  nodePort: number;
  /** interface pods sit behind (only matters to dumps that match on interfaces) */
  podIface?: string;
}

const kubeNodes: KubeNode[] = [
  { dump: 'kind-worker1-after-nodeport.rules', label: 'kind-worker1-after', nodeIp: '172.20.0.2', pod: '10.244.1.5', clusterIp: { dst: '10.96.118.136', proto: 'tcp', dport: 80 }, nodePort: 30080 },
  { dump: 'kind-worker2-after-nodeport.rules', label: 'kind-worker2-after', nodeIp: '172.20.0.3', pod: '10.244.2.5', clusterIp: { dst: '10.96.118.136', proto: 'tcp', dport: 80 }, nodePort: 30080 },
  { dump: 'kind-worker1-before-nodeport.rules', label: 'kind-worker1-before', nodeIp: '172.20.0.2', pod: '10.244.1.5', clusterIp: { dst: '10.96.0.10', proto: 'udp', dport: 53 }, nodePort: 30080 },
  { dump: 'kind-worker2-before-nodeport.rules', label: 'kind-worker2-before', nodeIp: '172.20.0.3', pod: '10.244.2.5', clusterIp: { dst: '10.96.0.10', proto: 'tcp', dport: 53 }, nodePort: 30080 },
  // single-node kind (v1.23): the node is 172.18.0.5 (the API server endpoint in the dump); no NodePorts
  { dump: 'kind-single-node-traefik.rules', label: 'kind-single-traefik', nodeIp: '172.18.0.5', pod: '10.244.0.5', clusterIp: { dst: '10.96.237.231', proto: 'tcp', dport: 80 }, nodePort: 30080 },
  { dump: 'flannel-master.rules', label: 'flannel-master', nodeIp: '192.168.205.145', extraAddresses: ['10.244.0.1'], pod: '10.244.0.5', podIface: 'cni0', clusterIp: { dst: '10.97.121.82', proto: 'tcp', dport: 8080 }, nodePort: 31455 },
  { dump: 'flannel-worker1.rules', label: 'flannel-worker1', nodeIp: '192.168.205.146', extraAddresses: ['10.244.1.1'], pod: '10.244.1.5', podIface: 'cni0', clusterIp: { dst: '10.96.223.136', proto: 'tcp', dport: 443 }, nodePort: 31734 },
];

function kubeCases(n: KubeNode): KernelCase[] {
  const dump = seed(n.dump);
  const nodeAddresses = [n.nodeIp, ...(n.extraAddresses ?? [])];
  const base = { dump, nodeAddresses };
  return [
    { ...base, name: `${n.label}: pod -> ClusterIP ${n.clusterIp.dst}:${n.clusterIp.dport}/${n.clusterIp.proto}`,
      packet: { src: n.pod, ...n.clusterIp, inIface: n.podIface } },
    { ...base, name: `${n.label}: external -> NodePort ${n.nodeIp}:${n.nodePort}`,
      packet: { src: EXTERNAL_CLIENT, dst: n.nodeIp, proto: 'tcp', dport: n.nodePort } },
    { ...base, name: `${n.label}: node -> ClusterIP 10.96.0.1:443 (kubernetes API)`,
      packet: { src: n.nodeIp, dst: '10.96.0.1', proto: 'tcp', dport: 443, fromLocal: true } },
    { ...base, name: `${n.label}: external -> node port 31999 (no service)`,
      packet: { src: EXTERNAL_CLIENT, dst: n.nodeIp, proto: 'tcp', dport: 31999 } },
    { ...base, name: `${n.label}: pod -> internet 8.8.8.8:443`,
      packet: { src: n.pod, dst: '8.8.8.8', proto: 'tcp', dport: 443, inIface: n.podIface } },
  ];
}

const flannelForwarding: KernelCase[] = [
  { name: 'flannel-master: pod -> pod on worker1 (cni0 -> flannel.1)', dump: seed('flannel-master.rules'),
    nodeAddresses: ['192.168.205.145', '10.244.0.1'],
    packet: { src: '10.244.0.5', dst: '10.244.1.7', proto: 'tcp', dport: 8080, inIface: 'cni0', outIface: 'flannel.1' } },
  { name: 'flannel-worker1: pod on master -> local pod (flannel.1 -> cni0)', dump: seed('flannel-worker1.rules'),
    nodeAddresses: ['192.168.205.146', '10.244.1.1'],
    packet: { src: '10.244.0.5', dst: '10.244.1.7', proto: 'tcp', dport: 8080, inIface: 'flannel.1', outIface: 'cni0' } },
  { name: 'flannel-master: external host -> pod (routed, no NAT)', dump: seed('flannel-master.rules'),
    nodeAddresses: ['192.168.205.145', '10.244.0.1'],
    packet: { src: '192.168.205.1', dst: '10.244.0.8', proto: 'tcp', dport: 53, inIface: 'ens33', outIface: 'cni0' } },
  { name: 'flannel-worker1: pod -> kube-dns ClusterIP 10.96.0.10:53/udp', dump: seed('flannel-worker1.rules'),
    nodeAddresses: ['192.168.205.146', '10.244.1.1'],
    packet: { src: '10.244.1.5', dst: '10.96.0.10', proto: 'udp', dport: 53, inIface: 'cni0' } },
  { name: 'kind-worker2-after: external ping -> node', dump: seed('kind-worker2-after-nodeport.rules'),
    nodeAddresses: ['172.20.0.3'],
    packet: { src: EXTERNAL_CLIENT, dst: '172.20.0.3', proto: 'icmp' } },
];

const NODE = '172.20.0.3';
const localPolicy = own('local-traffic-policy.rules');
const localPolicyCases: KernelCase[] = [
  { name: 'local-policy: external -> NodePort 30081 with a local endpoint (KUBE-SVL)', dump: localPolicy, nodeAddresses: [NODE],
    packet: { src: EXTERNAL_CLIENT, dst: NODE, proto: 'tcp', dport: 30081 } },
  { name: 'local-policy: external -> NodePort 30090 without local endpoints (DROP)', dump: localPolicy, nodeAddresses: [NODE],
    packet: { src: EXTERNAL_CLIENT, dst: NODE, proto: 'tcp', dport: 30090 } },
  { name: 'local-policy: node -> its own NodePort 30081 (addrtype --src-type LOCAL)', dump: localPolicy, nodeAddresses: [NODE],
    packet: { src: NODE, dst: NODE, proto: 'tcp', dport: 30081, fromLocal: true } },
  { name: 'local-policy: pod -> NodePort 30090 (pod traffic goes to KUBE-SVC)', dump: localPolicy, nodeAddresses: [NODE],
    packet: { src: '10.244.1.5', dst: NODE, proto: 'tcp', dport: 30090 } },
  { name: 'local-policy: external -> health check node port 32100', dump: localPolicy, nodeAddresses: [NODE],
    packet: { src: EXTERNAL_CLIENT, dst: NODE, proto: 'tcp', dport: 32100 } },
  { name: 'local-policy: pod -> ClusterIP 10.96.50.10:80', dump: localPolicy, nodeAddresses: [NODE],
    packet: { src: '10.244.1.5', dst: '10.96.50.10', proto: 'tcp', dport: 80 } },
];

const marks = own('marks-and-masquerade.rules');
const routerAddresses = ['192.168.50.1', '203.0.113.7'];
const router = { inIface: 'eth0', outIface: 'eth1', outAddress: '203.0.113.7' };
const marksCases: KernelCase[] = [
  { name: 'marks: pod -> 8.8.8.8:443 (mark 0x1, FORWARD by mark, MASQUERADE by mark 0x100)', dump: marks, nodeAddresses: routerAddresses,
    packet: { src: '10.244.1.5', dst: '8.8.8.8', proto: 'tcp', dport: 443, ...router } },
  { name: 'marks: pod -> 8.8.8.8:53/udp (mark 0x2, SNAT)', dump: marks, nodeAddresses: routerAddresses,
    packet: { src: '10.244.1.5', dst: '8.8.8.8', proto: 'udp', dport: 53, ...router } },
  { name: 'marks: pod -> 8.8.8.8:80 (no mark, LOG then FORWARD policy DROP)', dump: marks, nodeAddresses: routerAddresses,
    packet: { src: '10.244.1.5', dst: '8.8.8.8', proto: 'tcp', dport: 80, ...router } },
  { name: 'marks: uplink -> router 203.0.113.7:443 (eth1 skips MARK-BY-PORT)', dump: marks, nodeAddresses: routerAddresses,
    packet: { src: '198.51.100.20', dst: '203.0.113.7', proto: 'tcp', dport: 443, inIface: 'eth1' } },
];

const reject = own('reject-and-queue.rules');
const HOST = '172.20.0.3';
const V6 = '2001:db8:1::10';
const rejectCases: KernelCase[] = [
  { name: 'reject: tcp 1001 REJECT --reject-with tcp-reset', dump: reject, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 1001 } },
  { name: 'reject: udp 1002 REJECT (icmp-port-unreachable)', dump: reject, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 1002 } },
  { name: 'reject: tcp 1003 DROP', dump: reject, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 1003 } },
  { name: 'reject: tcp 1004 NFQUEUE without listener', dump: reject, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 1004 } },
  { name: 'reject: tcp 1005 NFQUEUE --queue-bypass without listener', dump: reject, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 1005 } },
  { name: 'reject: tcp 1007 forwarded, REJECT in FORWARD', dump: reject, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'tcp', dport: 1007 } },
  { name: 'reject: tcp 2000 falls to INPUT policy ACCEPT', dump: reject, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 2000 } },
];

// Abbreviated and other spellings of states, statuses, packet types and reject types (strncasecmp, aliases).
const abbreviated = own('abbreviated-words.rules');
const abbreviatedWordCases: KernelCase[] = [
  { name: 'abbreviated words: tcp 1001 (`--reject-with tcp`)', dump: abbreviated, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 1001 } },
  { name: 'abbreviated words: udp 1002 (`--reject-with p`)', dump: abbreviated, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 1002 } },
  { name: 'abbreviated words: tcp 2000 (`--ctstate n -j DROP`)', dump: abbreviated, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 2000 } },
];

// What the sender puts on the wire besides addresses and ports: a DSCP (IP_TOS) for dscp, tos and a
// DSCP rewrite (four rules that never match), its veth's MAC for -m mac; and numbers in C forms.
const dscpAndTos = own('dscp-and-tos.rules');
const stringPayload = own('string-payload.rules');
const wireFieldCases: KernelCase[] = [
  { name: 'dscp and tos: tcp with DSCP 46 (EF), rewritten to AF41', dump: dscpAndTos, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22, dscp: 46 } },
  { name: 'dscp and tos: udp with DSCP 4 (TOS 0x10, Minimize-Delay)', dump: dscpAndTos, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 53, dscp: 4 } },
  { name: 'dscp and tos: icmp without DSCP', dump: dscpAndTos, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'icmp' } },
  // -m mac: the client's frame source; nothing through lo
  { name: 'mac source: tcp from the client', dump: own('mac-source.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22 } },
  { name: 'mac source: udp forwarded', dump: own('mac-source.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'udp', dport: 53 } },
  { name: 'mac source: the node to itself (through lo)', dump: own('mac-source.rules'), nodeAddresses: [HOST], packet: { src: HOST, dst: HOST, proto: 'tcp', dport: 22, fromLocal: true } },
  // numbers in C forms (0x, 0X, a leading 0 for octal) in marks, TTL, length, ports, DSCP, TOS and connmark
  { name: 'numbers in C forms: tcp 22 with DSCP 10', dump: own('numbers-in-c-forms.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22, dscp: 10 } },
  // the ECN field: set by the sender (UDP, ICMP), compared by ecn and tos, rewritten by TOS, DSCP and ECN
  { name: 'ecn bits: udp with ECT(0) and DSCP 10 (AF11)', dump: own('ecn-bits.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 53, dscp: 10, ecn: 2 } },
  { name: 'ecn bits: echo request marked CE', dump: own('ecn-bits.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'icmp', ecn: 3 } },
  { name: 'ecn bits: udp without ECN, forwarded', dump: own('ecn-bits.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'udp', dport: 53 } },
  { name: 'ecn bits: the node sends udp with ECT(1)', dump: own('ecn-bits.rules'), nodeAddresses: [HOST], packet: { src: HOST, dst: '10.1.2.3', proto: 'udp', dport: 53, fromLocal: true, ecn: 1 } },
  { name: 'ecn bits ipv6: udp marked CE', dump: own('ecn-bits-ipv6.rules'), nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: V6, proto: 'udp', dport: 53, ecn: 3 } },
  // xt_conntrack without a conntrack entry: the --ctstate test decides the whole match
  { name: 'conntrack without an entry: untracked udp (NOTRACK in raw)', dump: own('conntrack-without-entry.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 53 } },
  { name: 'conntrack without an entry: tracked tcp, every option read', dump: own('conntrack-without-entry.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22 } },
  { name: 'conntrack without an entry: the node sends untracked udp', dump: own('conntrack-without-entry.rules'), nodeAddresses: [HOST], packet: { src: HOST, dst: HOST, proto: 'udp', dport: 53, fromLocal: true } },
  { name: 'helper and connlabel: untracked udp', dump: own('helper-and-labels.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 53 } },
  { name: 'helper and connlabel: a new tcp connection (no master; labels fork)', dump: own('helper-and-labels.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 21 } },
  // -m policy on packets that do not go through IPsec: exactly --pol none, in either direction
  { name: 'ipsec policy: tcp to the node', dump: own('ipsec-policy.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22 } },
  { name: 'ipsec policy: udp forwarded to 10.1.2.3 (masqueraded: not encapsulated)', dump: own('ipsec-policy.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'udp', dport: 53 } },
  { name: 'ipsec policy: the node sends an echo request', dump: own('ipsec-policy.rules'), nodeAddresses: [HOST], packet: { src: HOST, dst: EXTERNAL_CLIENT, proto: 'icmp', fromLocal: true } },
  // TCP options of the SYN (Linux's, the engine is told them): --tcp-option, tcpmss, TCPMSS, u32, string
  { name: 'tcp options: SYN to the node', dump: own('tcp-options.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22 } },
  { name: 'tcp options: forwarded SYN, TCPMSS lowers its MSS to 1400', dump: own('tcp-options.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'tcp', dport: 443 } },
  { name: 'tcp options: the node to itself (MSS 65495 through lo)', dump: own('tcp-options.rules'), nodeAddresses: [HOST], packet: { src: HOST, dst: HOST, proto: 'tcp', dport: 22, fromLocal: true } },
  { name: 'tcp options ipv6: forwarded SYN (MSS 1440, lowered to 1220)', dump: own('tcp-options-ipv6.rules'), nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: '2001:db8:ff::99', proto: 'tcp', dport: 443 } },
  { name: 'tcp option: iptables-nft loads the tcp match as xtables (no port or flag quirks)', dump: own('tcp-option-as-xtables.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22 } },
  // -m string searches the whole packet from the IP header: headers, then the payload the case sends
  { name: 'string: udp to the node with the default payload', dump: stringPayload, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 53 } },
  { name: 'string: udp to the node carrying an HTTP request (DROP in INPUT)', dump: stringPayload, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 80, payload: 'GET / HTTP/1.1|0d 0a|Host: example.com|0d 0a 0d 0a|' } },
  { name: 'string: forwarded DNS query for www.example.com (REJECT in FORWARD)', dump: stringPayload, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'udp', dport: 53, payload: '|12 34 01 00 00 01 00 00 00 00 00 00 03|www|07|example|03|com|00 00 01 00 01|' } },
  { name: 'string: echo request with Latin-1 bytes (--icase as the kernel upper-cases)', dump: stringPayload, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'icmp', payload: '|c9|t|e9 20 df f7|' } },
  { name: 'string: the node sends udp (OUTPUT)', dump: stringPayload, nodeAddresses: [HOST], packet: { src: HOST, dst: '10.1.2.3', proto: 'udp', dport: 53, fromLocal: true } },
  { name: 'string ipv6: udp to the node', dump: own('string-payload-ipv6.rules'), nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: V6, proto: 'udp', dport: 53 } },
];

const gotos = own('gotos-and-returns.rules');
const gotoCases: KernelCase[] = [
  { name: 'gotos: tcp 22 via -g GOTO-TARGET, falls back to INPUT (not CHECK-A)', dump: gotos, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22 } },
  { name: 'gotos: tcp 22 from 10.99.1.1, RETURN from CHECK-A', dump: gotos, nodeAddresses: [HOST], packet: { src: '10.99.1.1', dst: HOST, proto: 'tcp', dport: 22 } },
  { name: 'gotos: tcp 8080 into CHECK-B, falls through, DROP in CHECK-A', dump: gotos, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 8080 } },
  { name: 'gotos: tcp 1234 DROP in CHECK-A', dump: gotos, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 1234 } },
  { name: 'gotos: udp 5353 RETURN from RET, ACCEPT in INPUT', dump: gotos, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 5353 } },
  { name: 'gotos: udp 53 DROP in RET', dump: gotos, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 53 } },
  { name: 'gotos: icmp LOG (CONTINUE) then ACCEPT', dump: gotos, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'icmp' } },
];

const fw = own('interface-firewall.rules');
const FW = '198.51.100.10';
const fwCases: KernelCase[] = [
  { name: 'iface-fw: ssh on eth0 accepted (-i eth0)', dump: fw, nodeAddresses: [FW], packet: { src: EXTERNAL_CLIENT, dst: FW, proto: 'tcp', dport: 22, inIface: 'eth0' } },
  { name: 'iface-fw: ssh on eth1 dropped by policy', dump: fw, nodeAddresses: [FW], packet: { src: EXTERNAL_CLIENT, dst: FW, proto: 'tcp', dport: 22, inIface: 'eth1' } },
  { name: 'iface-fw: http on eth1 accepted (-i eth+)', dump: fw, nodeAddresses: [FW], packet: { src: EXTERNAL_CLIENT, dst: FW, proto: 'tcp', dport: 80, inIface: 'eth1' } },
  { name: 'iface-fw: http on ens3 dropped (eth+ does not match)', dump: fw, nodeAddresses: [FW], packet: { src: EXTERNAL_CLIENT, dst: FW, proto: 'tcp', dport: 80, inIface: 'ens3' } },
  { name: 'iface-fw: snmp on ens3 accepted (! -i eth0)', dump: fw, nodeAddresses: [FW], packet: { src: EXTERNAL_CLIENT, dst: FW, proto: 'udp', dport: 161, inIface: 'ens3' } },
  { name: 'iface-fw: snmp on eth0 dropped (! -i eth0)', dump: fw, nodeAddresses: [FW], packet: { src: EXTERNAL_CLIENT, dst: FW, proto: 'udp', dport: 161, inIface: 'eth0' } },
  { name: 'iface-fw: ping on eth2 accepted', dump: fw, nodeAddresses: [FW], packet: { src: EXTERNAL_CLIENT, dst: FW, proto: 'icmp', inIface: 'eth2' } },
  { name: 'iface-fw: forward eth0 -> wan0 https accepted (! -o eth0)', dump: fw, nodeAddresses: [FW], packet: { src: EXTERNAL_CLIENT, dst: '203.0.113.80', proto: 'tcp', dport: 443, inIface: 'eth0', outIface: 'wan0' } },
  { name: 'iface-fw: forward eth0 -> eth0 https dropped (hairpin, ! -o eth0)', dump: fw, nodeAddresses: [FW], packet: { src: EXTERNAL_CLIENT, dst: '203.0.113.80', proto: 'tcp', dport: 443, inIface: 'eth0' } },
  { name: 'iface-fw: node -> itself ssh over lo (OUTPUT -o lo, INPUT -i lo)', dump: fw, nodeAddresses: [FW], packet: { src: FW, dst: FW, proto: 'tcp', dport: 22, fromLocal: true } },
  { name: 'iface-fw: node -> smtp 203.0.113.80:25 REJECT in OUTPUT', dump: fw, nodeAddresses: [FW], packet: { src: FW, dst: '203.0.113.80', proto: 'tcp', dport: 25, fromLocal: true } },
];

const v6 = own('ipv6-firewall.rules');
const v6Cases: KernelCase[] = [
  { name: 'ipv6: https via user chain SERVICES', dump: v6, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: V6, proto: 'tcp', dport: 443 } },
  { name: 'ipv6: echo request accepted (icmp6 type 128)', dump: v6, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: V6, proto: 'icmp' } },
  { name: 'ipv6: blocked /48 REJECT', dump: v6, nodeAddresses: [V6], packet: { src: '2001:db8:bad::9', dst: V6, proto: 'tcp', dport: 443 } },
  { name: 'ipv6: udp 53 RETURN from SERVICES, INPUT policy DROP', dump: v6, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: V6, proto: 'udp', dport: 53 } },
  { name: 'ipv6: forwarded http accepted', dump: v6, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: '2001:db8:100::5', proto: 'tcp', dport: 80 } },
  { name: 'ipv6: node -> itself over lo', dump: v6, nodeAddresses: [V6], packet: { src: V6, dst: V6, proto: 'tcp', dport: 443, fromLocal: true } },
];

const familyMarked = own('family-marked.rules');
const familyCases: KernelCase[] = [
  { name: 'family: ssh 22 — the -6 DROP before it is not in the kernel', dump: familyMarked, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22 } },
  { name: 'family: tcp 2222 — the --ipv6 ACCEPT is skipped, SIX rule #1 is the REJECT', dump: familyMarked, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 2222 } },
  { name: 'family: tcp 3333 — -4 changes nothing in an IPv4 file (DROP is INPUT rule #3)', dump: familyMarked, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 3333 } },
];

const icmpNames = own('icmp-type-names.rules');
const icmpNameCases: KernelCase[] = [
  { name: 'icmp names: a ping is DROPped by `--icmp-type echo-req` (rule #2), not ACCEPTed by ECHO-REPL', dump: icmpNames, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'icmp' } },
];

const rawFirst = own('raw-before-conntrack.rules');
const rawCases: KernelCase[] = [
  { name: 'raw-first: incoming tcp — INVALID in raw PREROUTING, NEW from mangle on', dump: rawFirst, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22 } },
  { name: 'raw-first: node -> itself tcp — INVALID in raw OUTPUT, NEW in raw PREROUTING on lo', dump: rawFirst, nodeAddresses: [HOST], packet: { src: HOST, dst: HOST, proto: 'tcp', dport: 22, fromLocal: true } },
  { name: 'raw-first: node -> itself udp — CT --notrack in raw OUTPUT, UNTRACKED after', dump: rawFirst, nodeAddresses: [HOST], packet: { src: HOST, dst: HOST, proto: 'udp', dport: 53, fromLocal: true } },
];

const ttl = own('ttl-forwarding.rules');
const ttlCases: KernelCase[] = [
  { name: 'ttl: forwarded tcp has TTL 63 in FORWARD', dump: ttl, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'tcp', dport: 80 } },
  { name: 'ttl: delivered tcp keeps TTL 64 in INPUT', dump: ttl, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 80 } },
  { name: 'ttl: TTL set to 1 in PREROUTING — dropped by routing, no FORWARD', dump: ttl, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.9', proto: 'udp', dport: 53 } },
  { name: 'ttl: TTL set to 2 in PREROUTING — forwarded with 1', dump: ttl, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.8', proto: 'udp', dport: 53 } },
];

const v6Types = own('ipv6-addrtype.rules');
const noConntrack = own('nat-without-conntrack.rules');
const campaignCases: KernelCase[] = [
  { name: 'ipv6 addrtype: to the node (UNICAST and LOCAL both hold)', dump: v6Types, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: V6, proto: 'tcp', dport: 443 } },
  { name: 'ipv6 addrtype: forwarded (LOCAL,UNICAST needs both)', dump: v6Types, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: '2001:db8:100::5', proto: 'udp', dport: 53 } },
  { name: 'ipv6 addrtype: node -> itself', dump: v6Types, nodeAddresses: [V6], packet: { src: V6, dst: V6, proto: 'tcp', dport: 22, fromLocal: true } },
  { name: 'nat OUTPUT re-route: DNAT of the node\'s own address leaves by the new route, not lo', dump: own('nat-output-reroute.rules'), nodeAddresses: [HOST], packet: { src: HOST, dst: HOST, proto: 'tcp', dport: 22, fromLocal: true } },
  { name: 'nat OUTPUT re-route (IPv6): NETMAP of the node\'s own address leaves by the new route, not lo', dump: own('nat-output-reroute-ipv6.rules'), nodeAddresses: [V6], packet: { src: V6, dst: V6, proto: 'tcp', dport: 22, fromLocal: true } },
  { name: 'nat range: DNAT picks by a hash of the addresses (tcp, destination in the range)', dump: own('nat-range.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'tcp', dport: 80 } },
  { name: 'nat range: DNAT picks by a hash of the addresses (tcp, destination outside)', dump: own('nat-range.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.200', proto: 'tcp', dport: 80 } },
  { name: 'nat range: DNAT with a port range keeps a port inside it (udp 53 in 50-60)', dump: own('nat-range.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.7', proto: 'udp', dport: 53 } },
  { name: 'nat port offset: DNAT 5000-5999/1000 shifts port 1080 to 5080', dump: own('nat-port-offset.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 1080 } },
  { name: 'nat port offset: a port below the base wraps (80 → 5000 + (80 − 1000) mod 65536 mod 1000)', dump: own('nat-port-offset.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 80 } },
  { name: 'nat port offset: a port already in the range is shifted too (5500 → 5500)', dump: own('nat-port-offset.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 5500 } },
  { name: 'nat port offset: udp 53 with base 5008 in a 10-port range', dump: own('nat-port-offset.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 53 } },
  { name: 'nat short address: DNAT --to-destination 10:8080 keeps the address, changes the port', dump: own('nat-short-address.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'udp', dport: 53 } },
  { name: 'nat range (IPv6): DNAT picks by a hash of the addresses', dump: own('nat-range-ipv6.rules'), nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: '2001:db8:100::5', proto: 'tcp', dport: 80 } },
  { name: 'snat range: SNAT picks the source by a hash of the addresses (tcp)', dump: own('snat-range.rules'), nodeAddresses: [HOST], nat: true, packet: { src: EXTERNAL_CLIENT, dst: '8.8.8.8', proto: 'tcp', dport: 443 } },
  { name: 'snat range: SNAT with a port range keeps a source port inside it (udp 55 in 50-60)', dump: own('snat-range.rules'), nodeAddresses: [HOST], nat: true, packet: { src: EXTERNAL_CLIENT, dst: '8.8.4.4', proto: 'udp', sport: 55, dport: 53 } },
  { name: 'snat range: a source port outside the range is drawn at random; the address is still the hash\'s', dump: own('snat-range.rules'), nodeAddresses: [HOST], nat: true, packet: { src: EXTERNAL_CLIENT, dst: '8.8.4.4', proto: 'udp', dport: 53 } },
  { name: 'snat range: --persistent hashes the source alone (icmp)', dump: own('snat-range.rules'), nodeAddresses: [HOST], nat: true, packet: { src: EXTERNAL_CLIENT, dst: '1.1.1.1', proto: 'icmp' } },
  { name: 'snat range (IPv6): SNAT picks the source by a hash of the addresses', dump: own('snat-range-ipv6.rules'), nodeAddresses: [V6], nat: true, packet: { src: '2001:db8:2::9', dst: '2001:4860::8888', proto: 'tcp', dport: 443 } },
  { name: 'snat range (IPv6): a source port in the range is kept', dump: own('snat-range-ipv6.rules'), nodeAddresses: [V6], nat: true, packet: { src: '2001:db8:2::9', dst: '2001:4860::8844', proto: 'udp', sport: 57, dport: 53 } },
  // the conntrack zone in the hash's seed (campaign seed 1138992)
  ...[[443, 'CT --zone 1'], [444, 'CT --zone mark, mark 0x30007'], [445, 'CT --zone-orig 3'], [446, 'no zone']].map(([dport, what]): KernelCase => ({
    name: `nat range zone: SNAT in INPUT picks by a hash seeded with the zone (udp ${dport}, ${what})`, dump: own('nat-range-zone.rules'), nodeAddresses: [HOST], nat: true,
    packet: { src: '10.99.1.1', dst: HOST, proto: 'udp', sport: 1234, dport: dport as number },
  })),
  { name: 'nat range zone: --persistent leaves the zone out of the hash (udp 53, CT --zone 9)', dump: own('nat-range-zone.rules'), nodeAddresses: [HOST], nat: true, packet: { src: '10.99.1.1', dst: HOST, proto: 'udp', sport: 1234, dport: 53 } },
  { name: 'nat range: DNAT keeps the connection\'s port in a port range (conntrack)', dump: own('nat-range.rules'), nodeAddresses: [HOST], nat: true, packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.200', proto: 'udp', dport: 55 } },
  { name: 'quota: used up by the packet, a second pass of a 41-byte packet no longer fits --quota 41', dump: own('quota-passes.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 53 } },
  { name: 'ipv6 packet length: a SYN is 80 bytes to length and quota', dump: own('ipv6-packet-length.rules'), nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: V6, proto: 'tcp', dport: 22 } },
  { name: 'ipv6 packet length: a UDP datagram is 61 bytes to length and quota', dump: own('ipv6-packet-length.rules'), nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: V6, proto: 'udp', dport: 53 } },
  { name: 'nat identity: DNAT to the address it has sets no DNAT status', dump: own('nat-identity.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'tcp', dport: 80 } },
  { name: 'nat identity: a real DNAT sets the DNAT status', dump: own('nat-identity.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.4', proto: 'tcp', dport: 80 } },
  { name: 'nat identity: node -> itself, DNAT and SNAT to what it has', dump: own('nat-identity.rules'), nodeAddresses: [HOST], packet: { src: HOST, dst: HOST, proto: 'tcp', dport: 22, fromLocal: true } },
  { name: 'ct template: raw sees NEW, CONFIRMED and a zero tuple after CT --zone', dump: own('ct-template.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22, inIface: 'eth0' } },
  { name: 'ct template: node -> itself, the entry is CONFIRMED back on lo', dump: own('ct-template.rules'), nodeAddresses: [HOST], packet: { src: HOST, dst: HOST, proto: 'tcp', dport: 22, fromLocal: true } },
  { name: 'addrtype --limit-iface: the node address is UNICAST on lo', dump: own('addrtype-limit-iface.rules'), nodeAddresses: [HOST], packet: { src: HOST, dst: HOST, proto: 'tcp', dport: 22, fromLocal: true } },
  { name: 'addrtype --limit-iface: 127.0.0.1 after a REDIRECT in OUTPUT is UNICAST on the first device, LOCAL on lo', dump: own('addrtype-loopback-limit-iface.rules'), nodeAddresses: [HOST], packet: { src: HOST, dst: '10.1.2.3', proto: 'udp', dport: 53, fromLocal: true } },
  { name: 'iptables-nft 1.8.9: ! --sport A ! --dport B matches unless both are equal (udp)', dump: own('nft-negated-ports.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', sport: 1234, dport: 443 } },
  { name: 'iptables-nft 1.8.9: ! --sport A ! --dport B matches unless both are equal (tcp)', dump: own('nft-negated-ports.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', sport: 1234, dport: 80 } },
  { name: 'limit: a burst of 2 matches the first two visits of one packet', dump: own('limit-burst.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'tcp', dport: 80 } },
  { name: 'recent: after --set a check of the entry matches, after --remove it does not', dump: own('recent-in-one-traversal.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22 } },
  { name: 'address lists: one kernel rule per address pair, each matching one traced', dump: own('address-lists.rules'), nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22 } },
  { name: 'no conntrack user: the nat table is never consulted', dump: noConntrack, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22 } },
  ...ipsetCases(),
  ...hmarkCases(),
];

/** hmark.rules / hmark-ipv6.rules: the mark HMARK computes, read back one bit per rule. */
function hmarkCases(): KernelCase[] {
  const cases: KernelCase[] = [];
  for (const [dump, host, client] of [[own('hmark.rules'), HOST, EXTERNAL_CLIENT], [own('hmark-ipv6.rules'), V6, '2001:db8:2::9']] as const) {
    const family = host === V6 ? 'ipv6' : 'ipv4';
    const packet = (proto: 'tcp' | 'udp' | 'icmp', dport?: number) => ({ src: client, dst: host, proto, ...(dport ? { dport } : {}) });
    cases.push(
      { name: `hmark ${family}: addresses only`, dump, nodeAddresses: [host], packet: packet('tcp', 22) },
      { name: `hmark ${family}: addresses, ports and protocol`, dump, nodeAddresses: [host], packet: packet('tcp', 80) },
      { name: `hmark ${family}: prefixes and port masks`, dump, nodeAddresses: [host], packet: packet('udp', 53) },
      { name: `hmark ${family}: ICMP hashes without ports`, dump, nodeAddresses: [host], packet: packet('icmp') },
    );
  }
  return cases;
}

/** ipsets.rules with the sets of ipsets.ipset: one destination port per question (see the dump). */
function ipsetCases(): KernelCase[] {
  const dump = own('ipsets.rules');
  const ipsets = readFileSync(own('ipsets.ipset'), 'utf8');
  const to = (what: string, proto: 'tcp' | 'udp' | 'icmp', dport?: number): KernelCase =>
    ({ name: `ipset: ${what}`, dump, ipsets, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto, ...(dport ? { dport } : {}) } });
  return [
    to('a nomatch /24 inside a /16: not in the set', 'tcp', 1001),
    to('a /24 inside a nomatch /16: in the set (the most specific element decides)', 'tcp', 1002),
    to('--return-nomatch: a nomatch element matches', 'tcp', 1003),
    to('--return-nomatch: a plain element does not match', 'tcp', 1004),
    to('bitmap:port holds a UDP port too', 'udp', 53),
    to('hash:ip,port: one flag for two dimensions never matches, two do', 'tcp', 80),
    to('SET --add-set: a later rule of the same packet sees the address', 'tcp', 2001),
    to('SET --add-set to a hash:net: a later rule sees the address', 'tcp', 2002),
    to('SET --del-set: a later rule no longer sees the address', 'tcp', 2003),
    to('ICMP: never in a bitmap:port; icmp:echo-request in a hash:ip,port', 'icmp'),
  ];
}

// u32 reads the packet's bytes: decided where the trace models them, forked where it does not.
const u32 = own('u32.rules');
const u32v6 = own('u32-ipv6.rules');
const u32Cases: KernelCase[] = [
  { name: 'u32: tcp SYN to the node (protocol, port, length, flags, options; the identification forks)', dump: u32, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 80 } },
  { name: 'u32: tcp to another port', dump: u32, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 443 } },
  { name: 'u32: udp (UDP length; a read past the 41-byte packet fails)', dump: u32, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 53 } },
  { name: 'u32: icmp echo request (type through 0>>22&0x3C@)', dump: u32, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'icmp' } },
  { name: 'u32: forwarded tcp reads TTL 63 in FORWARD', dump: u32, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'tcp', dport: 80 } },
  { name: 'u32: the node sends tcp (OUTPUT)', dump: u32, nodeAddresses: [HOST], packet: { src: HOST, dst: '10.1.2.3', proto: 'tcp', dport: 80, fromLocal: true } },
  { name: 'u32 ipv6: tcp (version, payload length, next header, hop limit, port, address)', dump: u32v6, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: V6, proto: 'tcp', dport: 443 } },
  { name: 'u32 ipv6: udp payload length', dump: u32v6, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: V6, proto: 'udp', dport: 53 } },
];

// IPv6 extension-header matches: the traced packet carries none, so frag/rt/hbh/dst/ah never match and
// ipv6header sees the upper-layer protocol only.
const extensionHeaders = own('ipv6-extension-headers.rules');
const extensionHeaderCases: KernelCase[] = [
  { name: 'ipv6 extension headers: tcp to the node', dump: extensionHeaders, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: V6, proto: 'tcp', dport: 443 } },
  { name: 'ipv6 extension headers: udp to the node', dump: extensionHeaders, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: V6, proto: 'udp', dport: 53 } },
  { name: 'ipv6 extension headers: echo request to the node', dump: extensionHeaders, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: V6, proto: 'icmp' } },
  { name: 'ipv6 extension headers: forwarded tcp', dump: extensionHeaders, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: '2001:db8:100::5', proto: 'tcp', dport: 80 } },
  { name: 'ipv6 extension headers: the node sends tcp (OUTPUT)', dump: extensionHeaders, nodeAddresses: [V6], packet: { src: V6, dst: '2001:db8:100::5', proto: 'tcp', dport: 80, fromLocal: true } },
];

// Port numbers: C numbers for tcp and multiport, getaddrinfo's decimal (16 bits kept) for udp and conntrack.
const portNumbers = own('port-numbers.rules');
const portNumberCases: KernelCase[] = [
  { name: 'port numbers: udp to 53 (udp 053, conntrack 053)', dump: portNumbers, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 53 } },
  { name: 'port numbers: udp to 43 (udp 043 is 43, not octal 35)', dump: portNumbers, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 43 } },
  { name: 'port numbers: udp to 4464 (70000 keeps 16 bits)', dump: portNumbers, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 4464 } },
  { name: 'port numbers: udp to 150 (0100:0200 is 100 to 200)', dump: portNumbers, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 150 } },
  { name: 'port numbers: tcp to 43 (tcp 053 is octal 43)', dump: portNumbers, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 43 } },
  { name: 'port numbers: tcp to 53 (0x35)', dump: portNumbers, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 53 } },
  { name: 'port numbers: tcp to 80 (multiport 0120 is octal 80)', dump: portNumbers, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 80 } },
];

// Address shorthands (xtables_numeric_to_ipaddr) in -s/-d and iprange; and --tcp-flags, whose COMP is not masked.
const addressShorthands = own('address-shorthands.rules');
const addressShorthandCases: KernelCase[] = [
  { name: 'address shorthands: tcp from 192.168.50.9 to the node', dump: addressShorthands, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22 } },
  { name: 'address shorthands: udp from 192.168.50.9 to the node', dump: addressShorthands, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 53 } },
  { name: 'address shorthands: forwarded to 10.1.2.3 (10.1-10.1.2.2 is 10.1.0.0 on)', dump: addressShorthands, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'tcp', dport: 80 } },
];
const neverMatches = own('never-matches.rules');
const neverMatchCases: KernelCase[] = [
  { name: 'rules that never match (and iptables-nft 1.8.9 full port ranges): tcp SYN', dump: neverMatches, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 80 } },
  { name: 'rules that never match (and iptables-nft 1.8.9 full port ranges): udp', dump: neverMatches, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 53 } },
];
const tcpFlags = own('tcp-flags.rules');
const tcpFlagCases: KernelCase[] = [
  { name: 'tcp flags: SYN to the node', dump: tcpFlags, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22 } },
];

// connbytes: the first packet of a connection is counted before mangle; raw and untracked see no counters.
const connbytes = own('connbytes.rules');
const connbytesCases: KernelCase[] = [
  { name: 'connbytes: tcp SYN (1 packet, 60 bytes)', dump: connbytes, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 80 } },
  { name: 'connbytes: udp (1 packet, 41 bytes)', dump: connbytes, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 53 } },
  { name: 'connbytes: untracked udp (NOTRACK in raw) has no counters', dump: connbytes, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 54 } },
  { name: 'connbytes: forwarded tcp', dump: connbytes, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'tcp', dport: 80 } },
  { name: 'connbytes: the node sends tcp (OUTPUT)', dump: connbytes, nodeAddresses: [HOST], packet: { src: HOST, dst: '10.1.2.3', proto: 'tcp', dport: 80, fromLocal: true } },
  { name: 'connbytes: the node sends tcp to itself (raw PREROUTING sees the entry from OUTPUT)', dump: connbytes, nodeAddresses: [HOST], packet: { src: HOST, dst: HOST, proto: 'tcp', dport: 22, fromLocal: true } },
  { name: 'connbytes: a CT template in raw has no counters (tcp 23)', dump: connbytes, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 23 } },
  { name: 'connbytes: CT leaves a packet back through lo alone, its counters are read (tcp 23 to itself)', dump: connbytes, nodeAddresses: [HOST], packet: { src: HOST, dst: HOST, proto: 'tcp', dport: 23, fromLocal: true } },
];

// -m time against the kernel's clock: the trace is given the second the packet was sent in.
const time = own('time.rules');
const timeCases: KernelCase[] = [
  { name: 'time: daytime windows, weekdays, month days and dates around now', dump: time, render: fillTimes, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22 } },
  { name: 'time: the same for udp', dump: time, render: fillTimes, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'udp', dport: 53 } },
];

// Groups, broadcasts, frames not sent to the node and martian sources (trace/destinations.ts). A
// group among nodeAddresses is one the node has joined (`ip address add … autojoin`).
const groups = own('multicast-and-broadcast.rules');
const groupsV6 = own('multicast-and-broadcast-ipv6.rules');
const destinationCases: KernelCase[] = [
  { name: 'groups: mDNS to a group the node has joined', dump: groups, nodeAddresses: [HOST, '224.0.0.251'], packet: { src: EXTERNAL_CLIENT, dst: '224.0.0.251', proto: 'udp', sport: 5353, dport: 5353 } },
  { name: 'groups: mDNS to a group the node has not joined (dropped after PREROUTING)', dump: groups, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '224.0.0.251', proto: 'udp', sport: 5353, dport: 5353 } },
  { name: 'groups: SSDP to a routed group the node has not joined (not forwarded)', dump: groups, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '239.255.255.250', proto: 'udp', dport: 1900 } },
  { name: 'groups: echo request to all hosts (every node has joined 224.0.0.1)', dump: groups, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '224.0.0.1', proto: 'icmp' } },
  { name: 'groups: udp to 255.255.255.255 (delivered)', dump: groups, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '255.255.255.255', proto: 'udp', dport: 67 } },
  { name: 'groups: forwarded udp in a broadcast frame (dropped before FORWARD)', dump: groups, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: '10.1.2.3', proto: 'udp', dport: 53, frame: 'broadcast' } },
  { name: 'groups: tcp to the node in a multicast frame (delivered)', dump: groups, nodeAddresses: [HOST], packet: { src: EXTERNAL_CLIENT, dst: HOST, proto: 'tcp', dport: 22, frame: 'multicast' } },
  { name: 'groups: the node sends mDNS (out by its link, not lo)', dump: groups, nodeAddresses: [HOST], packet: { src: HOST, dst: '224.0.0.251', proto: 'udp', sport: 5353, dport: 5353, fromLocal: true } },
  { name: 'groups: the node sends to all hosts (its looped copy passes nat POSTROUTING first)', dump: groups, nodeAddresses: [HOST], packet: { src: HOST, dst: '224.0.0.1', proto: 'udp', dport: 5353, fromLocal: true } },
  { name: 'groups: the node sends mDNS to a group it has joined', dump: groups, nodeAddresses: [HOST, '224.0.0.251'], packet: { src: HOST, dst: '224.0.0.251', proto: 'udp', sport: 5353, dport: 5353, fromLocal: true } },
  { name: 'groups: the node sends to 255.255.255.255', dump: groups, nodeAddresses: [HOST], packet: { src: HOST, dst: '255.255.255.255', proto: 'udp', sport: 68, dport: 67, fromLocal: true } },
  { name: 'groups: udp to the broadcast address of the node\'s subnet, in a broadcast frame', dump: groups, nodeAddresses: [`${HOST}/24`], packet: { src: EXTERNAL_CLIENT, dst: '172.20.0.255', proto: 'udp', dport: 137, frame: 'broadcast' } },
  { name: 'groups: udp to the broadcast address of the node\'s subnet, in a frame sent to the node', dump: groups, nodeAddresses: [`${HOST}/24`], packet: { src: EXTERNAL_CLIENT, dst: '172.20.0.255', proto: 'udp', dport: 137 } },
  { name: 'groups: the node sends to its subnet\'s broadcast address', dump: groups, nodeAddresses: [`${HOST}/24`], packet: { src: HOST, dst: '172.20.0.255', proto: 'udp', dport: 137, fromLocal: true } },
  { name: 'groups: the node\'s subnet broadcast address as the source (no martian while rp_filter is off)', dump: groups, nodeAddresses: [`${HOST}/24`], packet: { src: '172.20.0.255', dst: HOST, proto: 'udp', dport: 53, rawFrame: true } },
  { name: 'groups: martian source, the node\'s own address', dump: groups, nodeAddresses: [HOST], packet: { src: HOST, dst: HOST, proto: 'udp', dport: 53, rawFrame: true } },
  { name: 'groups: martian source, a group', dump: groups, nodeAddresses: [HOST], packet: { src: '224.0.0.5', dst: '10.1.2.3', proto: 'udp', dport: 53, rawFrame: true } },
  { name: 'groups: 0.0.0.0 to 255.255.255.255 (a DHCP discover, delivered)', dump: groups, nodeAddresses: [HOST], packet: { src: '0.0.0.0', dst: '255.255.255.255', proto: 'udp', sport: 68, dport: 67, rawFrame: true } },
  { name: 'groups: martian source 0.0.0.0 to a unicast address', dump: groups, nodeAddresses: [HOST], packet: { src: '0.0.0.0', dst: HOST, proto: 'udp', dport: 53, rawFrame: true } },
  { name: 'groups: 0.0.0.0 to a joined link-local group (delivered)', dump: groups, nodeAddresses: [HOST, '224.0.0.251'], packet: { src: '0.0.0.0', dst: '224.0.0.251', proto: 'udp', dport: 5353, rawFrame: true } },
  { name: 'groups: 0.0.0.0 to a joined routed group (martian)', dump: groups, nodeAddresses: [HOST, '239.1.1.1'], packet: { src: '0.0.0.0', dst: '239.1.1.1', proto: 'udp', dport: 5353, rawFrame: true } },
  { name: 'groups ipv6: mDNS to a group the node has joined', dump: groupsV6, nodeAddresses: [V6, 'ff02::fb'], packet: { src: '2001:db8:2::9', dst: 'ff02::fb', proto: 'udp', sport: 5353, dport: 5353 } },
  { name: 'groups ipv6: mDNS to a group the node has not joined', dump: groupsV6, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: 'ff02::fb', proto: 'udp', sport: 5353, dport: 5353 } },
  { name: 'groups ipv6: echo request to all nodes', dump: groupsV6, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: 'ff02::1', proto: 'icmp' } },
  { name: 'groups ipv6: udp to all routers (the node forwards)', dump: groupsV6, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: 'ff02::2', proto: 'udp', dport: 521 } },
  { name: 'groups ipv6: udp to the solicited-node group of the node\'s address', dump: groupsV6, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: 'ff02::1:ff00:10', proto: 'udp', dport: 53 } },
  { name: 'groups ipv6: the node sends to all nodes (its looped copy comes after POSTROUTING)', dump: groupsV6, nodeAddresses: [V6], packet: { src: V6, dst: 'ff02::1', proto: 'udp', dport: 5353, fromLocal: true } },
  { name: 'groups ipv6: forwarded udp in a multicast frame (dropped before FORWARD)', dump: groupsV6, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: '2001:db8:100::5', proto: 'udp', dport: 53, frame: 'multicast' } },
  { name: 'groups ipv6: an interface-local group from another host (dropped on arrival)', dump: groupsV6, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: 'ff01::1', proto: 'udp', dport: 53, rawFrame: true } },
  { name: 'groups ipv6: ::1 as the source from another host (dropped on arrival)', dump: groupsV6, nodeAddresses: [V6], packet: { src: '::1', dst: V6, proto: 'udp', dport: 53, rawFrame: true } },
  { name: 'groups ipv6: ::1 as the destination from another host (dropped on arrival)', dump: groupsV6, nodeAddresses: [V6], packet: { src: '2001:db8:2::9', dst: '::1', proto: 'udp', dport: 53, rawFrame: true } },
  { name: 'groups ipv6: a multicast source (dropped on arrival)', dump: groupsV6, nodeAddresses: [V6], packet: { src: 'ff0e::5', dst: V6, proto: 'udp', dport: 53, rawFrame: true } },
  { name: 'groups ipv6: the node\'s own address as the source (delivered: no martians in IPv6)', dump: groupsV6, nodeAddresses: [V6], packet: { src: V6, dst: V6, proto: 'udp', dport: 53, rawFrame: true } },
];

export const kernelCases: KernelCase[] = [
  ...kubeNodes.flatMap(kubeCases),
  ...flannelForwarding,
  ...localPolicyCases,
  ...marksCases,
  ...rejectCases,
  ...abbreviatedWordCases,
  ...wireFieldCases,
  ...gotoCases,
  ...fwCases,
  ...v6Cases,
  ...familyCases,
  ...icmpNameCases,
  ...rawCases,
  ...ttlCases,
  ...u32Cases,
  ...extensionHeaderCases,
  ...portNumberCases,
  ...addressShorthandCases,
  ...tcpFlagCases,
  ...neverMatchCases,
  ...connbytesCases,
  ...timeCases,
  ...destinationCases,
  ...campaignCases,
];

/**
 * The hand-written cases whose trace forks, with how many paths it has; every other case must give
 * exactly one path. A case that starts to fork (a match the trace decided becomes an assumption) or
 * forks differently fails, so precision never slips silently. Why these fork:
 */
export const FORKING_CASES: Readonly<Record<string, number>> = {
  // kube-proxy's statistic branches: real odds, one path per endpoint
  'kind-worker1-after: pod -> ClusterIP 10.96.118.136:80/tcp': 2,
  'kind-worker1-after: external -> NodePort 172.20.0.2:30080': 2,
  'kind-worker2-after: pod -> ClusterIP 10.96.118.136:80/tcp': 2,
  'kind-worker2-after: external -> NodePort 172.20.0.3:30080': 2,
  'kind-worker1-before: pod -> ClusterIP 10.96.0.10:53/udp': 2,
  'kind-worker2-before: pod -> ClusterIP 10.96.0.10:53/tcp': 2,
  'flannel-master: pod -> ClusterIP 10.97.121.82:8080/tcp': 2,
  'flannel-master: external -> NodePort 192.168.205.145:31455': 2,
  'flannel-worker1: pod -> kube-dns ClusterIP 10.96.0.10:53/udp': 2,
  'local-policy: node -> its own NodePort 30081 (addrtype --src-type LOCAL)': 2,
  'local-policy: pod -> ClusterIP 10.96.50.10:80': 2,
  // connection labels: their names need connlabel.conf
  'helper and connlabel: a new tcp connection (no master; labels fork)': 4,
  // bytes a trace does not know (checksums, the identification, timestamps) may hold a pattern or a u32 read
  'string: udp to the node with the default payload': 2,
  'string: udp to the node carrying an HTTP request (DROP in INPUT)': 2,
  'string: forwarded DNS query for www.example.com (REJECT in FORWARD)': 2,
  'string: echo request with Latin-1 bytes (--icase as the kernel upper-cases)': 32,
  'u32: tcp SYN to the node (protocol, port, length, flags, options; the identification forks)': 4,
  'u32: tcp to another port': 4,
  'u32: icmp echo request (type through 0>>22&0x3C@)': 4,
  'u32: forwarded tcp reads TTL 63 in FORWARD': 4,
  'u32 ipv6: tcp (version, payload length, next header, hop limit, port, address)': 2,
  'u32 ipv6: udp payload length': 2,
  // counters and lists of earlier packets: quota, limit and recent fork where a pass may have used them
  'quota: used up by the packet, a second pass of a 41-byte packet no longer fits --quota 41': 4,
  'limit: a burst of 2 matches the first two visits of one packet': 2,
  'recent: after --set a check of the entry matches, after --remove it does not': 3,
};
