// mac match: option table from iptables 1.8.9 (libxt/libipt/libip6t_mac), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { macProblem } from '../value-checks';

export const macMatch: MatchSpec = {
  name: 'mac',
  doc: 'Match the source MAC address',
  evaluate: alwaysUndecided('mac', 'the source MAC address is unknown', { stable: true }),
  options: [
    {
      name: 'mac-source', arity: 1, negatable: true, value: 'string', required: true, check: macProblem,
      doc: 'Match source MAC address',
    },
  ],
};
