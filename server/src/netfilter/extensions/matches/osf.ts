// osf match: option table from iptables 1.8.9 (libxt/libipt/libip6t_osf), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const osfMatch: MatchSpec = {
  name: 'osf',
  // where the kernel loads it (xt_osf .hooks; checked by loading in a netns: test/extensions/restore-agreement.test.ts)
  hooks: ['PREROUTING', 'INPUT', 'FORWARD'],
  families: ['ipv4'],
  doc: 'The osf module does passive operating system fingerprinting',
  evaluate: alwaysUndecided('osf', 'passive OS fingerprinting needs the real SYN', { stable: true }),
  options: [
    {
      name: 'genre', arity: 1, negatable: true, value: 'string', required: true,
      doc: 'Match an operating system genre by using a passive fingerprinting',
    },
    {
      name: 'ttl', arity: 1, negatable: false, value: 'int', range: [0, 2],
      doc: 'Do additional TTL checks on the packet to determine the operating system',
    },
    {
      name: 'log', arity: 1, negatable: false, value: 'int', range: [0, 2],
      doc: 'Log determined genres: 0 all matching, 1 first match only, 2 also unknown',
    },
  ],
};
