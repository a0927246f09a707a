// Packets the trace cases send through a generated kube-proxy dump, chosen from the dump itself:
// the ClusterIP service whose rule is LAST in KUBE-SERVICES (the longest walk through that chain)
// and the last NodePort of KUBE-NODEPORTS. Each comes with the chain a correct trace must enter.
import type { TraceRequest } from '../../server/src/netfilter/trace/simulate';

/** The node the generated dump belongs to (pod CIDR 10.244.1.0/24); the address is our choice. */
export const NODE_ADDRESS = '172.20.0.3';
export const LOCAL_POD = '10.244.1.77';
export const EXTERNAL_CLIENT = '192.168.50.9';

export interface TracePacketTarget {
  request: TraceRequest;
  /** a chain every correct trace of this packet passes through */
  expectChain: string;
  describe: string;
}

function lastLine(text: string, pattern: RegExp): RegExpExecArray | undefined {
  let found: RegExpExecArray | undefined;
  for (const match of text.matchAll(pattern)) found = match as RegExpExecArray;
  return found;
}

/** A pod of this node connecting to the ClusterIP listed last in KUBE-SERVICES. */
export function podToLastClusterIp(text: string): TracePacketTarget {
  const m = lastLine(text, /^-A KUBE-SERVICES -d (\d+\.\d+\.\d+\.\d+)\/32 -p tcp -m comment --comment "[^"]* cluster IP" -m tcp --dport (\d+) -j (KUBE-SVC-\w+)$/gm);
  if (!m) throw new Error('no tcp ClusterIP rule in KUBE-SERVICES');
  return {
    request: { src: LOCAL_POD, dst: m[1], proto: 'tcp', dport: Number(m[2]), inIface: 'cni0', localAddresses: [NODE_ADDRESS] },
    expectChain: m[3],
    describe: `pod ${LOCAL_POD} → ${m[1]}:${m[2]}/tcp (last ClusterIP)`,
  };
}

/** A client outside the cluster connecting to the last NodePort of KUBE-NODEPORTS on this node. */
export function externalToLastNodePort(text: string): TracePacketTarget {
  const m = lastLine(text, /^-A KUBE-NODEPORTS -p tcp -m comment --comment "[^"]*" -m tcp --dport (\d+) -j (KUBE-EXT-\w+)$/gm);
  if (!m) throw new Error('no tcp NodePort rule in KUBE-NODEPORTS');
  return {
    request: { src: EXTERNAL_CLIENT, dst: NODE_ADDRESS, proto: 'tcp', dport: Number(m[1]), inIface: 'eth0', localAddresses: [NODE_ADDRESS] },
    expectChain: m[2],
    describe: `${EXTERNAL_CLIENT} → ${NODE_ADDRESS}:${m[1]}/tcp (last NodePort)`,
  };
}
