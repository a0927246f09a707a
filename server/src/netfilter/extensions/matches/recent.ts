// recent match: option table from iptables 1.8.9 (libxt/libipt/libip6t_recent), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { matchText, undecided } from '../common';
import { optionOf } from '../types';

export const recentMatch: MatchSpec = {
  name: 'recent',
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
      name: 'seconds', arity: 1, negatable: false, value: 'int',
      doc: 'This option must be used in conjunction with one of --rcheck or --update',
    },
    {
      name: 'reap', arity: 0, negatable: false, value: 'none',
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

/** --set always matches (it records the address); --rcheck/--update/--remove depend on history. */
function evaluateRecent(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const set = optionOf(match, 'set');
  if (set) return !set.negated;
  const name = optionOf(match, 'name')?.args[0]?.text ?? 'DEFAULT';
  const address = optionOf(match, 'rdest') ? ctx.packet.dst : ctx.packet.src;
  const text = matchText('recent', match.options);
  return undecided(`assumed ${text} matches (${address} is in recent list ${name} as it asks)`, {
    negated: `assumed ${text} does not match (${address} is not in recent list ${name} as it asks)`,
  });
}
