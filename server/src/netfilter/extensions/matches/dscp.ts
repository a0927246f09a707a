// dscp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_dscp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const dscpMatch: MatchSpec = {
  name: 'dscp',
  doc: 'This module matches the 6 bit DSCP field within the TOS field in the IP header',
  options: [
    {
      name: 'dscp', arity: 1, negatable: true, value: 'int',
      doc: 'Match against a numeric (decimal or hex) value [0-63]',
    },
    {
      name: 'dscp-class', arity: 1, negatable: true, value: 'string',
      doc: 'Match the DiffServ class',
    },
  ],
};
