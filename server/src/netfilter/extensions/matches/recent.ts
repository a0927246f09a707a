// recent match: option table from iptables 1.8.9 (libxt/libipt/libip6t_recent), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { assumedFact, matchText, parseNumber, undecided } from '../common';
import { optionOf } from '../types';

export const recentMatch: MatchSpec = {
  name: 'recent',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['set', 'rcheck', 'update', 'remove'], ['set', 'rttl'], ['remove', 'rttl']],
  needsOneOf: [{ options: ['set', 'rcheck', 'update', 'remove'], message: "recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'" }],
  doc: 'Allows you to dynamically create a list of IP addresses and then match against that list in a few different ways',
  evaluate: evaluateRecent,
  options: [
    {
      name: 'set', arity: 0, negatable: true, value: 'none',
      doc: 'Add the source (or destination with --rdest) address of the packet to the list; always matches',
    },
    {
      name: 'rcheck', arity: 0, negatable: true, value: 'none',
      doc: 'Match if the address is in the list',
    },
    {
      name: 'update', arity: 0, negatable: true, value: 'none',
      doc: 'Match if the address is in the list, and refresh its "last seen" time',
    },
    {
      name: 'remove', arity: 0, negatable: true, value: 'none',
      doc: 'Check if the source address of the packet is currently in the list and if so that address will be removed from the list and the rule will return true',
    },
    {
      name: 'seconds', arity: 1, negatable: false, value: 'int', range: [1, 4294967295],
      doc: 'This option must be used in conjunction with one of --rcheck or --update',
    },
    {
      name: 'reap', also: ['seconds'], arity: 0, negatable: false, value: 'none',
      doc: 'With --seconds: purge entries older than the given number of seconds',
    },
    {
      name: 'hitcount', arity: 1, negatable: false, value: 'int',
      doc: 'This option must be used in conjunction with one of --rcheck or --update',
    },
    {
      name: 'rttl', arity: 0, negatable: false, value: 'none',
      doc: 'Current packet matches that of the packet which hit the --set rule',
    },
    {
      name: 'name', arity: 1, negatable: false, value: 'string',
      doc: 'Specify the list to use for the commands',
    },
    {
      name: 'rsource', arity: 0, negatable: false, value: 'none',
      doc: 'Match/save the source address of each packet in the recent list table',
    },
    {
      name: 'rdest', arity: 0, negatable: false, value: 'none',
      doc: 'Match/save the destination address of each packet in the recent list table',
    },
    {
      name: 'mask', arity: 1, negatable: false, value: 'address',
      doc: 'Netmask that will be applied to this recent list',
    },
  ],
};

/**
 * --set always matches (it records the address); --rcheck/--update/--remove depend on the list's
 * history, which the engine does not have — except for what this packet did to it earlier in its
 * traversal (xt_recent.c recent_mt): after a --set the entry was seen just now, so a check of the
 * same list and address without --hitcount above 1 or --rttl matches (within any --seconds); after a
 * --remove there is no entry, and a check does not match. `!` inverts the answer (ret starts as the
 * invert flag and flips when the entry qualifies).
 */
function evaluateRecent(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const name = optionOf(match, 'name')?.args[0]?.text ?? 'DEFAULT';
  const address = optionOf(match, 'rdest') ? ctx.packet.dst : ctx.packet.src;
  const entry = recentEntryFact(name, address, optionOf(match, 'mask')?.args[0]?.text);
  const set = optionOf(match, 'set');
  if (set) {
    remember(ctx.packet, entry, true);
    return !set.negated;
  }
  const seenNow = assumedFact(ctx.packet, entry);
  const remove = optionOf(match, 'remove');
  const check = remove ?? optionOf(match, 'rcheck') ?? optionOf(match, 'update');
  const invert = !!check?.negated;
  // --remove takes the entry away whether or not it was there: on every path from here on.
  if (remove) remember(ctx.packet, entry, false);
  if (seenNow === false) return invert;
  if (seenNow === true && (remove || (parseNumber(optionOf(match, 'hitcount')?.args[0]?.text ?? '0') ?? 2) <= 1) && !optionOf(match, 'rttl')) return !invert;
  const text = matchText('recent', match.options);
  return undecided(`assumed ${text} matches (${address} is in recent list ${name} as it asks)`, {
    negated: `assumed ${text} does not match (${address} is not in recent list ${name} as it asks)`,
  });
}

/** Fact key of `address`'s entry in recent list `name` (Packet.assumedFacts): true once this packet set it. */
function recentEntryFact(name: string, address: string, mask: string | undefined): string {
  return `recent ${name} ${address}${mask ? ` mask ${mask}` : ''}`;
}

function remember(packet: EvalContext['packet'], key: string, value: boolean): void {
  if (packet.assumedFacts?.[key] !== value) packet.assumedFacts = { ...packet.assumedFacts, [key]: value };
}
