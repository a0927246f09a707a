// The packet's bytes as the kernel's byte-level matches (u32, string) read them: byte values plus
// which bits of each the trace knows. The packet model fixes the version, header length, TOS, total
// length, TTL, protocol, addresses, ports, TCP flags, UDP length and ICMP type/code, and the payload
// when the packet line gives one (then also the TCP header's length); it has no IP identification,
// checksums, TCP sequence numbers, window or options. Those bytes are present (up to the packet's
// length) but unknown, so a test that reads them stays undecided.
// Also the names of the header fields by offset, for explanations (hovers, assumption texts).

import { parseAddress } from './addr';
import type { Family } from './model';
import type { Packet } from './packet';

export interface HeaderBytes {
  /** skb->len at the hooks: the IP total length (IPv4) or 40 + payload length (IPv6) */
  length: number;
  /** byte values; a bit means something only where `known` has it set */
  value: Uint8Array;
  /** mask of the bits of each byte the trace knows; bytes past the array (payload) are unknown */
  known: Uint8Array;
  /** per byte: the header field it belongs to ("IPv4 identification") */
  field: string[];
  /** per byte: whether it changes while the packet crosses the node (checksums follow TTL and NAT) */
  volatile: boolean[];
}

/** the most payload a trace's packet may carry: an Ethernet MTU's worth behind an IPv4 header */
export const MAX_PAYLOAD = 1480;

/** [offset, size, name] of a header's fields. */
type Layout = ReadonlyArray<readonly [number, number, string]>;

const IPV4_LAYOUT: Layout = [
  [0, 1, 'IPv4 version/header length'], [1, 1, 'IPv4 TOS (DSCP and ECN)'], [2, 2, 'IPv4 total length'],
  [4, 2, 'IPv4 identification'], [6, 2, 'IPv4 flags/fragment offset'], [8, 1, 'IPv4 TTL'],
  [9, 1, 'IPv4 protocol'], [10, 2, 'IPv4 header checksum'], [12, 4, 'IPv4 source address'],
  [16, 4, 'IPv4 destination address'],
];
const IPV6_LAYOUT: Layout = [
  [0, 4, 'IPv6 version/traffic class/flow label'], [4, 2, 'IPv6 payload length'], [6, 1, 'IPv6 next header'],
  [7, 1, 'IPv6 hop limit'], [8, 16, 'IPv6 source address'], [24, 16, 'IPv6 destination address'],
];
const TCP_LAYOUT: Layout = [
  [0, 2, 'TCP source port'], [2, 2, 'TCP destination port'], [4, 4, 'TCP sequence number'],
  [8, 4, 'TCP acknowledgment number'], [12, 1, 'TCP data offset'], [13, 1, 'TCP flags'], [14, 2, 'TCP window'],
  [16, 2, 'TCP checksum'], [18, 2, 'TCP urgent pointer'],
];
const UDP_LAYOUT: Layout = [[0, 2, 'UDP source port'], [2, 2, 'UDP destination port'], [4, 2, 'UDP length'], [6, 2, 'UDP checksum']];
const SCTP_LAYOUT: Layout = [[0, 2, 'SCTP source port'], [2, 2, 'SCTP destination port'], [4, 4, 'SCTP verification tag'], [8, 4, 'SCTP checksum']];
const ICMP_LAYOUT: Layout = [[0, 1, 'ICMP type'], [1, 1, 'ICMP code'], [2, 2, 'ICMP checksum'], [4, 4, 'ICMP rest of header (identifier, sequence …)']];
const ICMPV6_LAYOUT: Layout = ICMP_LAYOUT.map(([o, s, n]) => [o, s, n.replace('ICMP', 'ICMPv6')] as const);

/** The layout of the transport header of protocol `proto` (undefined: not one the engine names). */
export function transportLayout(proto: number, family: Family): Layout | undefined {
  switch (proto) {
    case 6: return TCP_LAYOUT;
    case 17: return UDP_LAYOUT;
    case 132: return SCTP_LAYOUT;
    case 1: return family === 'ipv4' ? ICMP_LAYOUT : undefined;
    case 58: return family === 'ipv6' ? ICMPV6_LAYOUT : undefined;
    default: return undefined;
  }
}

/** The length of the fixed IP header: 20 (IPv4 without options, as the packet model is) or 40. */
export function ipHeaderLength(family: Family): number {
  return family === 'ipv4' ? 20 : 40;
}

/** The name of the field at `offset` of a header laid out as `layout` (undefined past its end). */
export function fieldAt(layout: Layout, offset: number): string | undefined {
  for (const [start, size, name] of layout) if (offset >= start && offset < start + size) return name;
  return undefined;
}

/** The IP header's layout for a family. */
export function ipLayout(family: Family): Layout {
  return family === 'ipv4' ? IPV4_LAYOUT : IPV6_LAYOUT;
}

/** The size of a transport header without options (0 for a protocol the engine does not lay out). */
function fixedTransportLength(layout: Layout | undefined): number {
  return layout ? layout[layout.length - 1][0] + layout[layout.length - 1][1] : 0;
}

/**
 * The transport header's length when the packet carries a payload the trace knows: what the packet's
 * length leaves between the IP header and the payload (TCP: 20–60 bytes in steps of 4, its options
 * included; other protocols: exactly their header). Undefined when the payload is unknown or does
 * not fit the packet's length that way (the packet line refuses such a packet).
 */
export function transportLengthWithPayload(packet: Pick<Packet, 'family' | 'proto' | 'length' | 'payload' | 'fragment'>): number | undefined {
  if (packet.payload === undefined || packet.fragment) return undefined;
  const fixed = fixedTransportLength(transportLayout(packet.proto, packet.family));
  const length = packet.length - ipHeaderLength(packet.family) - packet.payload.length;
  if (packet.proto === 6) return length >= 20 && length <= 60 && length % 4 === 0 ? length : undefined;
  return length === fixed ? length : undefined;
}

/** The TOS / Traffic Class byte: the DSCP in its top six bits, the ECN field in its low two. */
export function tosByte(packet: Pick<Packet, 'dscp' | 'ecn'>): number {
  return ((packet.dscp << 2) | (packet.ecn & 3)) & 0xff;
}

/** Names of the ECN field's values (RFC 3168), as a packet line and a trace write them. */
export const ECN_NAMES = ['not-ect', 'ect1', 'ect0', 'ce'] as const;

/** The length of a packet that ends with `payloadLength` bytes of payload after headers without options. */
export function lengthWithPayload(family: Family, proto: number, payloadLength: number): number {
  return ipHeaderLength(family) + (proto === 6 ? 20 : fixedTransportLength(transportLayout(proto, family))) + payloadLength;
}

/** The packet's bytes and what the trace knows of them. */
export function headerBytes(packet: Packet): HeaderBytes {
  const family = packet.family;
  const ipLength = ipHeaderLength(family);
  // Non-first fragments (and IPv6 fragments, whose next header is the fragment header) carry no
  // transport header the engine knows.
  const layout = packet.fragment ? undefined : transportLayout(packet.proto, family);
  // A TCP header whose options are given has their length; else a payload that ends the packet tells it.
  const options = packet.proto === 6 && layout ? packet.tcpOptions : undefined;
  const transportLength = options ? 20 + options.bytes.length : transportLengthWithPayload(packet);
  const payload = transportLength !== undefined && packet.payload && packet.length === ipLength + transportLength + packet.payload.length ? packet.payload : undefined;
  const modelled = ipLength + (transportLength ?? fixedTransportLength(layout)) + (payload?.length ?? 0);
  const size = Math.max(0, Math.min(packet.length, modelled));
  const bytes = new ByteWriter(size);

  for (const [offset, fieldSize, name] of ipLayout(family)) bytes.name(offset, fieldSize, name);
  const tos = tosByte(packet);
  if (family === 'ipv4') {
    bytes.set(0, 0x45); // version 4, five 32-bit words: no IP options
    bytes.set(1, tos);
    bytes.setWord(2, packet.length);
    // Flags: the reserved bit is 0; DF and MF are not modelled. The offset is 0 unless this is a
    // non-first fragment (then it is not 0, but not known either).
    bytes.setBits(6, 0, packet.fragment ? 0x80 : 0x9f);
    if (!packet.fragment) bytes.set(7, 0);
    bytes.set(8, packet.ttl);
    bytes.set(9, packet.proto);
    bytes.volatile(10, 2);
    bytes.setAddress(12, packet.src, family);
    bytes.setAddress(16, packet.dst, family);
  } else {
    bytes.set(0, 0x60 | (tos >> 4));
    bytes.setBits(1, (tos & 0x0f) << 4, 0xf0); // the low nibble starts the flow label: unknown
    bytes.setWord(4, packet.length - 40);
    if (!packet.fragment) bytes.set(6, packet.proto); // no extension headers in the model
    bytes.set(7, packet.ttl);
    bytes.setAddress(8, packet.src, family);
    bytes.setAddress(24, packet.dst, family);
  }
  if (layout) {
    const t = ipLength;
    for (const [offset, fieldSize, name] of layout) {
      bytes.name(t + offset, fieldSize, name);
      if (name.endsWith('checksum')) bytes.volatile(t + offset, fieldSize);
    }
    if (packet.proto === 6 || packet.proto === 17 || packet.proto === 132) {
      if (packet.sport !== undefined) bytes.setWord(t, packet.sport);
      if (packet.dport !== undefined) bytes.setWord(t + 2, packet.dport);
    }
    if (packet.proto === 6 && packet.tcpFlags) bytes.set(t + 13, tcpFlagBits(packet.tcpFlags));
    if (packet.proto === 6 && transportLength !== undefined) {
      // With options or a payload the data offset is known (the low bits of the byte are reserved flags: not modelled).
      bytes.setBits(t + 12, (transportLength / 4) << 4, 0xf0);
      bytes.name(t + 20, transportLength - 20, 'TCP options');
      if (options) for (let k = 0; k < options.bytes.length; k++) if (options.known[k]) bytes.set(t + 20 + k, options.bytes[k]);
    }
    if (packet.proto === 17) bytes.setWord(t + 4, packet.length - ipLength);
    if (packet.proto === 1 || packet.proto === 58) {
      if (packet.icmpType !== undefined) bytes.set(t, packet.icmpType);
      if (packet.icmpCode !== undefined) bytes.set(t + 1, packet.icmpCode);
    }
  }
  if (payload) {
    const at = ipLength + transportLength!;
    bytes.name(at, payload.length, 'payload');
    for (let k = 0; k < payload.length; k++) bytes.set(at + k, payload[k]);
  }
  return { length: packet.length, value: bytes.value, known: bytes.known, field: bytes.fields, volatile: bytes.volatiles };
}

const TCP_FLAG_BITS: Readonly<Record<string, number>> = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 };

function tcpFlagBits(flags: readonly string[]): number {
  let bits = 0;
  for (const flag of flags) bits |= TCP_FLAG_BITS[flag.toUpperCase()] ?? 0;
  return bits;
}

/** Writes into the first `size` bytes; writes past the packet's end are dropped. */
class ByteWriter {
  readonly value: Uint8Array;
  readonly known: Uint8Array;
  readonly fields: string[];
  readonly volatiles: boolean[];
  constructor(readonly size: number) {
    this.value = new Uint8Array(size);
    this.known = new Uint8Array(size);
    this.fields = new Array<string>(size).fill('');
    this.volatiles = new Array<boolean>(size).fill(false);
  }
  setBits(offset: number, value: number, mask: number): void {
    if (offset >= this.size) return;
    this.value[offset] = value & mask;
    this.known[offset] = mask;
  }
  set(offset: number, value: number): void {
    this.setBits(offset, value, 0xff);
  }
  /** a 16-bit big-endian value */
  setWord(offset: number, value: number): void {
    this.set(offset, (value >>> 8) & 0xff);
    this.set(offset + 1, value & 0xff);
  }
  setAddress(offset: number, text: string, family: Family): void {
    const address = parseAddress(text, family);
    if (!address) return;
    const count = family === 'ipv4' ? 4 : 16;
    for (let k = 0; k < count; k++) this.set(offset + k, Number((address.value >> BigInt(8 * (count - 1 - k))) & 0xffn));
  }
  name(offset: number, size: number, name: string): void {
    for (let k = offset; k < offset + size && k < this.size; k++) this.fields[k] = name;
  }
  volatile(offset: number, size: number): void {
    for (let k = offset; k < offset + size && k < this.size; k++) this.volatiles[k] = true;
  }
}
