// limit match: option table from iptables 1.8.9 (libxt/libipt/libip6t_limit), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { matchText, parseNumber, undecided } from '../common';
import { limitRateProblem } from '../value-checks';

export const limitMatch: MatchSpec = {
  name: 'limit',
  doc: 'This module matches at a limited rate using a token bucket filter',
  evaluate: evaluateLimit,
  options: [
    {
      name: 'limit', arity: 1, negatable: false, value: 'rate', check: limitRateProblem,
      doc: 'Maximum average matching rate',
    },
    {
      name: 'limit-burst', arity: 1, negatable: false, value: 'int', range: [0, 10000],
      doc: 'Maximum initial number of packets to match',
    },
  ],
};

/**
 * xt_limit starts with a full bucket (credit = burst), so the packet the simulator follows — the
 * first one — is within the limit: the match succeeds, and uses one credit. The same packet can pass
 * one limit rule more than once (a chain reached from two hooks): once it has used the burst, the
 * kernel's match fails (random kernel campaign, seed 201324); the simulator then forks, since an
 * undecided match earlier in a rule may have counted a use the kernel did not make.
 */
function evaluateLimit(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const burstText = match.options.find((o) => o.name === 'limit-burst')?.args[0]?.text;
  const burst = burstText !== undefined ? parseNumber(burstText) ?? 5 : 5;
  const uses = (ctx.packet.limitUses ??= {});
  const used = uses[match.span.start] ?? 0;
  uses[match.span.start] = used + 1;
  if (used < burst) return true;
  const passed = `this packet has passed it ${used} time${used === 1 ? '' : 's'}, burst ${burst}`;
  return undecided(`assumed ${matchText('limit', match.options)} still has credit (${passed})`, {
    negated: `assumed ${matchText('limit', match.options)} has no credit left (${passed})`,
  });
}
