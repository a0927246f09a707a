// frag match: option table from iptables 1.8.9 (libxt/libipt/libip6t_frag), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { extensionHeaderMatch } from '../ipv6-extension-headers';
import { uintRangeProblem } from '../../values';

export const fragMatch: MatchSpec = {
  name: 'frag',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['fragmore', 'fraglast']],
  families: ['ipv6'],
  doc: 'This module matches the parameters in Fragment header',
  evaluate: extensionHeaderMatch('frag', 'the packet starts with an extension header whose successors are not known'),
  options: [
    {
      name: 'fragid', arity: 1, negatable: true, value: 'int-range', check: (text) => uintRangeProblem(text, 0xffffffffn, 'frag', 'fragid'),
      doc: 'Matches the given Identification or range of it',
    },
    {
      name: 'fraglen', arity: 1, negatable: true, value: 'int',
      doc: 'Match the fragment header length (not usable on kernels >= 2.6.10)',
    },
    {
      name: 'fragres', arity: 0, negatable: false, value: 'none',
      doc: 'Matches if the reserved fields are filled with zero',
    },
    {
      name: 'fragfirst', arity: 0, negatable: false, value: 'none',
      doc: 'Matches on the first fragment',
    },
    {
      name: 'fragmore', arity: 0, negatable: false, value: 'none',
      doc: 'Matches if there are more fragments',
    },
    {
      name: 'fraglast', arity: 0, negatable: false, value: 'none',
      doc: 'Matches if this is the last fragment',
    },
  ],
};
