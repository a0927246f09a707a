// helper match: option table from iptables 1.8.9 (libxt/libipt/libip6t_helper), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { hasConntrack } from './conntrack';

export const helperMatch: MatchSpec = {
  name: 'helper',
  doc: 'This module matches packets related to a specific conntrack-helper',
  evaluate: evaluateHelper,
  options: [
    {
      name: 'helper', arity: 1, negatable: true, value: 'string', required: true,
      doc: 'Matches packets related to the specified conntrack-helper',
    },
  ],
};

const helperOfMaster = alwaysUndecided('helper', 'the conntrack helper of the connection is unknown', { stable: true });

/**
 * xt_helper tests the helper of the connection that EXPECTED this one (ct->master): a packet without
 * a conntrack entry, or of a connection nobody expected — its first packet is NEW, not RELATED —
 * has none, and then the match is its `!`.
 */
function evaluateHelper(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const option = match.options.find((o) => o.name === 'helper');
  if (!hasConntrack(ctx.packet) || ctx.packet.ctTemplate || ctx.packet.ctstate === 'NEW') return !!option?.negated;
  return helperOfMaster(match, ctx);
}
