// The rule's own options (iptables(8) PARAMETERS), in the same shape as extension options so the
// parser, hovers and completion treat them alike. Checked against iptables-nft-restore by
// test/extensions/restore-agreement.test.ts. Facts the parser needs beyond this table:
//  - `-f` exists only in iptables (ip6tables-restore rejects it: "use -m frag instead");
//  - `-4` / `-6` make a line apply to one family only (the other family's restore ignores it);
//  - userspace rejects `-i` in OUTPUT/POSTROUTING and `-o` in PREROUTING/INPUT ("Can't use -o with INPUT");
//  - getopt_long also accepts unambiguous prefixes of the long names (`--dest`, `--in-int`).

import type { Family } from '../model';
import type { GenericOptionSpec } from './types';

export const GENERIC_OPTIONS: readonly GenericOptionSpec[] = [
  {
    name: 'protocol', short: 'p', arity: 1, negatable: true, value: 'string',
    doc: 'Layer-4 protocol: tcp, udp, udplite, icmp, icmpv6, esp, ah, sctp, mh, all, a name from /etc/protocols or a number (0 = all). Loads the matching protocol match implicitly.',
  },
  {
    name: 'source', short: 's', aliases: ['src'], arity: 1, negatable: true, value: 'address-list',
    doc: 'Source address[/mask]; a comma-separated list expands into one rule per address',
  },
  {
    name: 'destination', short: 'd', aliases: ['dst'], arity: 1, negatable: true, value: 'address-list',
    doc: 'Destination address[/mask]; a comma-separated list expands into one rule per address',
  },
  {
    name: 'in-interface', short: 'i', arity: 1, negatable: true, value: 'interface',
    doc: 'Interface the packet arrived on (PREROUTING, INPUT, FORWARD); a trailing `+` matches every name with that prefix',
  },
  {
    name: 'out-interface', short: 'o', arity: 1, negatable: true, value: 'interface',
    doc: 'Interface the packet leaves through (FORWARD, OUTPUT, POSTROUTING); a trailing `+` matches every name with that prefix',
  },
  {
    name: 'fragment', short: 'f', arity: 0, negatable: true, value: 'none',
    doc: 'IPv4 only: match second and later fragments (`! -f`: unfragmented packets and first fragments)',
  },
  {
    name: 'match', short: 'm', arity: 1, negatable: false, value: 'string',
    doc: 'Load a match extension; its options follow',
  },
  {
    name: 'jump', short: 'j', arity: 1, negatable: false, value: 'string',
    doc: 'Target: a verdict (ACCEPT, DROP, RETURN …), a target extension, or a user chain to jump to (and come back from)',
  },
  {
    name: 'goto', short: 'g', arity: 1, negatable: false, value: 'string',
    doc: 'Continue in a user chain without coming back: a RETURN there returns to the chain that called this one',
  },
  {
    name: 'set-counters', short: 'c', arity: 2, negatable: false, value: 'int',
    doc: 'Initial packet and byte counters of the rule',
  },
  {
    name: 'ipv4', short: '4', arity: 0, negatable: true, value: 'none',
    doc: 'The line is for iptables only (ip6tables-restore skips it); iptables also accepts a `!` before it',
  },
  {
    name: 'ipv6', short: '6', arity: 0, negatable: true, value: 'none',
    doc: 'The line is for ip6tables only (iptables-restore skips it); iptables also accepts a `!` before it',
  },
];

/** The generic options valid for a family (`-f` is IPv4 only). */
export function genericOptionsFor(family: Family): readonly GenericOptionSpec[] {
  return family === 'ipv6' ? GENERIC_OPTIONS.filter((o) => o.name !== 'fragment') : GENERIC_OPTIONS;
}

/** Generic option by long name, alias or short letter (without dashes). */
export function findGenericOption(name: string, family?: Family): GenericOptionSpec | undefined {
  const list = family ? genericOptionsFor(family) : GENERIC_OPTIONS;
  return list.find((o) => o.name === name || o.short === name || (o.aliases?.includes(name) ?? false));
}
