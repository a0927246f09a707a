// socket match: option table from iptables 1.8.9 (libxt/libipt/libip6t_socket), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const socketMatch: MatchSpec = {
  name: 'socket',
  // where the kernel loads it (xt_socket .hooks; checked by loading in a netns: test/kernel/oracle.test.ts, match placement)
  hooks: ['PREROUTING', 'INPUT'],
  doc: 'This matches if an open TCP/UDP socket can be found by doing a socket lookup on the packet',
  evaluate: alwaysUndecided('socket', 'local sockets are unknown', { stable: true }),
  options: [
    {
      name: 'transparent', arity: 0, negatable: false, value: 'none',
      doc: 'Ignore non-transparent sockets',
    },
    {
      name: 'nowildcard', arity: 0, negatable: false, value: 'none',
      doc: 'Do not ignore sockets bound to \'any\' address',
    },
    {
      name: 'restore-skmark', arity: 0, negatable: false, value: 'none',
      doc: 'Set the packet mark to the matching socket\'s mark',
    },
  ],
};
