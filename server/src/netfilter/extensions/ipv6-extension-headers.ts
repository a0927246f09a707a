// What the IPv6 extension-header matches (frag, rt, hbh, dst, ah, ipv6header) see in the traced
// packet. The trace's IPv6 packet is its IPv6 header followed by the header of its protocol, with no
// extension header between them (packet-bytes.ts lays out the same packet for u32). When the
// protocol is itself an extension header (hop-by-hop, routing, fragment, AH, destination options),
// what follows it is not known and these matches stay undecided.

import type { Packet } from '../packet';
import type { EvalContext, MatchOutcome } from './types';
import { alwaysUndecided } from './common';
import { error } from './value-checks';
import type { ValueProblem } from '../values';

/** Next-header numbers the kernel walks over as extension headers (include/net/ipv6.h ipv6_ext_hdr, less NONE). */
const EXTENSION_HEADER_PROTOCOLS: ReadonlySet<number> = new Set([0 /* hop-by-hop */, 43 /* routing */, 44 /* fragment */, 51 /* AH */, 60 /* destination options */]);

/** Whether the traced IPv6 packet's headers are all known: no extension header after the IPv6 header. */
export function headersKnown(packet: Packet): boolean {
  return packet.family === 'ipv6' && !EXTENSION_HEADER_PROTOCOLS.has(packet.proto);
}

/**
 * evaluate() of a match that looks for one extension header with ipv6_find_hdr() (ip6t_frag,
 * ip6t_rt, ip6t_hbh for hbh and dst, ip6t_ah): a packet without that header never matches, whatever
 * the options and their `!` say (-ENOENT → false). Undecided when the packet's headers are not known.
 */
export function extensionHeaderMatch(module: string, reason: string) {
  const unknown = alwaysUndecided(module, reason, { stable: true });
  return (match: Parameters<typeof unknown>[0], ctx: EvalContext): MatchOutcome => (headersKnown(ctx.packet) ? false : unknown(match, ctx));
}

/** ip6t_ipv6header's bits (include/uapi/linux/netfilter_ipv6/ip6t_ipv6header.h). */
export const IPV6HEADER_MASKS = { HOPOPTS: 128, DSTOPTS: 64, ROUTING: 32, FRAGMENT: 16, AH: 8, ESP: 4, NONE: 2, PROTO: 1 } as const;

/** libip6t_ipv6header's header names (and the numbers it takes) → the bit each sets. */
const HEADER_BITS: Readonly<Record<string, number>> = Object.assign(Object.create(null), {
  hop: 128, 'hop-by-hop': 128, '0': 128,
  dst: 64, 'ipv6-opts': 64, '60': 64,
  route: 32, 'ipv6-route': 32, '43': 32,
  frag: 16, 'ipv6-frag': 16, '44': 16,
  auth: 8, ah: 8, '51': 8,
  esp: 4, '50': 4,
  none: 2, 'ipv6-nonxt': 2, '59': 2,
  prot: 1, protocol: 1,
});

/** ipv6header `--header`: comma-separated names, long names or numbers (empty pieces skipped, as libip6t_ipv6header does). */
export function ipv6HeaderProblem(text: string): ValueProblem | undefined {
  const pieces = text.split(',').filter((piece) => piece !== '');
  if (pieces.length === 0) return error('ip6t_ipv6header: cannot parse header names');
  const unknown = pieces.find((piece) => HEADER_BITS[piece] === undefined);
  return unknown === undefined ? undefined : error(`unknown header \`${unknown}' specified`);
}

/** The bits `--header` names (empty pieces skipped, as libip6t_ipv6header does); undefined when a name is unknown. */
export function headerBits(text: string): number | undefined {
  let bits = 0;
  for (const piece of text.split(',')) {
    if (piece === '') continue;
    const bit = HEADER_BITS[piece];
    if (bit === undefined) return undefined;
    bits |= bit;
  }
  return bits;
}

/**
 * The bits ipv6header_mt6 collects for a packet whose headers are known: ESP and "no next header"
 * end the walk with their own bit; any other protocol is an upper-layer header (MASK_PROTO).
 */
export function packetHeaderBits(packet: Packet): number {
  if (packet.proto === 50) return IPV6HEADER_MASKS.ESP;
  if (packet.proto === 59) return IPV6HEADER_MASKS.NONE;
  return IPV6HEADER_MASKS.PROTO;
}

/**
 * ipv6header_mt6's verdict: without --soft the packet's bits must be exactly the named ones (`!`:
 * anything else); with --soft every named bit must be present (`!`: none of them).
 */
export function ipv6headerMatches(packetBits: number, named: number, negated: boolean, soft: boolean): boolean {
  const inverted = negated ? 0xff : 0;
  if (soft) return ((packetBits ^ named ^ inverted) & named) === 0;
  return negated ? packetBits !== named : packetBits === named;
}
