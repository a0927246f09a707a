// What kind of address a rule names, for the address hover, where it changes what happens to a
// packet: multicast groups people meet in firewalls (mDNS, SSDP, VRRP …), broadcast, loopback,
// link-local, the cloud metadata address — and what routing does with a packet to it
// (trace/destinations.ts). Ordinary unicast addresses and networks get nothing.

import { canonicalAddress, cidrContains, isLoopback, isMulticast, parseCidr, type Address } from '../addr';

/** Groups by their canonical text (IANA multicast registries). */
const GROUP_NAMES: Record<string, string> = {
  '224.0.0.1': 'all hosts',
  '224.0.0.2': 'all routers',
  '224.0.0.5': 'OSPF routers',
  '224.0.0.6': 'OSPF designated routers',
  '224.0.0.9': 'RIPv2 routers',
  '224.0.0.13': 'PIM routers',
  '224.0.0.18': 'VRRP',
  '224.0.0.22': 'IGMPv3 reports',
  '224.0.0.251': 'mDNS',
  '224.0.0.252': 'LLMNR',
  '239.255.255.250': 'SSDP / UPnP',
  'ff02::1': 'all nodes',
  'ff02::2': 'all routers',
  'ff05::2': 'all site routers',
  'ff02::5': 'OSPFv3 routers',
  'ff02::6': 'OSPFv3 designated routers',
  'ff02::9': 'RIPng routers',
  'ff02::d': 'PIM routers',
  'ff02::12': 'VRRP',
  'ff02::16': 'MLDv2 reports',
  'ff02::fb': 'mDNS',
  'ff02::1:2': 'DHCPv6 relay agents and servers',
  'ff05::1:3': 'DHCPv6 servers',
  'ff02::1:3': 'LLMNR',
  'ff02::c': 'SSDP / UPnP',
  'ff05::c': 'SSDP / UPnP',
};

/** Blocks, most specific first within a family, where routing or the kernel treats packets apart. */
const BLOCKS: Array<{ cidr: string; what: string }> = [
  { cidr: '224.0.0.0/24', what: 'link-local multicast groups (224.0.0.0/24: never routed)' },
  { cidr: '224.0.0.0/4', what: 'multicast groups (224.0.0.0/4)' },
  { cidr: '127.0.0.0/8', what: 'loopback (127.0.0.0/8)' },
  { cidr: '169.254.0.0/16', what: 'link-local (169.254.0.0/16)' },
  { cidr: 'ff02::1:ff00:0/104', what: 'solicited-node multicast groups (IPv6 neighbour discovery: each address of a node joins one)' },
  { cidr: 'ff00::/8', what: 'multicast groups (ff00::/8)' },
  { cidr: 'fe80::/10', what: 'link-local (fe80::/10)' },
];

/** Single addresses people meet in cloud and Kubernetes firewalls. */
const HOST_NAMES: Record<string, string> = {
  '169.254.169.254': 'the cloud instance metadata service (AWS, GCP, Azure, OpenStack)',
  'fd00:ec2::254': 'the AWS instance metadata service (IPv6)',
};

/**
 * One sentence on what `written` (an address or a network, as a rule writes it) is, or undefined for
 * an ordinary unicast address or network.
 */
export function describeWellKnownAddress(written: string): string | undefined {
  const cidr = parseCidr(written);
  // (a mask that is not a prefix, `/255.0.255.0`: nothing general to say)
  if (!cidr || cidr.prefix === undefined) return undefined;
  const bits = cidr.family === 'ipv4' ? 32 : 128;
  if (cidr.prefix === 0) return 'every address';
  const host: Address = { family: cidr.family, value: cidr.network };
  if (cidr.prefix === bits) {
    const named = HOST_NAMES[canonicalAddress(written.split('/')[0])];
    if (named) return named;
    if (cidr.family === 'ipv4' && cidr.network === 0xffffffffn) return 'the limited broadcast address: routing delivers a packet to it to the node itself (in a broadcast frame), never forwards it';
    if (cidr.family === 'ipv4' && cidr.network === 0n) return '0.0.0.0: as a source, a host without an address yet (DHCP); as a destination, refused by routing';
    if (isMulticast(host)) {
      const solicited = cidrContains('ff02::1:ff00:0/104', host) ? 'solicited-node, for neighbour discovery' : undefined;
      const name = GROUP_NAMES[canonicalAddress(written.split('/')[0])] ?? solicited;
      const always = cidr.family === 'ipv4' ? '224.0.0.1' : 'ff02::1, a router also ff02::2, and each of its addresses’ solicited-node group';
      return `multicast group${name ? ` (${name})` : ''}: the node receives a packet to it only when it has joined the group (every node has joined ${always}); routing forwards it only on a multicast router`;
    }
    if (isLoopback(host)) return cidr.family === 'ipv4' ? 'loopback: on lo only; from another host routing calls it a martian unless route_localnet is on (kube-proxy turns it on for NodePorts on localhost)' : 'loopback: on lo only; from another host IPv6 drops it on arrival';
  }
  for (const block of BLOCKS) {
    const known = parseCidr(block.cidr)!;
    if (known.family !== cidr.family || known.prefix! > cidr.prefix) continue;
    if (cidrContains(known, host)) return cidr.prefix === bits ? `an address in ${block.what}` : known.prefix === cidr.prefix ? block.what : `part of ${block.what}`;
  }
  return undefined;
}
