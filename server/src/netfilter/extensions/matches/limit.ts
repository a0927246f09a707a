// limit match: option table from iptables 1.8.9 (libxt/libipt/libip6t_limit), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchOutcome, MatchSpec } from '../types';

export const limitMatch: MatchSpec = {
  name: 'limit',
  doc: 'This module matches at a limited rate using a token bucket filter',
  evaluate: evaluateLimit,
  options: [
    {
      name: 'limit', arity: 1, negatable: false, value: 'rate',
      doc: 'Maximum average matching rate',
    },
    {
      name: 'limit-burst', arity: 1, negatable: false, value: 'int',
      doc: 'Maximum initial number of packets to match',
    },
  ],
};

/**
 * xt_limit starts with a full bucket (credit = burst), so the packet the simulator follows — the
 * first one — is always within the limit: the match succeeds. (A trace of a flood would differ.)
 */
function evaluateLimit(): MatchOutcome {
  return true;
}
