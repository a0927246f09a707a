// Deterministic generator of an iptables-save dump shaped exactly like kube-proxy's iptables mode
// (v1.29+ rule shapes, as in ../shared/fixtures/seeds/kind-worker2-after-nodeport.rules) at any scale.
// Used by the benchmark (test/bench/bench.ts) and by tests that need a big, realistic dump.
//
// What it models, per service port (rule shapes follow pkg/proxy/iptables/proxier.go, printed in
// iptables-save's canonical order: -s/-d, -p, then matches in the order kube-proxy added them):
//   ClusterIP            nat KUBE-SERVICES → KUBE-SVC-X (masq rule + statistic branches) → KUBE-SEP-Y (masq + DNAT)
//   NodePort             + KUBE-NODEPORTS → KUBE-EXT-X ("masquerade traffic for ..." + → KUBE-SVC-X)
//   externalTrafficPolicy: Local
//                        KUBE-EXT-X short-circuits pod/LOCAL traffic to KUBE-SVC-X and sends the rest to
//                        KUBE-SVL-X (local endpoints only); without local endpoints the filter table
//                        gets a "has no local endpoints" DROP in KUBE-EXTERNAL-SERVICES
//   LoadBalancer         + "loadbalancer IP" rule in KUBE-SERVICES, KUBE-FW-X when source ranges are set
//                        (with the KUBE-PROXY-FIREWALL DROP), health check node port ACCEPT for Local
//   sessionAffinity      ClientIP: `-m recent` rules in KUBE-SVC-X and KUBE-SEP-Y
//   no endpoints         filter KUBE-SERVICES / KUBE-EXTERNAL-SERVICES REJECT, nothing in nat
// Chain names use the real kube-proxy hashes. The local node is "this node" with pod CIDR 10.244.1.0/24.
//
// CLI: node --import tsx test/bench/generate-kube-dump.ts --services 10000 --endpoints 3 [--seed 1]
//      [--large-cluster-mode] -o FILE      (prints rule count and size on stderr)

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { endpointChainHash, serviceChainHash } from '../../server/src/netfilter/kube/hash';

export interface KubeDumpOptions {
  /** number of Service objects (the first two are default/kubernetes and kube-system/kube-dns) */
  services: number;
  /** endpoints behind every service that has endpoints */
  endpointsPerService: number;
  /** PRNG seed; the same options always give the same bytes */
  seed?: number;
  /**
   * kube-proxy drops the per-endpoint comments when the cluster has more than 1000 endpoints
   * ("largeClusterMode"). Off by default so the dump carries every comment the engine can read.
   */
  largeClusterMode?: boolean;
}

export interface KubeDumpStats {
  services: number;
  servicePorts: number;
  rules: number;
  chains: number;
  bytes: number;
  nodePortServices: number;
  loadBalancerServices: number;
  localPolicyServices: number;
  servicesWithoutEndpoints: number;
}

/** Bump when the output changes, so cached dumps (test/bench/.generated) are regenerated. */
export const GENERATOR_VERSION = 1;

// The mix of service shapes, tuned so 10,000 services × 3 endpoints land near 113k rules / 16 MB.
const SHARE_NODEPORT = 0.07;
const SHARE_LOADBALANCER = 0.01;
const SHARE_LOCAL_POLICY = 0.25; // of NodePort + LoadBalancer services
const SHARE_LOCAL_WITH_LOCAL_ENDPOINT = 0.6; // of Local-policy services
const SHARE_LB_SOURCE_RANGES = 0.5; // of LoadBalancer services
const SHARE_NO_ENDPOINTS = 0.005;
const SHARE_CLIENT_IP_AFFINITY = 0.01;
const SHARE_SECOND_PORT = 0.01;

const CLUSTER_CIDR = '10.244.0.0/16';
const LOCAL_POD_SUBNET = 1; // this node owns 10.244.1.0/24
const MASQ_MARK = '0x4000';
const STICKY_MAX_AGE_SECONDS = 10800;
const NODEPORT_MIN = 30000;
const NODEPORT_MAX = 32767;
const SAVE_DATE = 'Mon Jan  6 12:00:00 2025';

interface PortSpec { name: string; protocol: 'tcp' | 'udp'; port: number; targetPort: number }
// Port templates, picked by weight; '' is an unnamed port ("ns/svc" without ":port").
const PORT_TEMPLATES: ReadonlyArray<[number, PortSpec]> = [
  [50, { name: 'http', protocol: 'tcp', port: 80, targetPort: 8080 }],
  [10, { name: 'https', protocol: 'tcp', port: 443, targetPort: 8443 }],
  [10, { name: 'grpc', protocol: 'tcp', port: 9090, targetPort: 9090 }],
  [8, { name: 'metrics', protocol: 'tcp', port: 9100, targetPort: 9100 }],
  [17, { name: '', protocol: 'tcp', port: 80, targetPort: 80 }],
  [3, { name: 'dns', protocol: 'udp', port: 53, targetPort: 5353 }],
  [2, { name: 'syslog', protocol: 'udp', port: 514, targetPort: 5514 }],
];

type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

interface ServicePort {
  name: string; // "ns/svc:port" or "ns/svc"
  spec: PortSpec;
  nodePort?: number;
  svcHash: string;
}

interface Service {
  namespace: string;
  name: string;
  type: ServiceType;
  clusterIP: string;
  externalLocal: boolean;
  clientIPAffinity: boolean;
  loadBalancerIP?: string;
  sourceRanges: string[];
  healthCheckNodePort?: number;
  podIPs: string[]; // sorted like kube-proxy's endpoint lists; empty when the service has no endpoints
  ports: ServicePort[];
}

/** mulberry32: tiny, fast, good enough for shaping test data; fully determined by the seed. */
function makeRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function ipv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * `--probability` as iptables-save prints it: kube-proxy writes 1/n with "%0.10f", the statistic
 * match stores lround(2^31 × p) and prints it back with "%.11f" (0.33333333349, 0.50000000000).
 */
export function savedProbability(endpointsLeft: number): string {
  const written = Number((1 / endpointsLeft).toFixed(10));
  return (Math.round(written * 0x80000000) / 0x80000000).toFixed(11);
}

function sortEndpoints(ips: string[]): string[] {
  return ips.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function buildServices(options: Required<KubeDumpOptions>, random: () => number): Service[] {
  const pick = <T>(weighted: ReadonlyArray<[number, T]>): T => {
    const total = weighted.reduce((sum, [w]) => sum + w, 0);
    let r = random() * total;
    for (const [w, value] of weighted) if ((r -= w) < 0) return value;
    return weighted[weighted.length - 1][1];
  };
  const usedClusterIPs = new Set<number>();
  const serviceBase = (10 << 24) | (96 << 16); // 10.96.0.0/12
  const clusterIP = (): string => {
    for (;;) {
      const n = serviceBase + 11 + Math.floor(random() * ((1 << 20) - 12)); // skip .0.0–.0.10, broadcast
      if (!usedClusterIPs.has(n)) { usedClusterIPs.add(n); return ipv4(n); }
    }
  };
  const usedNodePorts = new Set<number>();
  const nodePort = (): number | undefined => {
    if (usedNodePorts.size > NODEPORT_MAX - NODEPORT_MIN) return undefined; // range exhausted
    for (;;) {
      const p = NODEPORT_MIN + Math.floor(random() * (NODEPORT_MAX - NODEPORT_MIN + 1));
      if (!usedNodePorts.has(p)) { usedNodePorts.add(p); return p; }
    }
  };
  const lbBase = (198 << 24) | (18 << 16); // 198.18.0.0/15 (benchmarking range)
  let nextLoadBalancerIP = 1;
  const podIP = (subnet: number): string => `10.244.${subnet}.${2 + Math.floor(random() * 253)}`;
  const podIPs = (count: number, localCount: number): string[] => {
    const ips = new Set<string>();
    while (ips.size < count) {
      if (ips.size < localCount) ips.add(podIP(LOCAL_POD_SUBNET));
      else {
        let subnet = Math.floor(random() * 256);
        if (subnet === LOCAL_POD_SUBNET) subnet = 0; // remote pods never land on this node
        ips.add(podIP(subnet));
      }
    }
    return sortEndpoints([...ips]);
  };
  const eps = options.endpointsPerService;

  const services: Service[] = [];
  if (options.services >= 1) {
    const apiServers: string[] = [];
    for (let i = 0; i < eps; i++) apiServers.push(`172.18.0.${2 + i}`);
    services.push({
      namespace: 'default', name: 'kubernetes', type: 'ClusterIP', clusterIP: '10.96.0.1',
      externalLocal: false, clientIPAffinity: false, sourceRanges: [], podIPs: apiServers,
      ports: [{ name: 'default/kubernetes:https', spec: { name: 'https', protocol: 'tcp', port: 443, targetPort: 6443 }, svcHash: '' }],
    });
  }
  if (options.services >= 2) {
    const specs: PortSpec[] = [
      { name: 'dns', protocol: 'udp', port: 53, targetPort: 53 },
      { name: 'dns-tcp', protocol: 'tcp', port: 53, targetPort: 53 },
      { name: 'metrics', protocol: 'tcp', port: 9153, targetPort: 9153 },
    ];
    services.push({
      namespace: 'kube-system', name: 'kube-dns', type: 'ClusterIP', clusterIP: '10.96.0.10',
      externalLocal: false, clientIPAffinity: false, sourceRanges: [], podIPs: podIPs(eps, 0),
      ports: specs.map((spec) => ({ name: `kube-system/kube-dns:${spec.name}`, spec, svcHash: '' })),
    });
  }

  const namespaces = Math.max(1, Math.ceil(options.services / 50));
  for (let index = services.length; index < options.services; index++) {
    const namespace = `ns-${1 + Math.floor(random() * namespaces)}`;
    const name = `svc-${index}`;
    const typeRoll = random();
    let type: ServiceType = typeRoll < SHARE_LOADBALANCER ? 'LoadBalancer'
      : typeRoll < SHARE_LOADBALANCER + SHARE_NODEPORT ? 'NodePort' : 'ClusterIP';
    const externalLocal = type !== 'ClusterIP' && random() < SHARE_LOCAL_POLICY;
    const hasLocalEndpoint = externalLocal && random() < SHARE_LOCAL_WITH_LOCAL_ENDPOINT;
    const noEndpoints = random() < SHARE_NO_ENDPOINTS;
    const clientIPAffinity = random() < SHARE_CLIENT_IP_AFFINITY;
    const specs = [pick(PORT_TEMPLATES)];
    if (random() < SHARE_SECOND_PORT && specs[0].name !== '' && specs[0].name !== 'metrics') {
      specs.push({ name: 'metrics', protocol: 'tcp', port: 9100, targetPort: 9100 });
    }
    const ports: ServicePort[] = [];
    for (const spec of specs) {
      let assigned: number | undefined;
      if (type !== 'ClusterIP') {
        assigned = nodePort();
        if (assigned === undefined) type = 'ClusterIP';
      }
      ports.push({ name: spec.name ? `${namespace}/${name}:${spec.name}` : `${namespace}/${name}`, spec, nodePort: assigned, svcHash: '' });
    }
    if (type === 'ClusterIP') for (const p of ports) p.nodePort = undefined;
    const service: Service = {
      namespace, name, type, clusterIP: clusterIP(), externalLocal: type !== 'ClusterIP' && externalLocal,
      clientIPAffinity, sourceRanges: [], ports,
      podIPs: noEndpoints ? [] : podIPs(eps, hasLocalEndpoint ? 1 : 0),
    };
    if (type === 'LoadBalancer') {
      service.loadBalancerIP = ipv4(lbBase + nextLoadBalancerIP++);
      if (random() < SHARE_LB_SOURCE_RANGES) service.sourceRanges = ['192.0.2.0/24', '203.0.113.0/24'];
      if (service.externalLocal) service.healthCheckNodePort = nodePort();
    }
    services.push(service);
  }
  for (const service of services) {
    for (const port of service.ports) port.svcHash = serviceChainHash(port.name, port.spec.protocol);
  }
  return services;
}

/** Rules of one table, grouped per chain the way iptables-save prints them. */
class TableWriter {
  private readonly rules = new Map<string, string[]>();
  constructor(readonly name: string, private readonly builtins: Record<string, string>) {
    for (const chain of Object.keys(builtins)) this.rules.set(chain, []);
  }
  chain(chain: string): void {
    if (!this.rules.has(chain)) this.rules.set(chain, []);
  }
  add(chain: string, rule: string): void {
    this.chain(chain);
    this.rules.get(chain)!.push(`-A ${chain} ${rule}`);
  }
  /** Appends the table to `out`; returns its rule count. */
  write(out: string[]): number {
    const builtinNames = Object.keys(this.builtins);
    const userChains = [...this.rules.keys()].filter((c) => !(c in this.builtins)).sort();
    out.push(`# Generated by iptables-save v1.8.9 (nf_tables) on ${SAVE_DATE}`, `*${this.name}`);
    for (const chain of builtinNames) out.push(`:${chain} ${this.builtins[chain]} [0:0]`);
    for (const chain of userChains) out.push(`:${chain} - [0:0]`);
    let count = 0;
    for (const chain of [...builtinNames, ...userChains]) {
      const rules = this.rules.get(chain)!;
      count += rules.length;
      for (const rule of rules) out.push(rule);
    }
    out.push('COMMIT', `# Completed on ${SAVE_DATE}`);
    return count;
  }
}

export function generateKubeDumpWithStats(options: KubeDumpOptions): { text: string; stats: KubeDumpStats } {
  const resolved: Required<KubeDumpOptions> = {
    services: Math.max(0, Math.floor(options.services)),
    endpointsPerService: Math.max(1, Math.floor(options.endpointsPerService)),
    seed: options.seed ?? 1,
    largeClusterMode: options.largeClusterMode ?? false,
  };
  const services = buildServices(resolved, makeRandom(resolved.seed));
  const perEndpointComment = (comment: string): string => (resolved.largeClusterMode ? '' : ` -m comment --comment "${comment}"`);

  const mangle = new TableWriter('mangle', { PREROUTING: 'ACCEPT', INPUT: 'ACCEPT', FORWARD: 'ACCEPT', OUTPUT: 'ACCEPT', POSTROUTING: 'ACCEPT' });
  for (const chain of ['KUBE-IPTABLES-HINT', 'KUBE-KUBELET-CANARY', 'KUBE-PROXY-CANARY']) mangle.chain(chain);

  const filter = new TableWriter('filter', { INPUT: 'ACCEPT', FORWARD: 'ACCEPT', OUTPUT: 'ACCEPT' });
  for (const chain of ['KUBE-EXTERNAL-SERVICES', 'KUBE-FIREWALL', 'KUBE-FORWARD', 'KUBE-KUBELET-CANARY', 'KUBE-NODEPORTS', 'KUBE-PROXY-CANARY', 'KUBE-PROXY-FIREWALL', 'KUBE-SERVICES']) filter.chain(chain);
  filter.add('INPUT', '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL');
  filter.add('INPUT', '-m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS');
  filter.add('INPUT', '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES');
  filter.add('INPUT', '-j KUBE-FIREWALL');
  filter.add('FORWARD', '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL');
  filter.add('FORWARD', '-m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD');
  filter.add('FORWARD', '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  filter.add('FORWARD', '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES');
  filter.add('OUTPUT', '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL');
  filter.add('OUTPUT', '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  filter.add('OUTPUT', '-j KUBE-FIREWALL');
  filter.add('KUBE-FIREWALL', '! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP');

  const nat = new TableWriter('nat', { PREROUTING: 'ACCEPT', INPUT: 'ACCEPT', OUTPUT: 'ACCEPT', POSTROUTING: 'ACCEPT' });
  for (const chain of ['KUBE-KUBELET-CANARY', 'KUBE-MARK-MASQ', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-PROXY-CANARY', 'KUBE-SERVICES']) nat.chain(chain);
  nat.add('PREROUTING', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  nat.add('OUTPUT', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  nat.add('POSTROUTING', '-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING');
  nat.add('KUBE-MARK-MASQ', `-j MARK --set-xmark ${MASQ_MARK}/${MASQ_MARK}`);
  nat.add('KUBE-POSTROUTING', `-m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`);
  nat.add('KUBE-POSTROUTING', `-j MARK --set-xmark ${MASQ_MARK}/0x0`);
  nat.add('KUBE-POSTROUTING', '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');

  const stats: KubeDumpStats = {
    services: services.length, servicePorts: 0, rules: 0, chains: 0, bytes: 0,
    nodePortServices: 0, loadBalancerServices: 0, localPolicyServices: 0, servicesWithoutEndpoints: 0,
  };

  for (const service of services) {
    if (service.type === 'NodePort') stats.nodePortServices++;
    if (service.type === 'LoadBalancer') stats.loadBalancerServices++;
    if (service.externalLocal) stats.localPolicyServices++;
    if (service.podIPs.length === 0) stats.servicesWithoutEndpoints++;
    for (const port of service.ports) {
      stats.servicePorts++;
      const { name, spec, svcHash } = port;
      const proto = spec.protocol;
      const svcChain = `KUBE-SVC-${svcHash}`;
      const svlChain = `KUBE-SVL-${svcHash}`;
      const extChain = `KUBE-EXT-${svcHash}`;
      const fwChain = `KUBE-FW-${svcHash}`;
      const hasEndpoints = service.podIPs.length > 0;
      const endpoints = service.podIPs.map((ip) => `${ip}:${spec.targetPort}`);
      const localEndpoints = endpoints.filter((ep) => ep.startsWith(`10.244.${LOCAL_POD_SUBNET}.`));
      const hasExternalEndpoints = hasEndpoints && (!service.externalLocal || localEndpoints.length > 0);
      const externallyAccessible = service.type !== 'ClusterIP';
      const usesFirewallChain = hasEndpoints && service.loadBalancerIP !== undefined && service.sourceRanges.length > 0;
      const dport = `-m ${proto} --dport`;
      const rejectSuffix = hasEndpoints ? 'has no local endpoints' : 'has no endpoints';
      const filterTarget = hasEndpoints ? '-j DROP' : '-j REJECT --reject-with icmp-port-unreachable';

      // Cluster IP: nat capture, or a filter REJECT when nothing backs the service.
      if (hasEndpoints) {
        nat.add('KUBE-SERVICES', `-d ${service.clusterIP}/32 -p ${proto} -m comment --comment "${name} cluster IP" ${dport} ${spec.port} -j ${svcChain}`);
      } else {
        filter.add('KUBE-SERVICES', `-d ${service.clusterIP}/32 -p ${proto} -m comment --comment "${name} has no endpoints" ${dport} ${spec.port} -j REJECT --reject-with icmp-port-unreachable`);
      }

      // Load-balancer ingress.
      if (service.loadBalancerIP !== undefined) {
        const lb = service.loadBalancerIP;
        if (hasEndpoints) {
          nat.add('KUBE-SERVICES', `-d ${lb}/32 -p ${proto} -m comment --comment "${name} loadbalancer IP" ${dport} ${spec.port} -j ${usesFirewallChain ? fwChain : extChain}`);
        }
        if (usesFirewallChain) {
          filter.add('KUBE-PROXY-FIREWALL', `-d ${lb}/32 -p ${proto} -m comment --comment "${name} traffic not accepted by ${fwChain}" ${dport} ${spec.port} -j DROP`);
        }
        if (!hasExternalEndpoints) {
          filter.add('KUBE-EXTERNAL-SERVICES', `-d ${lb}/32 -p ${proto} -m comment --comment "${name} ${rejectSuffix}" ${dport} ${spec.port} ${filterTarget}`);
        }
      }

      // Node ports.
      if (port.nodePort !== undefined) {
        if (hasEndpoints) {
          nat.add('KUBE-NODEPORTS', `-p ${proto} -m comment --comment "${name}" ${dport} ${port.nodePort} -j ${extChain}`);
        }
        if (!hasExternalEndpoints) {
          filter.add('KUBE-EXTERNAL-SERVICES', `-p ${proto} -m comment --comment "${name} ${rejectSuffix}" -m addrtype --dst-type LOCAL ${dport} ${port.nodePort} ${filterTarget}`);
        }
      }
      if (service.healthCheckNodePort !== undefined) {
        filter.add('KUBE-NODEPORTS', `-p tcp -m comment --comment "${name} health check node port" -m tcp --dport ${service.healthCheckNodePort} -j ACCEPT`);
      }
      if (!hasEndpoints) continue;

      // KUBE-SVC: masquerade off-cluster sources, then spread over the endpoints.
      nat.add(svcChain, `! -s ${CLUSTER_CIDR} -d ${service.clusterIP}/32 -p ${proto} -m comment --comment "${name} cluster IP" ${dport} ${spec.port} -j KUBE-MARK-MASQ`);
      const sepChains = endpoints.map((ep) => `KUBE-SEP-${endpointChainHash(name, proto, ep)}`);
      const writeBranches = (chain: string, chainEndpoints: string[]): void => {
        if (service.clientIPAffinity) {
          for (const ep of chainEndpoints) {
            const sep = sepChains[endpoints.indexOf(ep)];
            nat.add(chain, `${perEndpointComment(`${name} -> ${ep}`).trimStart()} -m recent --rcheck --seconds ${STICKY_MAX_AGE_SECONDS} --reap --name ${sep} --mask 255.255.255.255 --rsource -j ${sep}`.trimStart());
          }
        }
        chainEndpoints.forEach((ep, i) => {
          const sep = sepChains[endpoints.indexOf(ep)];
          const statistic = i < chainEndpoints.length - 1
            ? ` -m statistic --mode random --probability ${savedProbability(chainEndpoints.length - i)}` : '';
          nat.add(chain, `${perEndpointComment(`${name} -> ${ep}`)}${statistic} -j ${sep}`.trimStart());
        });
      };
      writeBranches(svcChain, endpoints);

      // KUBE-EXT: external destinations (node ports, load-balancer IPs).
      if (externallyAccessible) {
        if (!service.externalLocal) {
          nat.add(extChain, `-m comment --comment "masquerade traffic for ${name} external destinations" -j KUBE-MARK-MASQ`);
          nat.add(extChain, `-j ${svcChain}`);
        } else {
          nat.add(extChain, `-s ${CLUSTER_CIDR} -m comment --comment "pod traffic for ${name} external destinations" -j ${svcChain}`);
          nat.add(extChain, `-m comment --comment "masquerade LOCAL traffic for ${name} external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`);
          nat.add(extChain, `-m comment --comment "route LOCAL traffic for ${name} external destinations" -m addrtype --src-type LOCAL -j ${svcChain}`);
          if (localEndpoints.length > 0) {
            nat.add(extChain, `-j ${svlChain}`);
            writeBranches(svlChain, localEndpoints);
          }
        }
      }

      // KUBE-FW: loadBalancerSourceRanges; what falls through is dropped by filter KUBE-PROXY-FIREWALL.
      if (usesFirewallChain) {
        for (const range of service.sourceRanges) {
          nat.add(fwChain, `-s ${range} -m comment --comment "${name} loadbalancer IP" -j ${extChain}`);
        }
        nat.add(fwChain, `-m comment --comment "other traffic to ${name} will be dropped by KUBE-PROXY-FIREWALL"`);
      }

      // KUBE-SEP: hairpin masquerade + DNAT, one chain per endpoint.
      endpoints.forEach((ep, i) => {
        const sep = sepChains[i];
        const ip = service.podIPs[i];
        const comment = resolved.largeClusterMode ? '' : ` -m comment --comment "${name}"`;
        nat.add(sep, `-s ${ip}/32${comment} -j KUBE-MARK-MASQ`);
        const recent = service.clientIPAffinity ? ` -m recent --set --name ${sep} --mask 255.255.255.255 --rsource` : '';
        nat.add(sep, `-p ${proto}${comment}${recent} -m ${proto} -j DNAT --to-destination ${ep}`);
      });
    }
  }

  filter.add('KUBE-FORWARD', '-m conntrack --ctstate INVALID -j DROP');
  filter.add('KUBE-FORWARD', `-m comment --comment "kubernetes forwarding rules" -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`);
  filter.add('KUBE-FORWARD', '-m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  nat.add('KUBE-SERVICES', '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');

  const out: string[] = [];
  stats.rules = mangle.write(out) + filter.write(out) + nat.write(out);
  stats.chains = out.filter((line) => line.startsWith(':')).length;
  const text = out.join('\n') + '\n';
  stats.bytes = text.length; // ASCII only, so characters = bytes
  return { text, stats };
}

/** The dump text; see generateKubeDumpWithStats for counts. */
export function generateKubeDump(options: KubeDumpOptions): string {
  return generateKubeDumpWithStats(options).text;
}

function main(argv: string[]): void {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const services = Number(value('--services') ?? '10000');
  const endpointsPerService = Number(value('--endpoints') ?? '3');
  const seed = Number(value('--seed') ?? '1');
  const output = value('-o') ?? value('--output');
  if (!output || !Number.isFinite(services) || !Number.isFinite(endpointsPerService) || !Number.isFinite(seed)) {
    process.stderr.write('usage: generate-kube-dump.ts --services N --endpoints N [--seed N] [--large-cluster-mode] -o FILE\n');
    process.exit(2);
  }
  const { text, stats } = generateKubeDumpWithStats({ services, endpointsPerService, seed, largeClusterMode: argv.includes('--large-cluster-mode') });
  writeFileSync(output, text);
  process.stderr.write(`${output}: ${stats.rules} rules, ${stats.chains} chains, ${(stats.bytes / 1e6).toFixed(1)} MB ` +
    `(${stats.services} services, ${stats.servicePorts} ports, ${stats.nodePortServices} NodePort, ${stats.loadBalancerServices} LoadBalancer, ` +
    `${stats.localPolicyServices} Local policy, ${stats.servicesWithoutEndpoints} without endpoints)\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
