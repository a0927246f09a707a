// kube-proxy's hashed chain names (pkg/proxy/iptables/proxier.go, portProtoHash and
// servicePortEndpointChainName):
//   KUBE-SVC-/SVL-/EXT-/FW-/XLB-<X>  X = base32(sha256(servicePortName + protocol))[:16]
//   KUBE-SEP-<X>                     X = base32(sha256(servicePortName + protocol + endpoint))[:16]
// servicePortName is "namespace/name:portName", or "namespace/name" when the port is unnamed;
// protocol is lower case ("tcp", "udp", "sctp"); endpoint is "ip:port" ("[ip6]:port" for IPv6).
// With these a hover can name the service behind any hashed chain and say whether the name checks out.

import { BASE32_ALPHABET, base32Encode } from './base32';
import { sha256Utf8, sha256Words } from './sha256';

const HASH_LENGTH = 16;

/** The 16-character suffix of KUBE-SVC/SVL/EXT/FW/XLB chains (kube-proxy's portProtoHash). */
export function serviceChainHash(servicePortName: string, protocol: string): string {
  return base32Encode(sha256Utf8(servicePortName + protocol.toLowerCase()), HASH_LENGTH);
}

/** The 16-character suffix of a KUBE-SEP chain. `endpoint` is "ip:port" as in `--to-destination`. */
export function endpointChainHash(servicePortName: string, protocol: string, endpoint: string): string {
  return base32Encode(sha256Utf8(servicePortName + protocol.toLowerCase() + endpoint), HASH_LENGTH);
}

/**
 * Whether `chainName` after its first `prefixLength` characters is kube-proxy's hash of `input`
 * (servicePortName + protocol [+ endpoint]): the first 16 base32 characters of its SHA-256, read
 * from the digest and compared one by one, so that no name is built for a chain that checks out.
 */
export function hashSuffixMatches(chainName: string, prefixLength: number, input: string): boolean {
  if (chainName.length !== prefixLength + HASH_LENGTH) return false;
  const words = sha256Words(input);
  for (let i = 0; i < HASH_LENGTH; i++) {
    // Character i is bits [5i, 5i + 5) of the digest, counted from the first word's top bit.
    const bit = i * 5;
    const word = bit >>> 5;
    const shift = bit & 31;
    const value = shift <= 27
      ? (words[word] >>> (27 - shift)) & 31
      : ((words[word] << (shift - 27)) | (words[word + 1] >>> (59 - shift))) & 31;
    if (BASE32_ALPHABET.charCodeAt(value) !== chainName.charCodeAt(prefixLength + i)) return false;
  }
  return true;
}

/**
 * What a hashed chain is for. `load-balancer-local` is KUBE-XLB-, which kube-proxy used for
 * externalTrafficPolicy: Local before v1.24 (today KUBE-SVL- and KUBE-EXT-).
 */
export type KubeChainKind = 'service' | 'service-local' | 'external' | 'firewall' | 'load-balancer-local' | 'endpoint';

export const KUBE_CHAIN_PREFIXES: Readonly<Record<KubeChainKind, string>> = {
  service: 'KUBE-SVC-',
  'service-local': 'KUBE-SVL-',
  external: 'KUBE-EXT-',
  firewall: 'KUBE-FW-',
  'load-balancer-local': 'KUBE-XLB-',
  endpoint: 'KUBE-SEP-',
};
Object.setPrototypeOf(KUBE_CHAIN_PREFIXES, null); // keys come from dumps: `constructor` must not find Object's

export const KUBE_CHAIN_KINDS: readonly KubeChainKind[] = Object.keys(KUBE_CHAIN_PREFIXES) as KubeChainKind[];

export interface KubeChainName {
  kind: KubeChainKind;
  prefix: string;
  hash: string;
}

/** KUBE_CHAIN_PREFIXES by the letters between `KUBE-` and the hash's `-` (SVC, FW …). */

/** A–Z or 2–7: base32's alphabet. */
function isBase32(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 50 && c <= 55);
}

/**
 * The kind of a hashed kube chain's name (`KUBE-SVC-` + 16 base32 characters …), undefined for any
 * other name. Read by hand, without a regular expression, and any other name is turned away before
 * anything is allocated: the analysis and the navigation index ask it for each of the 41k chains of
 * a 10k-service dump.
 */
export function kubeChainKind(chainName: string): KubeChainKind | undefined {
  const hashAt = chainName.length - HASH_LENGTH;
  // `KUBE-` + two or three letters + `-`: the hash starts at 8 or 9.
  if ((hashAt !== 8 && hashAt !== 9) || chainName.charCodeAt(hashAt - 1) !== 45 /* - */ || !chainName.startsWith('KUBE-')) return undefined;
  for (let k = hashAt; k < chainName.length; k++) if (!isBase32(chainName.charCodeAt(k))) return undefined;
  // (compared in place: asked for each of the 41k chains of a 10k-service dump, more than once)
  for (let k = 0; k < KUBE_CHAIN_KINDS.length; k++) {
    const prefix = KUBE_CHAIN_PREFIXES[KUBE_CHAIN_KINDS[k]];
    if (prefix.length === hashAt && chainName.startsWith(prefix)) return KUBE_CHAIN_KINDS[k];
  }
  return undefined;
}

/** Splits `KUBE-SVC-NPX46M4PTMTKRN6Y` into kind + hash; undefined when it is not a hashed kube chain. */
export function parseKubeChainName(chainName: string): KubeChainName | undefined {
  const kind = kubeChainKind(chainName);
  if (!kind) return undefined;
  const prefix = KUBE_CHAIN_PREFIXES[kind];
  return { kind, prefix, hash: chainName.slice(prefix.length) };
}

/** The chain name kube-proxy would give this service port (or endpoint, for kind 'endpoint'). */
export function kubeChainName(kind: KubeChainKind, servicePortName: string, protocol: string, endpoint?: string): string {
  const hash = kind === 'endpoint'
    ? endpointChainHash(servicePortName, protocol, endpoint ?? '')
    : serviceChainHash(servicePortName, protocol);
  return KUBE_CHAIN_PREFIXES[kind] + hash;
}

export interface KubeChainNameCheck {
  kind: KubeChainKind;
  /** true when the chain's hash recomputes from the given service port name (and endpoint) */
  matches: boolean;
  /** the name kube-proxy would have used for these inputs */
  expectedName: string;
}

/**
 * Does `chainName` recompute from the service port name (as read from a rule comment), the
 * protocol and, for KUBE-SEP chains, the endpoint "ip:port"? Undefined when the chain is not a
 * hashed kube chain, or is a KUBE-SEP chain and no endpoint was given.
 */
export function verifyKubeChainName(
  chainName: string,
  servicePortName: string,
  protocol: string,
  endpoint?: string,
): KubeChainNameCheck | undefined {
  const parsed = parseKubeChainName(chainName);
  if (!parsed) return undefined;
  if (parsed.kind === 'endpoint' && endpoint === undefined) return undefined;
  const expectedName = kubeChainName(parsed.kind, servicePortName, protocol, endpoint);
  return { kind: parsed.kind, matches: expectedName === chainName, expectedName };
}

export interface KubeCommentSubject {
  /** "namespace/name:port" or "namespace/name" */
  servicePortName: string;
  /** "ip:port" when the comment names one endpoint ("ns/svc:port -> 10.244.0.2:53") */
  endpoint?: string;
}

// Comment shapes kube-proxy writes (iptables and older proxiers); the subject is group 1.
const COMMENT_SHAPES: readonly RegExp[] = [
  /^(\S+) -> (\S+)$/, // KUBE-SVC/SVL → KUBE-SEP branch
  /^masquerade traffic for (\S+) external destinations$/,
  /^masquerade LOCAL traffic for (\S+) external destinations$/,
  /^route LOCAL traffic for (\S+) external destinations$/,
  /^pod traffic for (\S+) external destinations$/,
  /^other traffic to (\S+) will be dropped by KUBE-PROXY-FIREWALL$/,
  /^(\S+) traffic not accepted by KUBE-FW-[A-Z2-7]{16}$/,
  /^(\S+) (?:cluster IP|external IP|loadbalancer IP|health check node port|has no endpoints|has no local endpoints)$/,
  /^(\S+)$/, // KUBE-SEP rules and KUBE-NODEPORTS rules carry the bare name
];

// namespace and service names are DNS labels; port names are IANA_SVC_NAME-like.
const SERVICE_PORT_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/;

/** Reads the service port name (and endpoint) out of a kube-proxy rule comment; undefined if none. */
export function servicePortNameFromComment(comment: string): KubeCommentSubject | undefined {
  // Every shape but the bare name has a space: a comment without one can only be a bare name (a
  // KUBE-SEP's DNAT rule — tens of thousands of them), and a service port name has no white space.
  if (!comment.includes(' ')) return SERVICE_PORT_NAME.test(comment) ? { servicePortName: comment } : undefined;
  for (const shape of COMMENT_SHAPES) {
    const m = shape.exec(comment);
    if (!m || !SERVICE_PORT_NAME.test(m[1])) continue;
    return m[2] !== undefined ? { servicePortName: m[1], endpoint: m[2] } : { servicePortName: m[1] };
  }
  return undefined;
}
