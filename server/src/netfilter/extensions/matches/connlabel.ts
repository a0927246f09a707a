// connlabel match: option table from iptables 1.8.9 (libxt/libipt/libip6t_connlabel), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { hasConntrack } from './conntrack';
import { nonEmptyProblem } from '../value-checks';

export const connlabelMatch: MatchSpec = {
  name: 'connlabel',
  doc: 'Module matches or adds connlabels to a connection',
  evaluate: evaluateConnlabel,
  options: [
    {
      name: 'label', arity: 1, negatable: true, value: 'string', required: true, check: nonEmptyProblem,
      doc: 'Matches if label name has been set on a connection',
    },
    {
      name: 'set', arity: 0, negatable: false, value: 'none',
      doc: 'Set the label on the connection if not set yet (then the match always succeeds)',
    },
  ],
};

const labelsOfConnection = alwaysUndecided('connlabel', 'connection labels are unknown');

/** xt_connlabel: a packet without a conntrack entry has no labels (none to set either): the match is its `!`. */
function evaluateConnlabel(match: MatchUse, ctx: EvalContext): MatchOutcome {
  if (!hasConntrack(ctx.packet)) return !!match.options.find((o) => o.name === 'label')?.negated;
  return labelsOfConnection(match, ctx);
}
