// dst match: option table from iptables 1.8.9 (libxt/libipt/libip6t_dst), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { extensionHeaderMatch } from '../ipv6-extension-headers';
import { ipv6OptionListProblem } from '../value-checks';

export const dstMatch: MatchSpec = {
  name: 'dst',
  families: ['ipv6'],
  doc: 'This module matches the parameters in Destination Options header',
  evaluate: extensionHeaderMatch('dst', 'the packet starts with an extension header whose successors are not known'),
  options: [
    {
      name: 'dst-len', arity: 1, negatable: true, value: 'int',
      doc: 'Total length of this header in octets',
    },
    {
      name: 'dst-opts', arity: 1, negatable: false, value: 'string', check: ipv6OptionListProblem('dst'),
      doc: 'Numeric type of option and the length of the option data in octets',
    },
  ],
};
