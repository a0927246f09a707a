// HMARK target: option table from iptables 1.8.9 (libxt/libipt/libip6t_HMARK), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { parseAddress } from '../../addr';
import { hex, parseNumber } from '../common';
import { plenProblem } from '../value-checks';
import { jhash3words, reciprocalScale } from '../jhash';

export const HMARKTarget: TargetSpec = {
  name: 'HMARK',
  // (what to hash: a tuple, or a prefix or mask of its own; --hmark-mod, --hmark-rnd and --hmark-offset are not)
  needsOneOf: [{ options: ['hmark-tuple', 'hmark-src-prefix', 'hmark-dst-prefix', 'hmark-sport-mask', 'hmark-dport-mask', 'hmark-spi-mask', 'hmark-sport', 'hmark-dport', 'hmark-spi', 'hmark-proto-mask'], message: 'you have to specify --hmark-tuple at least' }],
  doc: 'Set the packet mark from a hash of the packet’s tuple (modulus + offset)',
  terminating: false,
  apply: applyHmark,
  validate(target) {
    // HMARK_check: an SPI mask and a port mask exclude each other (the tuple's `spi`, `sport`, `dport` set them too).
    const tuple = target.options.find((o) => o.name === 'hmark-tuple');
    const read = tuple ? readHmarkTuple(tuple.args[0]?.text ?? '') : { members: [] };
    const members = 'error' in read ? [] : read.members;
    const has = (name: string) => target.options.some((o) => o.name === name);
    const spiMask = members.includes('spi') || has('hmark-spi-mask');
    const portMask = members.includes('sport') || members.includes('dport') || has('hmark-sport-mask') || has('hmark-dport-mask');
    if (spiMask && portMask) return [{ option: tuple ?? target.options.find((o) => o.name === 'hmark-spi-mask'), message: 'you cannot use --hmark-spi-mask and --hmark-?port-mask,at the same time' }];
    // The tuple counts as giving the prefix or mask of each member: given again after it, it is a repeat.
    const after = tuple ? target.options.slice(target.options.indexOf(tuple) + 1) : [];
    const repeat = after.find((o) => members.some((member) => TUPLE_MEMBER_OPTION[member] === o.name));
    if (repeat) return [{ option: repeat, message: `HMARK: option "--${repeat.name}" can only be used once.` }];
    return [];
  },
  options: [
    {
      name: 'hmark-tuple', arity: 1, negatable: false, value: 'string', check: (text) => { const read = readHmarkTuple(text); return 'error' in read ? { severity: 'error', message: read.error } : undefined; },
      doc: 'Tuple members to hash: comma list of src, dst, sport, dport, spi, ct',
    },
    {
      name: 'hmark-src-prefix', arity: 1, negatable: false, value: 'int', check: plenProblem('HMARK', 'hmark-src-prefix'),
      doc: 'The source address mask in CIDR notation',
    },
    {
      name: 'hmark-dst-prefix', arity: 1, negatable: false, value: 'int', check: plenProblem('HMARK', 'hmark-dst-prefix'),
      doc: 'The destination address mask in CIDR notation',
    },
    {
      name: 'hmark-sport-mask', arity: 1, negatable: false, value: 'int', range: [0, 65535],
      doc: 'A 16 bit source port mask in hexadecimal',
    },
    {
      name: 'hmark-dport-mask', arity: 1, negatable: false, value: 'int', range: [0, 65535],
      doc: 'A 16 bit destination port mask in hexadecimal',
    },
    {
      name: 'hmark-spi-mask', arity: 1, negatable: false, value: 'int',
      doc: 'A 32 bit field with spi mask',
    },
    {
      name: 'hmark-sport', arity: 1, negatable: false, value: 'int', range: [0, 65535],
      doc: '16-bit source port value to use instead of the packet’s (with the mask)',
    },
    {
      name: 'hmark-dport', arity: 1, negatable: false, value: 'int', range: [0, 65535],
      doc: '16-bit destination port value to use instead of the packet’s (with the mask)',
    },
    {
      name: 'hmark-spi', arity: 1, negatable: false, value: 'int',
      doc: '32-bit SPI value to use',
    },
    {
      name: 'hmark-proto-mask', arity: 1, negatable: false, value: 'int', range: [0, 65535],
      doc: 'An 8 bit field with layer 4 protocol number',
    },
    {
      name: 'hmark-rnd', arity: 1, negatable: false, value: 'int', required: true,
      doc: 'A 32 bit random custom value to feed hash calculation',
    },
    {
      name: 'hmark-mod', arity: 1, negatable: false, value: 'int', range: [1, 4294967295], required: true,
      doc: 'Modulus for hash calculation (to limit the range of possible marks)',
    },
    {
      name: 'hmark-offset', arity: 1, negatable: false, value: 'int',
      doc: 'Offset to start marks from',
    },
  ],
};

/** xt_HMARK's parameters as iptables builds them: options in command-line order, later ones win. */
interface HmarkInfo {
  srcMask: bigint;
  dstMask: bigint;
  /** (sport << 16 | dport) mask and fixed bits, host order */
  portMask: number;
  portSet: number;
  protoMask: number;
  rnd: number;
  mod: number;
  offset: number;
  ct: boolean;
}

const TUPLE_MEMBERS = ['ct', 'src', 'dst', 'sport', 'dport', 'proto', 'spi'] as const;

/**
 * `--hmark-tuple` as libxt_HMARK reads it: comma-separated members, each any case-insensitive prefix
 * of a member name, tried in the order ct, src, dst, sport, dport, proto, spi (`s` is src, `p`
 * proto); its messages.
 */
export function readHmarkTuple(text: string): { members: Array<(typeof TUPLE_MEMBERS)[number]> } | { error: string } {
  const members: Array<(typeof TUPLE_MEMBERS)[number]> = [];
  const pieces = text.split(',');
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i].toLowerCase();
    if (piece === '' && i === pieces.length - 1) return { error: '"--hmark-tuple" requires a list of types with no spaces, e.g. src,dst,sport,dport,proto' };
    const member = piece === '' ? undefined : TUPLE_MEMBERS.find((name) => name.startsWith(piece));
    // (the message quotes the rest of the list, from this member on)
    if (!member) return { error: `Bad type "${pieces.slice(i).join(',')}"` };
    members.push(member);
  }
  return { members };
}

function hmarkInfo(target: TargetUse, family: 'ipv4' | 'ipv6'): HmarkInfo | undefined {
  const bits = family === 'ipv6' ? 128n : 32n;
  const all = (1n << bits) - 1n;
  const prefixMask = (n: number) => (n <= 0 ? 0n : all ^ ((1n << (bits - BigInt(Math.min(n, Number(bits))))) - 1n));
  const info: HmarkInfo = { srcMask: 0n, dstMask: 0n, portMask: 0, portSet: 0, protoMask: 0, rnd: 0, mod: 0, offset: 0, ct: false };
  for (const option of target.options) {
    const text = option.args[0]?.text ?? '';
    const n = parseNumber(text);
    switch (option.name) {
      case 'hmark-tuple': {
        const tuple = readHmarkTuple(text);
        if ('error' in tuple) return undefined;
        for (const part of tuple.members) {
          if (part === 'src') info.srcMask = all;
          else if (part === 'dst') info.dstMask = all;
          else if (part === 'sport') info.portMask = (info.portMask | 0xffff0000) >>> 0;
          else if (part === 'dport') info.portMask = (info.portMask | 0xffff) >>> 0;
          else if (part === 'spi') info.portMask = 0xffffffff;
          else if (part === 'proto') info.protoMask = 0xff;
          else info.ct = true;
        }
        break;
      }
      case 'hmark-src-prefix': if (n === undefined || n > Number(bits)) return undefined; info.srcMask = prefixMask(n); break; // (past the width: read as a mask, not computed)
      case 'hmark-dst-prefix': if (n === undefined || n > Number(bits)) return undefined; info.dstMask = prefixMask(n); break;
      case 'hmark-sport-mask': if (n === undefined) return undefined; info.portMask = ((info.portMask & 0xffff) | ((n & 0xffff) << 16)) >>> 0; break;
      case 'hmark-dport-mask': if (n === undefined) return undefined; info.portMask = ((info.portMask & 0xffff0000) | (n & 0xffff)) >>> 0; break;
      case 'hmark-spi-mask': if (n === undefined) return undefined; info.portMask = n >>> 0; break;
      case 'hmark-sport': if (n === undefined) return undefined; info.portSet = ((info.portSet & 0xffff) | ((n & 0xffff) << 16)) >>> 0; break;
      case 'hmark-dport': if (n === undefined) return undefined; info.portSet = ((info.portSet & 0xffff0000) | (n & 0xffff)) >>> 0; break;
      case 'hmark-spi': if (n === undefined) return undefined; info.portSet = n >>> 0; break;
      case 'hmark-proto-mask': if (n === undefined) return undefined; info.protoMask = n & 0xffff; break;
      case 'hmark-rnd': if (n === undefined) return undefined; info.rnd = n >>> 0; break;
      case 'hmark-mod': if (n === undefined || n < 1) return undefined; info.mod = n >>> 0; break;
      case 'hmark-offset': if (n === undefined) return undefined; info.offset = n >>> 0; break;
    }
  }
  return info.mod >= 1 ? info : undefined;
}

/** An address under a mask, folded to 32 bits as xt_HMARK does (IPv6: the XOR of its four words). */
function foldAddress(value: bigint, mask: bigint, family: 'ipv4' | 'ipv6'): number {
  const masked = value & mask;
  if (family === 'ipv4') return Number(masked) >>> 0;
  let folded = 0;
  for (let word = 0; word < 4; word++) folded = (folded ^ Number((masked >> BigInt(32 * word)) & 0xffffffffn)) >>> 0;
  return folded;
}

/**
 * xt_HMARK in packet mode: mark = reciprocal_scale(jhash_3words(lower address, higher address,
 * ports, rnd) ^ (proto & proto-mask), mod) + offset — both directions of a flow get the same mark.
 * ICMP and fragments hash without ports; the conntrack mode (`--hmark-tuple ct`) is not computed.
 */
function applyHmark(target: TargetUse, ctx: EvalContext): TargetEffect {
  const arg = (name: string) => target.options.find((o) => o.name === name)?.args[0]?.text;
  const describe = `mark set from a hash of the tuple (mod ${arg('hmark-mod') ?? '?'} + offset ${arg('hmark-offset') ?? '0'})`;
  const packet = ctx.packet;
  const info = hmarkInfo(target, packet.family);
  const src = parseAddress(packet.src, packet.family);
  const dst = parseAddress(packet.dst, packet.family);
  // (ESP/AH hash their SPI where ports would be: the packet model has no SPI)
  const spi = (packet.proto === 50 || packet.proto === 51) && (info?.portMask || info?.portSet);
  if (!info || info.ct || spi || !src || !dst) return { verdict: 'CONTINUE', description: describe, assumption: 'the HMARK hash value is not computed here (conntrack mode, an ESP/AH SPI, or unreadable options): the mark is left unchanged in the trace' };
  let a = foldAddress(src.value, info.srcMask, packet.family);
  let b = foldAddress(dst.value, info.dstMask, packet.family);
  if (b < a) [a, b] = [b, a];
  let ports = 0;
  const icmp = packet.proto === 1 || packet.proto === 58;
  // (ports are read for TCP, UDP, SCTP, DCCP, UDPLITE …: proto_ports_offset; never for a later fragment)
  if (!icmp && !packet.fragment && packet.sport !== undefined && packet.dport !== undefined) {
    const both = ((((packet.sport << 16) | packet.dport) >>> 0) & info.portMask | info.portSet) >>> 0;
    const sport = both >>> 16;
    const dport = both & 0xffff;
    ports = (dport > sport ? (dport << 16) | sport : (sport << 16) | dport) >>> 0;
  }
  const hash = (jhash3words(a, b, ports, info.rnd) ^ (packet.proto & info.protoMask)) >>> 0;
  const mark = (reciprocalScale(hash, info.mod) + info.offset) >>> 0;
  const before = packet.mark;
  packet.mark = mark;
  return { verdict: 'CONTINUE', rewrite: { mark }, description: `${describe}: mark ${hex(before)} → ${hex(mark)}` };
}

/** The option each --hmark-tuple member sets (libxt_HMARK hmark_parse_type: src sets the source prefix …). */
const TUPLE_MEMBER_OPTION: Readonly<Record<string, string>> = {
  src: 'hmark-src-prefix', dst: 'hmark-dst-prefix', sport: 'hmark-sport-mask', dport: 'hmark-dport-mask', spi: 'hmark-spi-mask', proto: 'hmark-proto-mask',
};
