// state match: option table from iptables 1.8.9 (libxt/libipt/libip6t_state), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText } from '../common';
import { stateListMatches } from './conntrack';

export const stateMatch: MatchSpec = {
  name: 'state',
  doc: 'The "state" extension is a subset of the "conntrack" module',
  evaluate: evaluateState,
  options: [
    {
      name: 'state', arity: 1, negatable: true, value: 'enum-list', values: ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED'], valueMatch: 'prefix', required: true,
      doc: 'Where state is a comma separated list of the connection states to match',
    },
  ],
};

/** --state's spec (valueWord reads its words) */
export const STATE_OPTION = stateMatch.options[0];

function evaluateState(match: MatchUse, ctx: EvalContext): MatchOutcome {
  return evaluateOptions(
    match.options,
    (option) => (option.name === 'state' ? stateListMatches(ctx.packet, option.args[0]?.text ?? '', false, STATE_OPTION) : undefined),
    (option) => `-m state ${optionText(option)}`,
  );
}
