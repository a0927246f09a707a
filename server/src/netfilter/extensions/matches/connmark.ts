// connmark match: option table from iptables 1.8.9 (libxt/libipt/libip6t_connmark), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const connmarkMatch: MatchSpec = {
  name: 'connmark',
  doc: 'This module matches the netfilter mark field associated with a connection (which can be set using the CONNMARK target below)',
  options: [
    {
      name: 'mark', arity: 1, negatable: true, value: 'mark', required: true,
      doc: 'Matches packets in connections with the given mark value (if a mask is specified, this is logically ANDed with the mark before the comparison)',
    },
  ],
};
