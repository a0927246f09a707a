// comment match: option table from iptables 1.8.9 (libxt/libipt/libip6t_comment), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchOutcome, MatchSpec } from '../types';

export const commentMatch: MatchSpec = {
  name: 'comment',
  doc: 'Allows you to add comments (up to 256 characters) to any rule',
  evaluate: evaluateComment,
  options: [
    {
      name: 'comment', arity: 1, negatable: false, value: 'string', required: true,
      doc: 'Free text kept with the rule (up to 256 characters); never affects matching',
    },
  ],
};

/** A comment never affects matching. */
function evaluateComment(): MatchOutcome {
  return true;
}
