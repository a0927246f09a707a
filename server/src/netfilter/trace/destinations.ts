// What the kernel's routing does with a destination beyond "one of the node's addresses or not",
// and the link-layer type a packet arrives with. Measured in network namespaces (kernel 6.18;
// test/kernel/dumps/multicast-and-broadcast*.rules, docs/kernel-campaign.md):
//  - 255.255.255.255, and the broadcast address of a subnet the node has an address in (a node address
//    given with its prefix, `192.168.1.10/24`: 192.168.1.255; a /31 or /32 has none), arrive in a
//    broadcast frame and are delivered locally (ip_route_input_slow's brd_input); addrtype calls them
//    BROADCAST;
//  - a multicast destination arrives in a multicast frame and is delivered locally when the node has
//    joined the group on the arriving interface, else dropped right after PREROUTING: the node routes
//    no multicast (that needs a multicast routing daemon), so it never reaches FORWARD;
//  - every node has joined 224.0.0.1 and ff02::1 (all hosts / all nodes), a node that forwards IPv6
//    ff02::2 and ff05::2 (all routers), and the solicited-node group ff02::1:ffXX:XXXX of each of its
//    IPv6 addresses;
//  - an IPv6 packet to an interface-local (ff01::) or reserved-scope (ff00::) group cannot come from
//    another host: ipv6_rcv drops it before PREROUTING, as it drops any multicast source and ::1 as
//    source or destination;
//  - ip_forward / ip6_forward forward only frames sent to the node: a unicast destination that is not
//    the node's own, arriving in a broadcast or multicast frame, is dropped before FORWARD;
//  - a packet the node sends to a group or a broadcast address leaves by its interface, never lo;
//    a copy is looped back to the node's own sockets (always for a broadcast, for a group when the
//    node has joined it) — IPv4 before the packet's POSTROUTING, IPv6 after (Simulator.route).

import { formatAddress, isLoopback, isMulticast, parseAddress, parseCidr, type Address } from '../addr';

export type DestinationKind = 'unicast' | 'broadcast' | 'multicast';

/**
 * How routing sees `address` as a destination: the IPv4 limited broadcast or one of the node's
 * subnet `broadcasts` (readNodeAddresses), a multicast group, or unicast.
 */
export function destinationKind(address: string, broadcasts: readonly string[] = []): DestinationKind {
  const parsed = parseAddress(address);
  if (!parsed) return 'unicast';
  if (parsed.family === 'ipv4' && parsed.value === 0xffffffffn) return 'broadcast';
  if (isMulticast(parsed)) return 'multicast';
  return broadcasts.length && broadcasts.some((b) => parseAddress(b)?.value === parsed.value && parsed.family === 'ipv4') ? 'broadcast' : 'unicast';
}

/** The link-layer type of a frame carrying a packet to `dst` from another host (pkttype's view). */
export function arrivingFrameType(dst: string, broadcasts: readonly string[] = []): DestinationKind {
  return destinationKind(dst, broadcasts);
}

export interface NodeAddresses {
  /** the addresses, without prefixes */
  addresses: string[];
  /** the broadcast addresses of the IPv4 subnets given with a prefix (`/24` … `/30`) */
  broadcasts: string[];
}

/**
 * The node's addresses as people give them (`--local-addr`, iptables-lens.nodeAddresses): plain, or
 * with the prefix of their subnet (`192.168.1.10/24`), which also says the subnet's broadcast address,
 * as the kernel's local routing table has it. Text that is no address is kept as written.
 */
export function readNodeAddresses(entries: readonly string[]): NodeAddresses {
  const addresses: string[] = [];
  const broadcasts: string[] = [];
  for (const entry of entries) {
    const slash = entry.indexOf('/');
    if (slash < 0) {
      addresses.push(entry);
      continue;
    }
    const address = entry.slice(0, slash);
    addresses.push(address);
    const subnet = parseCidr(entry);
    if (subnet?.family === 'ipv4' && subnet.prefix !== undefined && subnet.prefix < 31) {
      broadcasts.push(formatAddress({ family: 'ipv4', value: subnet.network | (~subnet.mask & 0xffffffffn) }));
    }
  }
  return { addresses, broadcasts };
}

const ALL_HOSTS_V4 = 0xe0000001n; // 224.0.0.1
const IPV6_ALWAYS_JOINED = new Set([
  0xff02_0000_0000_0000_0000_0000_0000_0001n, // ff02::1, all nodes
  0xff02_0000_0000_0000_0000_0000_0000_0002n, // ff02::2, all routers (the node forwards)
  0xff05_0000_0000_0000_0000_0000_0000_0002n, // ff05::2, site-local all routers
]);
const SOLICITED_NODE_PREFIX = 0xff02_0000_0000_0000_0000_0001_ff00_0000n;

/**
 * Whether every node that forwards has joined `group` whatever runs on it (its IPv6 `addresses` give
 * their solicited-node groups). False says only "not by itself": a process may have joined it.
 */
export function groupAlwaysJoined(group: string, addresses: readonly string[]): boolean {
  const parsed = parseAddress(group);
  if (!parsed || !isMulticast(parsed)) return false;
  if (parsed.family === 'ipv4') return parsed.value === ALL_HOSTS_V4;
  if (IPV6_ALWAYS_JOINED.has(parsed.value)) return true;
  if (parsed.value >> 24n !== SOLICITED_NODE_PREFIX >> 24n) return false;
  const low = parsed.value & 0xff_ffffn;
  return addresses.some((text) => {
    const address = parseAddress(text);
    return !!address && address.family === 'ipv6' && !isMulticast(address) && (address.value & 0xff_ffffn) === low;
  });
}

/**
 * Why ipv6_rcv drops an IPv6 packet arriving from another host before any hook, or undefined:
 * a multicast source, ::1 as source or destination, or a multicast destination of reserved (0) or
 * interface-local (1) scope.
 */
export function droppedOnArrival(src: string, dst: string): string | undefined {
  const source = parseAddress(src);
  const destination = parseAddress(dst);
  if (source?.family === 'ipv6' && isMulticast(source)) return `an IPv6 packet from a multicast source (${src}) is dropped on arrival (ipv6_rcv)`;
  if (source?.family === 'ipv6' && isLoopback(source)) return `an IPv6 packet from ::1 cannot come from another host: dropped on arrival (ipv6_rcv)`;
  if (destination?.family === 'ipv6' && isLoopback(destination)) return `an IPv6 packet to ::1 cannot come from another host: dropped on arrival (ipv6_rcv)`;
  if (destination?.family !== 'ipv6' || !isMulticast(destination)) return undefined;
  const scope = multicastScope(destination);
  if (scope > 1) return undefined;
  return `an IPv6 packet to ${scope === 0 ? 'a reserved-scope' : 'an interface-local'} multicast group (${dst}) cannot come from another host: dropped on arrival (ipv6_rcv)`;
}

/** The scope field of an IPv6 multicast address (ffXs::: 1 interface-local, 2 link-local, 5 site, 14 global). */
function multicastScope(address: Address): number {
  return Number((address.value >> 112n) & 0xfn);
}

/** The address to use as the node's own source (MASQUERADE, SNAT inference): the first that is not a group. */
export function firstUnicast(addresses: readonly string[]): string | undefined {
  return addresses.find((a) => destinationKind(a) === 'unicast');
}
