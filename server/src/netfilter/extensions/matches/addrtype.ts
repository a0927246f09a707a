// addrtype match: option table from iptables 1.8.9 (libxt/libipt/libip6t_addrtype), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import { isLoopback, isMulticast, parseAddress } from '../../addr';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { assumedFact, evaluateOptions, localAddressFact, optionText, undecided } from '../common';

export const addrtypeMatch: MatchSpec = {
  name: 'addrtype',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['limit-iface-in', 'limit-iface-out']],
  // addrtype_mt_checkentry_v1: an interface is only there to limit to where the hook has it
  // (loaded in a netns: test/kernel/oracle.test.ts, match placement)
  refusedHooks: (match) =>
    match.options.flatMap((option) =>
      option.name === 'limit-iface-out' ? [{ option, hooks: ['PREROUTING', 'INPUT'], reason: 'output interface limitation not valid in PREROUTING and INPUT' }]
      : option.name === 'limit-iface-in' ? [{ option, hooks: ['POSTROUTING', 'OUTPUT'], reason: 'input interface limitation not valid in POSTROUTING and OUTPUT' }]
      : []),
  needsOneOf: [{ options: ['src-type', 'dst-type'], message: 'addrtype: you must specify --src-type or --dst-type' }],
  doc: 'This module matches packets based on their address type',
  evaluate: evaluateAddrtype,
  options: [
    {
      name: 'src-type', arity: 1, negatable: true, value: 'enum-list', check: addressTypesProblem, values: ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'],
      doc: 'Matches if the source address is of given type',
    },
    {
      name: 'dst-type', arity: 1, negatable: true, value: 'enum-list', check: addressTypesProblem, values: ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'],
      doc: 'Matches if the destination address is of given type',
    },
    {
      name: 'limit-iface-in', arity: 0, negatable: false, value: 'none',
      doc: 'The address type checking can be limited to the interface the packet is coming in',
    },
    {
      name: 'limit-iface-out', arity: 0, negatable: false, value: 'none',
      doc: 'The address type checking can be limited to the interface the packet is going out',
    },
  ],
};

/** Types that depend on the routing table (blackhole routes …); the engine has no routes. */
const ROUTE_TYPES = new Set(['BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE', 'ANYCAST']);

/**
 * The kernel's address type (inet_addr_type / ipv6 route lookup), as far as the node facts tell:
 * 0.0.0.0, 255.255.255.255 and the node's subnet broadcasts (addresses given with prefixes) are
 * BROADCAST, 224/4 and ff00::/8 MULTICAST, the node's addresses and loopback LOCAL, everything else
 * UNICAST (another subnet's broadcast address would be BROADCAST: the engine knows only the prefixes
 * it was given). `localUnknown`: the node's addresses are not known and this
 * path has assumed nothing about this one, so it is LOCAL or UNICAST.
 */
function addressType(text: string, ctx: EvalContext): { type: string; unsure?: string; localUnknown?: boolean; subnet?: boolean } {
  const address = parseAddress(text);
  if (!address) return { type: 'UNICAST', unsure: `${text} is not an address the engine understands` };
  if (address.family === 'ipv4' && (address.value === 0n || address.value === 0xffffffffn)) return { type: 'BROADCAST' };
  // (a subnet's broadcast address, when the node's addresses were given with their prefixes)
  if (address.family === 'ipv4' && ctx.node.localBroadcasts?.some((b) => parseAddress(b)?.value === address.value)) return { type: 'BROADCAST', subnet: true };
  if (address.family === 'ipv6' && address.value === 0n) return { type: 'UNSPEC' };
  if (isMulticast(address)) return { type: 'MULTICAST' };
  const local = isNodeAddress(address, text, ctx);
  if (local === undefined) return { type: 'UNICAST', localUnknown: true };
  return { type: local ? 'LOCAL' : 'UNICAST' };
}

/**
 * Loopback, or one of the node's own addresses (or assumed so on this path); undefined when the
 * node's addresses are unknown and the path has not assumed either way.
 */
function isNodeAddress(address: NonNullable<ReturnType<typeof parseAddress>>, text: string, ctx: EvalContext): boolean | undefined {
  if (isLoopback(address)) return true;
  // (a group the node has joined is among its addresses, but its route is a multicast one, never LOCAL)
  if (isMulticast(address)) return false;
  const assumed = assumedFact(ctx.packet, localAddressFact(text));
  if (assumed !== undefined) return assumed;
  if (ctx.node.localAddressesSource === 'none') return undefined;
  return ctx.node.localAddresses.some((a) => {
    const parsed = parseAddress(a);
    return !!parsed && parsed.family === address.family && parsed.value === address.value;
  });
}

function evaluateAddrtype(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const limited = match.options.find((o) => o.name === 'limit-iface-in' || o.name === 'limit-iface-out');
  return evaluateOptions(
    match.options,
    (option) => {
      if (option.name === 'limit-iface-in' || option.name === 'limit-iface-out') return true;
      if (option.name !== 'src-type' && option.name !== 'dst-type') return undefined;
      const address = option.name === 'src-type' ? ctx.packet.src : ctx.packet.dst;
      const wanted = readAddressTypes(option.args[0]?.text ?? '');
      if (!wanted) return undefined;
      if (ctx.packet.family === 'ipv6') return ipv6TypeMatches(address, wanted, ctx, limited?.name);
      const { type, unsure, localUnknown, subnet } = addressType(address, ctx);
      const result = wanted.includes(type);
      if (type === 'UNICAST' && wanted.some((t) => ROUTE_TYPES.has(t))) return routeTypeUndecided(address, wanted);
      if (unsure) return undecided(`assumed ${address} is of type ${wanted.join('/')} (${unsure})`, { negated: `assumed ${address} is not of type ${wanted.join('/')} (${unsure})` });
      if (localUnknown) {
        // LOCAL or UNICAST: nothing else is possible for it.
        const local = wanted.includes('LOCAL');
        if (local === wanted.includes('UNICAST')) return local;
        if (limited) {
          const why = `the node's addresses are unknown; --${limited.name}`;
          return undecided(`assumed ${address} is of type ${wanted.join('/')} (${why})`, { negated: `assumed ${address} is not of type ${wanted.join('/')} (${why})` });
        }
        return nodeAddressUndecided(address, local);
      }
      if (limited && type === 'LOCAL' && addressIsLoopbackText(address)) {
        // The loopback block's local route is on lo: limited to any other device, __inet_dev_addr_type
        // says UNICAST. A REDIRECT in nat OUTPUT makes the destination 127.0.0.1 while the rest of
        // OUTPUT still sees the device the packet was first routed to (campaign seed 941461).
        const iface = limited.name === 'limit-iface-in' ? ctx.packet.inIface : ctx.packet.outIface;
        if (iface !== undefined && iface !== 'lo') return wanted.includes('UNICAST');
        return result;
      }
      if (limited && subnet) {
        // A subnet's broadcast route is on the interface holding that subnet's address (which one,
        // the engine does not know; never lo): limited to another device __inet_dev_addr_type says UNICAST.
        const iface = limited.name === 'limit-iface-in' ? ctx.packet.inIface : ctx.packet.outIface;
        if (iface === 'lo') return wanted.includes('UNICAST');
        if (wanted.includes('BROADCAST') === wanted.includes('UNICAST')) return wanted.includes('BROADCAST');
        const on = `the broadcast route of ${address}'s subnet is on ${iface ?? 'the packet’s interface'} (--${limited.name})`;
        return wanted.includes('BROADCAST') ? undecided(`assumed ${on}`, { negated: `assumed not ${on}` }) : undecided(`assumed not ${on}`, { negated: `assumed ${on}` });
      }
      if (limited && type === 'LOCAL') {
        // __inet_dev_addr_type: limited to a device, a local address is LOCAL only when its local
        // route is on that device, else UNICAST. The node's addresses are not on lo (campaign seed
        // 500104: --dst-type UNICAST --limit-iface-out matched the node's own address going out lo);
        // on another interface the engine does not know which addresses it holds.
        const iface = limited.name === 'limit-iface-in' ? ctx.packet.inIface : ctx.packet.outIface;
        if (iface === 'lo') return wanted.includes('UNICAST');
        if (wanted.includes('LOCAL') !== wanted.includes('UNICAST')) {
          const on = `configured on ${iface ?? 'the packet’s interface'} (--${limited.name})`;
          const [holds, fails] = wanted.includes('LOCAL') ? ['is', 'is not'] : ['is not', 'is'];
          return undecided(`assumed ${address} ${holds} ${on}`, { negated: `assumed ${address} ${fails} ${on}` });
        }
        return wanted.includes('LOCAL');
      }
      return result;
    },
    (option) => `-m addrtype ${optionText(option)}`,
  );
}

/**
 * The fork on whether `address` is one of the node's addresses (their list is not known), for a
 * match that holds when it is (`matchesWhenLocal`) or when it is not: each branch records the
 * answer, so later rules and the routing decision on that path agree with it.
 */
function nodeAddressUndecided(address: string, matchesWhenLocal: boolean): MatchOutcome {
  const local = `assumed ${address} is one of the node's addresses, so of type LOCAL (no --local-addr given)`;
  const remote = `assumed ${address} is not one of the node's addresses, so of type UNICAST (no --local-addr given)`;
  return undecided(matchesWhenLocal ? local : remote, {
    negated: matchesWhenLocal ? remote : local,
    fact: { key: localAddressFact(address), ifMatches: matchesWhenLocal },
  });
}

/** A type only the routing table can tell (BLACKHOLE, ANYCAST …): the engine has no routes. */
function routeTypeUndecided(address: string, types: readonly string[]): MatchOutcome {
  const routed = types.filter((t) => ROUTE_TYPES.has(t)).join('/');
  return undecided(`assumed the route to ${address} is of type ${routed}`, { negated: `assumed the route to ${address} is not of type ${routed}` });
}

/**
 * IPv6 is not "one type per address" (xt_addrtype.c match_type6): every listed class must hold —
 * MULTICAST, UNICAST (any unicast address, the node's own included) and UNSPEC (::) are tested on
 * the address itself — and then, when LOCAL, ANYCAST or UNREACHABLE is listed, the route lookup must
 * give one of those. So `--dst-type UNICAST` matches the node's own address, and `LOCAL,UNICAST`
 * means local *and* unicast. Found by the random kernel campaign (seeds 173, 176, 184, 265).
 */
function ipv6TypeMatches(text: string, wanted: string[], ctx: EvalContext, limitedBy: string | undefined): MatchOutcome {
  const address = parseAddress(text);
  if (!address || address.family !== 'ipv6') {
    const why = 'not an IPv6 address the engine understands';
    return undecided(`assumed ${text} is of type ${wanted.join('/')} (${why})`, { negated: `assumed ${text} is not of type ${wanted.join('/')} (${why})` });
  }
  const multicast = isMulticast(address);
  const unspecified = address.value === 0n;
  if (wanted.includes('MULTICAST') && !multicast) return false;
  if (wanted.includes('UNICAST') && (multicast || unspecified)) return false;
  if (wanted.includes('UNSPEC') && !unspecified) return false;
  const routed = wanted.filter((t) => t === 'LOCAL' || t === 'ANYCAST' || t === 'UNREACHABLE');
  if (routed.length === 0) return true;
  const local = isNodeAddress(address, text, ctx);
  if (local && routed.includes('LOCAL')) {
    if (limitedBy) {
      return undecided(`assumed ${text} is configured on the packet’s interface (--${limitedBy})`, { negated: `assumed ${text} is not configured on the packet’s interface (--${limitedBy})` });
    }
    return true;
  }
  if (local === undefined && routed.includes('LOCAL')) {
    if (routed.length === 1 && !limitedBy) return nodeAddressUndecided(text, true);
    const why = `the node's addresses are unknown${limitedBy ? `; --${limitedBy}` : ''}`;
    return undecided(`assumed ${text} is of type ${routed.join('/')} (${why})`, { negated: `assumed ${text} is not of type ${routed.join('/')} (${why})` });
  }
  if (!local && routed.some((t) => t !== 'LOCAL')) return routeTypeUndecided(text, routed);
  return false;
}

function addressIsLoopbackText(text: string): boolean {
  const address = parseAddress(text);
  return !!address && isLoopback(address);
}

/** The kernel's route types in libxt_addrtype's order (rtn_names), which decides what a prefix means. */
const ADDRESS_TYPES = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];

/**
 * `--src-type` / `--dst-type` as libxt_addrtype parse_types reads them: comma-separated, each any
 * case-insensitive prefix of a type, the first in table order (`x` is XRESOLVE, `u` UNSPEC); undefined
 * when a piece is empty or names no type.
 */
export function readAddressTypes(text: string): string[] | undefined {
  const types: string[] = [];
  for (const piece of text.split(',')) {
    const upper = piece.toUpperCase();
    const type = piece === '' ? undefined : ADDRESS_TYPES.find((name) => name.startsWith(upper));
    if (!type) return undefined;
    types.push(type);
  }
  return types;
}

function addressTypesProblem(text: string): { severity: 'error'; message: string } | undefined {
  if (readAddressTypes(text)) return undefined;
  const bad = text.split(',').find((piece) => piece === '' || !ADDRESS_TYPES.some((name) => name.startsWith(piece.toUpperCase())));
  return { severity: 'error', message: `addrtype: bad type \`${bad ?? text}'` };
}
