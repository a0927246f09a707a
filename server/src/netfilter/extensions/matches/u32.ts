// u32 match: option table from iptables 1.8.9 (libxt/libipt/libip6t_u32), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const u32Match: MatchSpec = {
  name: 'u32',
  doc: 'U32 tests whether quantities of up to 4 bytes extracted from a packet have specified values',
  evaluate: alwaysUndecided('u32', 'packet bytes are not modelled', { stable: true }),
  options: [
    {
      name: 'u32', arity: 1, negatable: true, value: 'string', required: true,
      doc: 'The argument amounts to a program in a small language described below',
    },
  ],
};
