// hbh match: option table from iptables 1.8.9 (libxt/libipt/libip6t_hbh), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const hbhMatch: MatchSpec = {
  name: 'hbh',
  families: ['ipv6'],
  doc: 'This module matches the parameters in Hop-by-Hop Options header',
  evaluate: alwaysUndecided('hbh', 'IPv6 hop-by-hop options are not modelled', { stable: true }),
  options: [
    {
      name: 'hbh-len', arity: 1, negatable: true, value: 'int',
      doc: 'Total length of this header in octets',
    },
    {
      name: 'hbh-opts', arity: 1, negatable: false, value: 'string',
      doc: 'Numeric type of option and the length of the option data in octets',
    },
  ],
};
