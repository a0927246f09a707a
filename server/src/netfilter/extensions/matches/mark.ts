// mark match: option table from iptables 1.8.9 (libxt/libipt/libip6t_mark), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const markMatch: MatchSpec = {
  name: 'mark',
  doc: 'This module matches the netfilter mark field associated with a packet (which can be set using the MARK target below)',
  options: [
    {
      name: 'mark', arity: 1, negatable: true, value: 'mark', required: true,
      doc: 'Matches packets with the given unsigned mark value (if a mask is specified, this is logically ANDed with the mask before the comparison)',
    },
  ],
};
