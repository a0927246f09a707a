// set match: option table from iptables 1.8.9 (libxt/libipt/libip6t_set), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { IpsetContent, Packet } from '../../packet';
import { cidrContains, parseCidr, parseRange, rangeContains } from '../../addr';
import { protocolName, protocolNumber } from '../../packet';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { all, negateIf, optionText, parsePort, undecided } from '../common';

export const setMatch: MatchSpec = {
  name: 'set',
  doc: 'This module matches IP sets which can be defined by ipset(8)',
  evaluate: evaluateSet,
  options: [
    {
      name: 'match-set', aliases: ['set'], arity: 2, negatable: true, value: 'raw',
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
      name: 'packets-eq', arity: 1, negatable: true, value: 'int',
      doc: 'If the packet is matched an element in the set, match only if the packet counter of the element matches the given value too',
    },
    {
      name: 'packets-lt', arity: 1, negatable: false, value: 'int',
      doc: 'If the packet is matched an element in the set, match only if the packet counter of the element is less than the given value as well',
    },
    {
      name: 'packets-gt', arity: 1, negatable: false, value: 'int',
      doc: 'If the packet is matched an element in the set, match only if the packet counter of the element is greater than the given value as well',
    },
    {
      name: 'bytes-eq', arity: 1, negatable: true, value: 'int',
      doc: 'If the packet is matched an element in the set, match only if the byte counter of the element matches the given value too',
    },
    {
      name: 'bytes-lt', arity: 1, negatable: false, value: 'int',
      doc: 'If the packet is matched an element in the set, match only if the byte counter of the element is less than the given value as well',
    },
    {
      name: 'bytes-gt', arity: 1, negatable: false, value: 'int',
      doc: 'If the packet is matched an element in the set, match only if the byte counter of the element is greater than the given value as well',
    },
    {
      name: 'update-subcounters', arity: 0, negatable: true, value: 'none',
      doc: '`! --update-subcounters`: do not update counters of elements in member sets of list:set',
    },
  ],
};

/** One dimension of a set element checked against the packet. */
function dimensionMatches(kind: string, element: string, packet: Packet, direction: string): boolean | undefined {
  const address = direction === 'src' ? packet.src : packet.dst;
  const port = direction === 'src' ? packet.sport : packet.dport;
  switch (kind) {
    case 'ip':
    case 'net': {
      if (element.includes('-')) {
        const range = parseRange(element, packet.family);
        return !!range && rangeContains(range, address);
      }
      const cidr = parseCidr(element, packet.family);
      return !!cidr && cidrContains(cidr, address);
    }
    case 'port': {
      // `tcp:80`, `udp:53`, `80` (tcp), `tcp:1000-2000`
      const [protoText, portText] = element.includes(':') ? element.split(':') : ['tcp', element];
      const proto = protocolNumber(protoText);
      if (proto !== undefined && proto !== 0 && proto !== packet.proto) return false;
      const [from, to] = portText.split('-');
      const low = parsePort(from);
      const high = to === undefined ? low : parsePort(to);
      return port !== undefined && low !== undefined && high !== undefined && port >= low && port <= high;
    }
    case 'mark':
      return undefined;
    default:
      return undefined; // iface, mac: not modelled
  }
}

/**
 * Membership of the packet in a set given as `ipset save` members. Returns undefined when the set
 * type is not modelled. `nomatch` elements exclude (unless --return-nomatch, then they match).
 */
export function setContains(set: IpsetContent, packet: Packet, directions: string[], returnNomatch: boolean): boolean | undefined {
  const [kindWord, dims] = set.type.split(':');
  if (kindWord !== 'hash' && kindWord !== 'bitmap') return undefined;
  const kinds = dims.split(',');
  if (kinds.some((k) => k !== 'ip' && k !== 'net' && k !== 'port')) return undefined;
  let found: boolean | undefined = false;
  for (const member of set.members) {
    const words = member.trim().split(/\s+/);
    const nomatch = words.includes('nomatch');
    const parts = words[0].split(',');
    if (parts.length !== kinds.length) continue;
    let hit: boolean | undefined = true;
    kinds.forEach((kind, i) => {
      // the flags list gives the direction per dimension; a missing flag repeats the last one
      const direction = directions[Math.min(i, directions.length - 1)] ?? 'src';
      const result = dimensionMatches(kind, parts[i], packet, direction);
      if (result === false) hit = false;
      else if (result === undefined && hit === true) hit = undefined;
    });
    if (hit === true) {
      if (nomatch) return returnNomatch;
      found = true;
    } else if (hit === undefined) found = found || undefined;
  }
  return found;
}

function evaluateSet(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const returnNomatch = match.options.some((o) => o.name === 'return-nomatch');
  const outcomes = match.options.map((option): MatchOutcome => {
    if (option.name !== 'match-set') {
      if (['packets-eq', 'packets-lt', 'packets-gt', 'bytes-eq', 'bytes-lt', 'bytes-gt'].includes(option.name))
        return undecided(`assumed the element's counters satisfy ${optionText(option)}`);
      return true; // return-nomatch, ! --update-counters …: flags only
    }
    const name = option.args[0]?.text ?? '';
    const directions = (option.args[1]?.text ?? 'src').split(',');
    // the usual layouts: ip | ip,port | ip,port,ip (kube-proxy) — name each dimension accordingly
    const who = directions
      .map((d, i) => {
        if (i === 1) return `${protocolName(ctx.packet.proto)}:${(d === 'src' ? ctx.packet.sport : ctx.packet.dport) ?? '?'}`;
        return d === 'src' ? ctx.packet.src : ctx.packet.dst;
      })
      .join(',');
    const set = ctx.node.ipsets?.get(name);
    const known = set ? setContains(set, ctx.packet, directions, returnNomatch) : undefined;
    const outcome: MatchOutcome =
      known ?? undecided(`assumed ${who} in ipset ${name}${set ? ` (set type ${set.type} not modelled)` : ' (set contents not given)'}`);
    return negateIf(option.negated, outcome);
  });
  return all(outcomes);
}
