// The `--to-destination` / `--to-source` grammar of the NAT targets, and what applying it does.
// `ip[-ip][:port[-port]]`, IPv6 as `[ip[-ip]]:port[-port]` (brackets needed with a port).
// From an address range the kernel picks by a hash of the connection's addresses (rangeAddress);
// from a port range, see DNAT/SNAT.

import type { Packet } from '../../packet';
import type { TargetUse } from '../../model';
import { canonicalAddress, formatAddress, parseAddress, type Address } from '../../addr';
import { parsePort } from '../common';
import { jhash2, reciprocalScale } from '../jhash';

export interface NatRange {
  fromAddress?: string;
  toAddress?: string;
  fromPort?: number;
  toPort?: number;
  /** `PORT-PORT/BASE`: the port is shifted, not kept (NF_NAT_RANGE_PROTO_OFFSET, see rangePort) */
  basePort?: number;
}

export function parseNatRange(text: string): NatRange | undefined {
  let addressPart = text;
  let portPart: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    addressPart = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest.startsWith(':')) portPart = rest.slice(1);
    else if (rest !== '') return undefined;
  } else if ((text.match(/:/g) ?? []).length === 1) {
    [addressPart, portPart] = text.split(':');
    if (addressPart.length === 2) addressPart = ''; // (libxt_NAT drops two characters before a colon: `[]:80`, and so `10:80`)
  } // several colons without brackets: a bare IPv6 address
  const range: NatRange = {};
  if (addressPart) {
    const [from, to] = addressPart.split('-');
    range.fromAddress = canonicalAddress(from);
    if (to) range.toAddress = canonicalAddress(to);
  }
  if (portPart) {
    const slash = portPart.indexOf('/');
    const [from, to] = (slash < 0 ? portPart : portPart.slice(0, slash)).split('-');
    range.fromPort = parsePort(from);
    if (range.fromPort === undefined) return undefined;
    if (to !== undefined) range.toPort = parsePort(to);
    if (slash >= 0) {
      // (libxt_NAT reads the base's leading number and ignores what follows it)
      range.basePort = parsePort(/^\+?(0x[0-9a-f]+|\d+)/i.exec(portPart.slice(slash + 1))?.[0] ?? portPart.slice(slash + 1));
      if (range.basePort === undefined) return undefined;
    }
  }
  return range;
}

/** `10.0.0.1:80` / `[2001:db8::1]:80` */
export function endpoint(packet: Packet, address: string, port: number | undefined): string {
  const host = packet.family === 'ipv6' && port !== undefined ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

/**
 * " (range: addresses A-B, the kernel's pick for this connection; ports P-Q, …)" or ''. `portNote`
 * says how the port was chosen from a port range.
 */
export function rangeNote(range: NatRange, portNote: string, zone = 0): string {
  const parts: string[] = [];
  if (range.toAddress && range.toAddress !== range.fromAddress) parts.push(`addresses ${range.fromAddress}-${range.toAddress}, picked by a hash of the connection's addresses${zone ? ` and its conntrack zone ${zone}` : ''} as the kernel does`);
  if (range.basePort !== undefined) parts.push(`ports ${range.fromPort}-${range.toPort ?? range.fromPort} from base ${range.basePort}: the port is shifted by ${range.fromPort! - range.basePort}, wrapping around the range`);
  else if (range.toPort !== undefined && range.toPort !== range.fromPort) parts.push(`ports ${range.fromPort}-${range.toPort}, ${portNote}`);
  return parts.length ? ` (range: ${parts.join('; ')})` : '';
}

/**
 * The address NAT gives a new connection from the range's addresses (nf_nat_core.c
 * find_best_ips_proto): the first one plus reciprocal_scale(jhash2(source address, destination
 * address), size of the range), word by word for IPv6. `src`/`dst`: the connection's original
 * addresses; `manip`: which of them is rewritten; `zone`: its conntrack zone, which the hash's seed
 * mixes in unless the range is persistent. Undefined when an address is not understood.
 * Checked against the kernel: random campaign seeds 970065 and 1138992 (a zone), test/kernel/dumps/nat-range.rules, nat-range-zone.rules.
 */
export function rangeAddress(range: NatRange, src: string, dst: string, manip: 'src' | 'dst', persistent: boolean, zone = 0): string | undefined {
  const min = range.fromAddress && parseAddress(range.fromAddress);
  const max = parseAddress(range.toAddress ?? range.fromAddress ?? '');
  const source = parseAddress(src);
  const destination = parseAddress(dst);
  if (!min || !max || !source || !destination || min.family !== source.family || max.family !== min.family || destination.family !== min.family) return undefined;
  if (min.value === max.value) return formatAddress(min);
  // The tuple's addresses are 16-byte unions (nf_inet_addr): an IPv4 address is word 0, the rest 0.
  // jhash2 reads them as they lie in memory: network byte order on a little-endian CPU.
  const last = min.family === 'ipv4' ? 0 : 3;
  const sourceWords = wordsOf(source).map(hostOrder);
  const destinationWords = wordsOf(destination).map(hostOrder);
  let hash = jhash2(sourceWords, persistent ? 0 : (destinationWords[last] ^ zone) >>> 0);
  const minWords = wordsOf(min);
  const maxWords = wordsOf(max);
  const picked = wordsOf(manip === 'src' ? source : destination);
  let fullRange = false;
  for (let i = 0; i <= last; i++) {
    const low = fullRange ? 0 : minWords[i];
    const size = fullRange ? 0xffffffff : (maxWords[i] - minWords[i] + 1) >>> 0;
    picked[i] = (low + reciprocalScale(hash, size)) >>> 0;
    if (picked[i] !== maxWords[i]) fullRange = true;
    // (for DNAT the tuple's destination is the word just picked)
    if (!persistent) hash = (hash ^ (manip === 'dst' ? hostOrder(picked[i]) : destinationWords[i])) >>> 0;
  }
  return formatAddress(addressOfWords(min.family, picked));
}

/** The four 32-bit words of an address's 16-byte union, each as a number in network order (IPv4: word 0). */
function wordsOf(address: Address): number[] {
  if (address.family === 'ipv4') return [Number(address.value), 0, 0, 0];
  return [0, 1, 2, 3].map((i) => Number((address.value >> BigInt(96 - 32 * i)) & 0xffffffffn));
}

function addressOfWords(family: Address['family'], words: number[]): Address {
  if (family === 'ipv4') return { family, value: BigInt(words[0] >>> 0) };
  return { family, value: words.reduce((value, word) => (value << 32n) | BigInt(word >>> 0), 0n) };
}

/** A network-order word as a little-endian CPU reads it from memory. */
function hostOrder(word: number): number {
  return (((word & 0xff) << 24) | ((word & 0xff00) << 8) | ((word >>> 8) & 0xff00) | (word >>> 24)) >>> 0;
}

/**
 * Record that NAT changed the connection (conntrack's SNAT / DNAT status, `--ctstate SNAT|DNAT`):
 * nf_nat_setup_info sets it only when the new tuple differs from the current one, so a mapping to
 * the address and port the packet already has leaves no trace (random kernel campaign, seed 101603).
 * `before` is the manipulated side's `address:port` before the rewrite.
 */
export function addStatus(packet: Packet, status: 'SNAT' | 'DNAT', before: string): void {
  const after = status === 'DNAT' ? endpoint(packet, packet.dst, packet.dport) : endpoint(packet, packet.src, packet.sport);
  if (after === before) return;
  if (!packet.ctstatus.includes(status)) packet.ctstatus.push(status);
}

/** Is `address` inside the range's addresses (source NAT keeps an address already in range)? */
/**
 * The port a NAT gives `port` from the range's ports (get_unique_tuple tries the tuple it has
 * first): the same port when it is in the range or the range has none, else the range's first.
 * With a base (`1000-2000/500`) the port is shifted instead, in the range or not: the first port
 * plus (port − base, in 16 bits) modulo the range's size (nf_nat_l4proto_unique_tuple).
 */
export function rangePort(range: NatRange, port: number | undefined): number | undefined {
  if (range.fromPort === undefined || port === undefined) return port;
  const last = range.toPort ?? range.fromPort;
  if (range.basePort !== undefined) return range.fromPort + (((port - range.basePort) & 0xffff) % (last - range.fromPort + 1));
  return port >= range.fromPort && port <= last ? port : range.fromPort;
}

/** Whether a NAT target has `--persistent` (rangeAddress then leaves the destination out of the hash). */
export function isPersistent(target: TargetUse): boolean {
  return target.options.some((o) => o.name === 'persistent');
}

export function addressInRange(range: NatRange, address: string): boolean {
  if (!range.fromAddress) return false;
  const value = parseAddress(address)?.value;
  const from = parseAddress(range.fromAddress)?.value;
  const to = parseAddress(range.toAddress ?? range.fromAddress)?.value;
  return value !== undefined && from !== undefined && to !== undefined && value >= from && value <= to;
}
