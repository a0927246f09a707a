// connmark match: option table from iptables 1.8.9 (libxt/libipt/libip6t_connmark), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText } from '../common';
import { hasConntrack } from './conntrack';
import { markMatches } from './mark';

export const connmarkMatch: MatchSpec = {
  name: 'connmark',
  doc: 'This module matches the netfilter mark field associated with a connection (which can be set using the CONNMARK target below)',
  evaluate: evaluateConnmark,
  options: [
    {
      name: 'mark', arity: 1, negatable: true, value: 'mark', required: true,
      doc: 'Matches packets in connections with the given mark value (if a mask is specified, this is logically ANDed with the mark before the comparison)',
    },
  ],
};

function evaluateConnmark(match: MatchUse, ctx: EvalContext): MatchOutcome {
  // kernel connmark_mt: no conntrack entry → no match, even with `!`
  if (!hasConntrack(ctx.packet)) return false;
  return evaluateOptions(
    match.options,
    (option) => (option.name === 'mark' ? markMatches(ctx.packet.ctmark, option.args[0]?.text ?? '') : undefined),
    (option) => `-m connmark ${optionText(option)}`,
  );
}
