// rpfilter match: option table from iptables 1.8.9 (libxt/libipt/libip6t_rpfilter), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const rpfilterMatch: MatchSpec = {
  name: 'rpfilter',
  // where the kernel loads it (xt_rpfilter .hooks, and its checkentry's tables; checked by loading in a
  // netns: test/kernel/oracle.test.ts, match placement)
  hooks: ['PREROUTING'],
  tables: ['raw', 'mangle'],
  doc: 'Performs a reverse path filter test on a packet',
  evaluate: alwaysUndecided('rpfilter', 'the reverse-path route lookup needs the routing table', { stable: true }),
  options: [
    {
      name: 'loose', arity: 0, negatable: false, value: 'none',
      doc: 'Used to specify that the reverse path filter test should match even if the selected output device is not the expected one',
    },
    {
      name: 'validmark', arity: 0, negatable: false, value: 'none',
      doc: 'Also use the packets\' nfmark value when performing the reverse path route lookup',
    },
    {
      name: 'accept-local', arity: 0, negatable: false, value: 'none',
      doc: 'This will permit packets arriving from the network with a source address that is also assigned to the local machine',
    },
    {
      name: 'invert', arity: 0, negatable: false, value: 'none',
      doc: 'This will invert the sense of the match',
    },
  ],
};
