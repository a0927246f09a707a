// quota match: option table from iptables 1.8.9 (libxt/libipt/libip6t_quota), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText, parseNumber } from '../common';

export const quotaMatch: MatchSpec = {
  name: 'quota',
  doc: 'Implements network quotas by decrementing a byte counter with each packet',
  evaluate: evaluateQuota,
  options: [
    {
      name: 'quota', arity: 1, negatable: true, value: 'int', required: true,
      doc: 'The quota in bytes',
    },
  ],
};

/** xt_quota: matches while the remaining quota covers the packet; the engine sees a fresh counter. */
function evaluateQuota(match: MatchUse, ctx: EvalContext): MatchOutcome {
  return evaluateOptions(
    match.options,
    (option) => (option.name === 'quota' ? (parseNumber(option.args[0]?.text ?? '') ?? 0) >= ctx.packet.length : undefined),
    (option) => `-m quota ${optionText(option)} (fresh counter assumed)`,
  );
}
