// quota match: option table from iptables 1.8.9 (libxt/libipt/libip6t_quota), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const quotaMatch: MatchSpec = {
  name: 'quota',
  doc: 'Implements network quotas by decrementing a byte counter with each packet',
  options: [
    {
      name: 'quota', arity: 1, negatable: true, value: 'int', required: true,
      doc: 'The quota in bytes',
    },
  ],
};
