// helper match: option table from iptables 1.8.9 (libxt/libipt/libip6t_helper), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const helperMatch: MatchSpec = {
  name: 'helper',
  doc: 'This module matches packets related to a specific conntrack-helper',
  evaluate: alwaysUndecided('helper', 'the conntrack helper of the connection is unknown', { stable: true }),
  options: [
    {
      name: 'helper', arity: 1, negatable: true, value: 'string', required: true,
      doc: 'Matches packets related to the specified conntrack-helper',
    },
  ],
};
