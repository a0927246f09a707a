// The `--to-destination` / `--to-source` grammar of the NAT targets, and what applying it does.
// `ip[-ip][:port[-port]]`, IPv6 as `[ip[-ip]]:port[-port]` (brackets needed with a port).
// The kernel picks from a range per connection; the engine takes the first address / port and says
// that a range was given.

import type { Packet } from '../../packet';
import { canonicalAddress, parseAddress } from '../../addr';
import { parsePort } from '../common';

export interface NatRange {
  fromAddress?: string;
  toAddress?: string;
  fromPort?: number;
  toPort?: number;
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
  } // several colons without brackets: a bare IPv6 address
  const range: NatRange = {};
  if (addressPart) {
    const [from, to] = addressPart.split('-');
    range.fromAddress = canonicalAddress(from);
    if (to) range.toAddress = canonicalAddress(to);
  }
  if (portPart) {
    const [from, to] = portPart.split('-');
    range.fromPort = parsePort(from);
    if (range.fromPort === undefined) return undefined;
    if (to !== undefined) range.toPort = parsePort(to);
  }
  return range;
}

/** `10.0.0.1:80` / `[2001:db8::1]:80` */
export function endpoint(packet: Packet, address: string, port: number | undefined): string {
  const host = packet.family === 'ipv6' && port !== undefined ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

/** "(range 10.0.0.1-10.0.0.3, ports 80-90: first taken)" or '' */
export function rangeNote(range: NatRange): string {
  const parts: string[] = [];
  if (range.toAddress && range.toAddress !== range.fromAddress) parts.push(`addresses ${range.fromAddress}-${range.toAddress}`);
  if (range.toPort !== undefined && range.toPort !== range.fromPort) parts.push(`ports ${range.fromPort}-${range.toPort}`);
  return parts.length ? ` (range: ${parts.join(', ')}; the kernel picks one per connection, the first is shown)` : '';
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
export function addressInRange(range: NatRange, address: string): boolean {
  if (!range.fromAddress) return false;
  const value = parseAddress(address)?.value;
  const from = parseAddress(range.fromAddress)?.value;
  const to = parseAddress(range.toAddress ?? range.fromAddress)?.value;
  return value !== undefined && from !== undefined && to !== undefined && value >= from && value <= to;
}
