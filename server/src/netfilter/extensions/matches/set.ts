// set match: option table from iptables 1.8.9 (libxt/libipt/libip6t_set), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { Family, MatchUse } from '../../model';
import type { ValueProblem } from '../../values';
import { error } from '../value-checks';
import type { IpsetContent, NodeContext, Packet } from '../../packet';
import { cidrContains, formatAddress, parseAddress, parseCidr, parseRange, rangeContains } from '../../addr';
import { protocolName, protocolNumber } from '../../packet';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { all, assumedFact, ipsetMemberFact, negateIf, optionText, parsePort, undecided } from '../common';
import { ICMP_TYPES, parseIcmpType } from './icmp';
import { ICMPV6_TYPES } from './icmp6';

export const setMatch: MatchSpec = {
  name: 'set',
  // (probed with iptables 1.8.9: libxt_set checks these itself)
  conflicts: [['packets-eq', 'packets-lt', 'packets-gt'], ['bytes-eq', 'bytes-lt', 'bytes-gt']],
  needsOneOf: [{ options: ['match-set'], message: "You must specify `--match-set' with proper arguments" }],
  doc: 'This module matches IP sets which can be defined by ipset(8)',
  evaluate: evaluateSet,
  options: [
    {
      name: 'match-set', aliases: ['set'], arity: 2, negatable: true, value: 'raw', check: setOptionProblem,
      doc: 'Match if the packet’s address/port (chosen by the comma-separated src/dst flags) is in the ipset `NAME`',
    },
    {
      name: 'return-nomatch', arity: 0, negatable: false, value: 'none',
      doc: 'If the --return-nomatch option is specified and the set type supports the nomatch flag, then the matching is reversed',
    },
    {
      name: 'update-counters', arity: 0, negatable: true, value: 'none',
      doc: '`! --update-counters`: do not update the packet/byte counters of the matching element',
    },
    {
      name: 'packets-eq', arity: 1, negatable: true, value: 'int', range: [0, 18446744073709551615n], rangeMessage: (text) => `Cannot parse ${text} as a counter value`,
      doc: 'If the packet is matched an element in the set, match only if the packet counter of the element matches the given value too',
    },
    {
      name: 'packets-lt', arity: 1, negatable: false, value: 'int', range: [0, 18446744073709551615n], rangeMessage: (text) => `Cannot parse ${text} as a counter value`,
      doc: 'If the packet is matched an element in the set, match only if the packet counter of the element is less than the given value as well',
    },
    {
      name: 'packets-gt', arity: 1, negatable: false, value: 'int', range: [0, 18446744073709551615n], rangeMessage: (text) => `Cannot parse ${text} as a counter value`,
      doc: 'If the packet is matched an element in the set, match only if the packet counter of the element is greater than the given value as well',
    },
    {
      name: 'bytes-eq', arity: 1, negatable: true, value: 'int', range: [0, 18446744073709551615n], rangeMessage: (text) => `Cannot parse ${text} as a counter value`,
      doc: 'If the packet is matched an element in the set, match only if the byte counter of the element matches the given value too',
    },
    {
      name: 'bytes-lt', arity: 1, negatable: false, value: 'int', range: [0, 18446744073709551615n], rangeMessage: (text) => `Cannot parse ${text} as a counter value`,
      doc: 'If the packet is matched an element in the set, match only if the byte counter of the element is less than the given value as well',
    },
    {
      name: 'bytes-gt', arity: 1, negatable: false, value: 'int', range: [0, 18446744073709551615n], rangeMessage: (text) => `Cannot parse ${text} as a counter value`,
      doc: 'If the packet is matched an element in the set, match only if the byte counter of the element is greater than the given value as well',
    },
    {
      name: 'update-subcounters', arity: 0, negatable: true, value: 'none',
      doc: '`! --update-subcounters`: do not update counters of elements in member sets of list:set',
    },
  ],
};

/** Protocols whose ports ipset reads (ip_set_get_ip_port); ICMP's "port" is type << 8 | code. */
const PORT_PROTOCOLS = new Set([6, 17, 132, 136]); // tcp, udp, sctp, udplite

/**
 * One dimension of a set element checked against the packet: whether it holds, and how specific the
 * element is there (a prefix length; the kernel's hash:net lookup tries the longest prefix first).
 * `bareProtocol`: the protocol a port written without one means (`80` in a hash set is tcp:80; a
 * bitmap:port element is a port of any protocol).
 */
function dimensionMatches(kind: string, element: string, packet: Packet, direction: string, bareProtocol: 'tcp' | 'any'): { hit: boolean | undefined; specificity: number } {
  const address = direction === 'src' ? packet.src : packet.dst;
  const full = packet.family === 'ipv6' ? 128 : 32;
  switch (kind) {
    case 'ip':
    case 'net': {
      if (element.includes('-')) {
        const range = parseRange(element, packet.family);
        return { hit: !!range && rangeContains(range, address), specificity: full };
      }
      const cidr = parseCidr(element, packet.family);
      return { hit: !!cidr && cidrContains(cidr, address), specificity: cidr?.prefix ?? full };
    }
    case 'port': {
      // `tcp:80`, `udp:53`, `tcp:1000-2000`, `icmp:8/0`, bare `80`
      const colon = element.indexOf(':');
      const protoText = colon < 0 ? undefined : element.slice(0, colon);
      const portText = colon < 0 ? element : element.slice(colon + 1);
      const proto = protoText === undefined ? undefined : protocolNumber(protoText);
      if (protoText !== undefined && proto === undefined) return { hit: undefined, specificity: 0 };
      if (proto !== undefined ? proto !== packet.proto : bareProtocol === 'tcp' && packet.proto !== 6) return { hit: false, specificity: 0 };
      if (packet.proto === 1 || packet.proto === 58) {
        // a bitmap:port never holds an ICMP packet; a hash set's `icmp:echo-request` (as ipset save
        // writes it) or `icmp:8/0` is one type and code (both measured)
        if (protoText === undefined) return { hit: false, specificity: 0 };
        const typeCode = parseIcmpType(portText, packet.proto === 58 ? ICMPV6_TYPES : ICMP_TYPES);
        if (!typeCode || packet.icmpType === undefined) return { hit: undefined, specificity: 0 };
        return { hit: typeCode[0] === packet.icmpType && typeCode[1] === (packet.icmpCode ?? 0), specificity: 0 };
      }
      if (!PORT_PROTOCOLS.has(packet.proto)) return { hit: undefined, specificity: 0 };
      const port = direction === 'src' ? packet.sport : packet.dport;
      const [from, to] = portText.split('-');
      const low = parsePort(from);
      const high = to === undefined ? low : parsePort(to);
      if (port === undefined || low === undefined || high === undefined) return { hit: undefined, specificity: 0 };
      return { hit: port >= low && port <= high, specificity: 0 };
    }
    default:
      return { hit: undefined, specificity: 0 }; // iface, mac, mark: not modelled
  }
}

/**
 * Membership of the packet in a set given as `ipset save` members, as the kernel's ip_set_test
 * decides it. Undefined when the set type is not modelled or an element cannot be read.
 * - fewer direction flags than the set has dimensions: never a match;
 * - the most specific element containing the packet decides; a `nomatch` one means "not in the set";
 * - `--return-nomatch` (types with a net dimension) inverts the element's answer: a nomatch element
 *   matches and a plain one does not (measured: ip_set_test negates both results).
 */
export function setContains(set: IpsetContent, packet: Packet, directions: string[], returnNomatch: boolean): boolean | undefined {
  if (set.unknownChange) return undefined;
  const [kindWord, dims] = set.type.split(':');
  if ((kindWord !== 'hash' && kindWord !== 'bitmap') || !dims) return undefined;
  const kinds = dims.split(',');
  if (kinds.some((k) => k !== 'ip' && k !== 'net' && k !== 'port')) return undefined;
  if (directions.length < kinds.length) return false;
  const bareProtocol = kindWord === 'bitmap' ? 'any' : 'tcp';
  let best: { specificity: number; nomatch: boolean } | undefined;
  let undecidedSpecificity = -1;
  for (const member of set.members) {
    const words = member.trim().split(/\s+/);
    const parts = words[0].split(',');
    if (parts.length !== kinds.length) continue;
    let hit: boolean | undefined = true;
    let specificity = 0;
    kinds.forEach((kind, i) => {
      const result = dimensionMatches(kind, parts[i], packet, directions[i], bareProtocol);
      specificity += result.specificity;
      if (result.hit === false) hit = false;
      else if (result.hit === undefined && hit === true) hit = undefined;
    });
    if (hit === undefined) undecidedSpecificity = Math.max(undecidedSpecificity, specificity);
    else if (hit && (!best || specificity > best.specificity)) best = { specificity, nomatch: words.includes('nomatch') };
  }
  // an element we cannot read might be the one the kernel finds first
  if (undecidedSpecificity >= (best?.specificity ?? 0)) return undefined;
  if (!best) return false;
  const nomatchType = kinds.includes('net');
  if (returnNomatch && nomatchType) return best.nomatch;
  return !best.nomatch;
}

/** The packet's element for `directions` as `ipset` writes it; the usual layouts are ip | ip,port | ip,port,ip (kube-proxy). */
/**
 * The directions a set option's flags name, as libxt_set's parse_dirs reads them: each comma item by
 * its first three letters, case and all (`srcip` is src; anything else that loads is dst).
 */
export function setDirections(flags: string): Array<'src' | 'dst'> {
  return flags.split(',').map((item) => (item.startsWith('src') ? 'src' : 'dst'));
}

/** IPSET_DIM_MAX: at most this many flags */
const SET_DIMENSIONS_MAX = 6;
/** IPSET_MAXNAMELEN − 1: the longest set name */
const SET_NAME_MAX = 31;

/**
 * The set name (argument 1) and flags (argument 2) of --match-set, --add-set, --del-set and
 * --map-set, as libxt_set checks them before it looks the set up: a name of at most 31 bytes, flags
 * as parse_dirs reads them.
 */
export function setOptionProblem(text: string, _family: Family, argIndex: number): ValueProblem | undefined {
  if (argIndex === 0) return new TextEncoder().encode(text).length > SET_NAME_MAX ? error(`setname \`${text}' too long, max ${SET_NAME_MAX} characters.`) : undefined;
  if (argIndex !== 1) return undefined;
  const items = text.split(',');
  if (items.slice(0, SET_DIMENSIONS_MAX).some((item) => !item.startsWith('src') && !item.startsWith('dst')))
    return error("You must spefify (the comma separated list of) 'src' or 'dst'.");
  if (items.length > SET_DIMENSIONS_MAX) return error(`Can't be more src/dst options than ${SET_DIMENSIONS_MAX}.`);
  return undefined;
}

export function packetElement(packet: Packet, directions: readonly string[]): string {
  return directions
    .map((d, i) => {
      if (i === 1) return `${protocolName(packet.proto)}:${(d === 'src' ? packet.sport : packet.dport) ?? '?'}`;
      return d === 'src' ? packet.src : packet.dst;
    })
    .join(',');
}

function evaluateSet(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const returnNomatch = match.options.some((o) => o.name === 'return-nomatch');
  const outcomes = match.options.map((option): MatchOutcome => {
    if (option.name !== 'match-set') {
      if (['packets-eq', 'packets-lt', 'packets-gt', 'bytes-eq', 'bytes-lt', 'bytes-gt'].includes(option.name))
        return undecided(`assumed the element's counters satisfy ${optionText(option)}`, { negated: `assumed the element's counters do not satisfy ${optionText(option)}` });
      return true; // return-nomatch, ! --update-counters …: flags only
    }
    const name = option.args[0]?.text ?? '';
    const directions = setDirections(option.args[1]?.text ?? 'src');
    const who = packetElement(ctx.packet, directions);
    const set = setSeenBy(ctx.packet, ctx.node, name);
    const known = set ? setContains(set, ctx.packet, directions, returnNomatch) : undefined;
    // A set whose contents were not given: what this path assumed about the element before holds.
    const fact = set ? undefined : ipsetMemberFact(name, who);
    const assumed = fact === undefined ? undefined : assumedFact(ctx.packet, fact);
    const why = !set ? 'set contents not given' : set.unknownChange ?? `set type ${set.type} not modelled`;
    const outcome: MatchOutcome =
      known ??
      assumed ??
      undecided(`assumed ${who} is in ipset ${name} (${why})`, {
        negated: `assumed ${who} is not in ipset ${name} (${why})`,
        fact: fact === undefined ? undefined : { key: fact, ifMatches: true },
      });
    return negateIf(option.negated, outcome);
  });
  return all(outcomes);
}

// ------------------------------------------------------------------ SET --add-set / --del-set

/**
 * A set as this packet sees it: a SET --add-set / --del-set earlier in its traversal changes the set
 * at once, for every later rule (measured: test/kernel/dumps/ipsets.rules).
 */
export function setSeenBy(packet: Packet, node: NodeContext, name: string): IpsetContent | undefined {
  return packet.ipsetChanges?.[name] ?? node.ipsets?.get(name);
}

/** An element's identity in a set of these dimensions (`nomatch` and other options aside), or undefined. */
function elementKey(kinds: string[], element: string, family: Packet['family'], bitmap: boolean): string | undefined {
  const parts = element.trim().split(/\s+/)[0].split(',');
  if (parts.length !== kinds.length) return undefined;
  const keys: string[] = [];
  for (let i = 0; i < kinds.length; i++) {
    const part = parts[i];
    if (kinds[i] === 'ip') {
      const address = part.includes('/') || part.includes('-') ? undefined : parseAddress(part, family);
      if (!address) return undefined;
      keys.push(`${address.value}`);
    } else if (kinds[i] === 'net') {
      const cidr = parseCidr(part, family);
      if (!cidr || cidr.prefix === undefined) return undefined;
      keys.push(`${cidr.network}/${cidr.prefix}`);
    } else {
      const colon = part.indexOf(':');
      const proto = bitmap ? 0 : colon < 0 ? 6 : protocolNumber(part.slice(0, colon));
      const port = parsePort(colon < 0 ? part : part.slice(colon + 1));
      if (proto === undefined || port === undefined) return undefined;
      keys.push(`${proto}:${port}`);
    }
  }
  return keys.join(',');
}

/**
 * The element the kernel's kadt() makes of this packet to add or delete, in `ipset save` spelling;
 * 'none' when the kernel changes nothing (fewer flags than dimensions, a port outside a bitmap's
 * range); undefined when the set type is not modelled. A hash:net element takes the longest prefix
 * the set already has (the kernel's INIT_CIDR), a host prefix when it has none.
 */
function elementFromPacket(set: IpsetContent, packet: Packet, directions: string[]): string | 'none' | undefined {
  const [kindWord, dims] = set.type.split(':');
  if ((kindWord !== 'hash' && kindWord !== 'bitmap') || !dims) return undefined;
  if (/\bnetmask\b/.test(set.options ?? '')) return undefined;
  const kinds = dims.split(',');
  if (directions.length < kinds.length) return 'none';
  if (kinds.filter((k) => k === 'net').length > 1) return undefined;
  const parts: string[] = [];
  for (let i = 0; i < kinds.length; i++) {
    const kind = kinds[i];
    const src = directions[i] === 'src';
    if (kind === 'ip') {
      parts.push(src ? packet.src : packet.dst);
    } else if (kind === 'net') {
      const full = packet.family === 'ipv6' ? 128 : 32;
      let prefix = 0;
      for (const member of set.members) {
        const cidr = parseCidr(member.trim().split(/\s+/)[0].split(',')[i] ?? '', packet.family);
        if (cidr?.prefix !== undefined) prefix = Math.max(prefix, cidr.prefix);
      }
      const cidr = parseCidr(`${src ? packet.src : packet.dst}/${prefix || full}`, packet.family);
      if (!cidr) return undefined;
      parts.push(`${formatAddress({ family: packet.family, value: cidr.network })}/${prefix || full}`);
    } else if (kind === 'port') {
      if (!PORT_PROTOCOLS.has(packet.proto)) return undefined;
      const port = src ? packet.sport : packet.dport;
      if (port === undefined) return undefined;
      if (kindWord === 'bitmap') {
        const range = /\brange (\d+)-(\d+)/.exec(set.options ?? '');
        if (!range) return undefined;
        if (port < Number(range[1]) || port > Number(range[2])) return 'none';
        parts.push(`${port}`);
      } else {
        parts.push(`${protocolName(packet.proto)}:${port}`);
      }
    } else {
      return undefined;
    }
  }
  return parts.join(',');
}

/**
 * The set after SET adds or deletes this packet's element: the same object when nothing changes,
 * a copy otherwise. Adding an element that is there changes nothing unless `--exist` (then a
 * `nomatch` element becomes a plain one); deleting one that is not there changes nothing.
 */
export function changeSet(set: IpsetContent, packet: Packet, directions: string[], add: boolean, exist: boolean): IpsetContent {
  const what = `SET --${add ? 'add' : 'del'}-set ${set.name} ${directions.join(',')}`;
  if (set.unknownChange) return set;
  const element = elementFromPacket(set, packet, directions);
  if (element === 'none') return set;
  const kinds = set.type.split(':')[1]?.split(',') ?? [];
  const bitmap = set.type.startsWith('bitmap:');
  const key = element === undefined ? undefined : elementKey(kinds, element, packet.family, bitmap);
  if (element === undefined || key === undefined) return { ...set, unknownChange: `changed by ${what}, for a ${set.type} set not modelled` };
  const at = set.members.findIndex((m) => elementKey(kinds, m, packet.family, bitmap) === key);
  if (add) {
    if (at < 0) return { ...set, members: [...set.members, element] };
    if (!exist || !/\bnomatch\b/.test(set.members[at])) return set;
    return { ...set, members: set.members.map((m, i) => (i === at ? element : m)) };
  }
  return at < 0 ? set : { ...set, members: set.members.filter((_, i) => i !== at) };
}
