// The packet the simulator carries through the hooks, plus the node it is on.
// Addresses are kept as text (canonical form) so traces print what users typed;
// `addr.ts` parses them when a match needs arithmetic.

import type { Family } from './model';
import type { SavedBy } from './saved-by';
import type { TcpOptions } from './tcp-options';

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED' | 'SNAT' | 'DNAT';

export interface Packet {
  family: Family;
  src: string;
  dst: string;
  /** IP protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, 132 sctp …) */
  proto: number;
  sport?: number;
  dport?: number;
  /** ICMP / ICMPv6 type and code */
  icmpType?: number;
  icmpCode?: number;
  /** TCP flags set on the packet, upper case names: SYN ACK FIN RST URG PSH ECE CWR */
  tcpFlags?: string[];
  /** interface the packet arrived on (absent for locally generated packets) */
  inIface?: string;
  /** interface routing picked (absent before routing and on INPUT) */
  outIface?: string;
  /** nfmark, unsigned 32-bit */
  mark: number;
  /** conntrack mark, unsigned 32-bit */
  ctmark: number;
  /** conntrack state of this packet: NEW for the first packet of a connection */
  ctstate: 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';
  /** conntrack status bits set so far (DNAT / SNAT after NAT has been applied) */
  ctstatus: Array<'SNAT' | 'DNAT' | 'CONFIRMED' | 'ASSURED' | 'SEEN_REPLY' | 'EXPECTED'>;
  /**
   * A CT template is attached (`-j CT --zone …` in raw, before conntrack has run): conntrack matches
   * see the state NEW, the status CONFIRMED and an all-zero tuple until the raw table ends.
   */
  ctTemplate?: boolean;
  /** the zone the CT template asks for (`--zone N`, `mark`: the packet mark's low 16 bits when conntrack runs) */
  ctTemplateZone?: number | 'mark';
  /** conntrack zone of the packet's connection (CT --zone in raw); absent: zone 0 */
  ctZone?: number;
  /**
   * Sets as changed by SET --add-set / --del-set earlier in this packet's traversal (the kernel changes
   * a set at once, for every later rule). Replaced, never mutated: paths forked from one share it.
   */
  ipsetChanges?: Record<string, IpsetContent>;
  /**
   * What this path assumed where the engine could not tell (is 10.0.0.1 one of the node's addresses?
   * is it in ipset X?), or learnt since (SET --add-set of an element to a set whose contents were not
   * given), by fact key (extensions/common.ts assumedFact). Replaced, never mutated.
   */
  assumedFacts?: Readonly<Record<string, boolean>>;
  /** how often this packet has passed each `-m limit` (by the match's offset): each has `--limit-burst` credits */
  limitUses?: Record<number, number>;
  /** bytes of each `-m quota` (by the match's offset) this packet has used up in earlier passes */
  quotaUsed?: Record<number, number>;
  /** original tuple before NAT (conntrack --ctorigdst etc.) */
  origSrc: string;
  origDst: string;
  origSport?: number;
  origDport?: number;
  /** total IP length in bytes */
  length: number;
  ttl: number;
  /** true for a non-first fragment (`-f`) */
  fragment: boolean;
  /** link-layer packet type for pkttype: unicast | broadcast | multicast */
  pkttype: 'unicast' | 'broadcast' | 'multicast';
  dscp: number;
  /** the ECN field, the TOS / Traffic Class byte's low two bits (0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE) */
  ecn: number;
  /** true when the node itself sent the packet (OUTPUT path) */
  fromLocal: boolean;
  /**
   * source MAC address of the Ethernet frame the packet arrived in (lower case, `02:00:5e:10:00:01`);
   * absent when not given (-m mac is then undecided) and once the packet comes back in through lo
   */
  srcMac?: string;
  /**
   * TCP: the options after the fixed 20-byte header, when the packet line gives them (`options …`):
   * the header is then 20 + their length. Absent: unknown (--tcp-option, tcpmss and reads of them fork).
   */
  tcpOptions?: TcpOptions;
  /**
   * The path MTU TCPMSS --clamp-mss-to-pmtu reads (the smaller of the route out's and the route back
   * to the source), when the packet line gives it (`mtu N`). Absent: unknown.
   */
  pathMtu?: number;
  /**
   * IPsec (`-m policy`): whether the packet arrived through IPsec, decapsulated (`in`: it has a
   * sec_path), and whether its route encapsulates it when it leaves (`out`: an xfrm bundle). Absent:
   * unknown (policy forks).
   */
  ipsec?: { in: boolean; out: boolean };
  /** when the node handles the packet, seconds since the epoch (UTC); absent: unknown (`-m time` forks) */
  time?: number;
  /**
   * the bytes after the transport header, when the packet line gives them: the packet ends with
   * them (its length is the headers' plus theirs). Absent: the payload is unknown (string, u32 fork).
   */
  payload?: Uint8Array;
}

/** What the simulator knows about the node the dump came from. */
export interface NodeContext {
  /** addresses owned by the node (routing: local destination → INPUT) */
  localAddresses: string[];
  /** how `localAddresses` was obtained, shown in traces when inferred */
  localAddressesSource: 'given' | 'inferred' | 'none';
  /** broadcast addresses of the node's IPv4 subnets, when its addresses were given with prefixes */
  localBroadcasts?: string[];
  /** address MASQUERADE picks (the egress interface's primary address); absent = shown symbolically */
  egressAddress?: string;
  /** ipset name → members (addresses, CIDRs, `ip,proto:port` entries) when an `ipset save` file was given */
  ipsets?: Map<string, IpsetContent>;
  /** the iptables that saved (and so loaded) the dump, from its header: some behaviour depends on it */
  savedBy?: SavedBy;
}

export interface IpsetContent {
  name: string;
  type: string;
  /** raw member strings as written by `ipset save`, element options included (`10.0.0.1`, `10.0.0.0/8 nomatch`, `10.0.0.1,tcp:80 timeout 30`) */
  members: string[];
  /** the create line's options after the type (`family inet hashsize 1024`, `range 1-1024`) */
  options?: string;
  /** set when a SET target changed the set in a way the simulator does not model: its tests are undecided */
  unknownChange?: string;
}

/** Where in the netfilter graph a rule is being evaluated. */
export interface HookPosition {
  hook: 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
  table: string;
  chain: string;
}

/**
 * The protocol a `-p` / `--ctproto` value names, as xtables_parse_protocol reads it: a number 0–255
 * as strtoul(base 0) reads the whole word (`0x11` is 17, `010` is 8, `+6` is 6), else a name in any
 * case (iptables lowers -p). Undefined for a number past 255 (iptables: unknown protocol) and for a
 * name this list does not know (iptables asks /etc/protocols).
 */
export function protocolNumber(name: string): number | undefined {
  const number = /^[ \t\n\v\f\r]*\+?(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(name);
  if (number) {
    const value = number[1] !== undefined ? parseInt(number[1], 16) : number[2] !== undefined ? parseInt(number[2], 8) : Number(number[3]);
    return value <= 255 ? value : undefined;
  }
  return PROTOCOL_NUMBERS[name.toLowerCase()];
}

export function protocolName(num: number): string {
  for (const [name, value] of Object.entries(PROTOCOL_NUMBERS)) if (value === num && name !== 'ipv6-icmp' && name !== 'icmpv6') return name;
  return String(num);
}

/** /etc/protocols subset that iptables-save and real dumps use. `all` is 0. */
export const PROTOCOL_NUMBERS: Record<string, number> = {
  all: 0,
  icmp: 1,
  igmp: 2,
  ipip: 4,
  tcp: 6,
  egp: 8,
  udp: 17,
  ipv6: 41,
  rsvp: 46,
  gre: 47,
  esp: 50,
  ah: 51,
  'ipv6-icmp': 58,
  icmpv6: 58,
  icmp6: 58,
  ospf: 89,
  pim: 103,
  vrrp: 112,
  l2tp: 115,
  sctp: 132,
  mh: 135,
  'ipv6-mh': 135, // (libxtables knows it without /etc/protocols)
  udplite: 136,
  dccp: 33,
};
Object.setPrototypeOf(PROTOCOL_NUMBERS, null); // keys come from dumps: `constructor` must not find Object's
