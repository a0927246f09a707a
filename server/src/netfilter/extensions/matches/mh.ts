// mh match: option table from iptables 1.8.9 (libxt/libipt/libip6t_mh), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const mhMatch: MatchSpec = {
  name: 'mh',
  families: ['ipv6'],
  doc: 'This extension is loaded if `--protocol ipv6-mh\' or `--protocol mh\' is specified',
  evaluate: alwaysUndecided('mh', 'IPv6 mobility headers are not modelled', { stable: true }),
  options: [
    {
      name: 'mh-type', arity: 1, negatable: true, value: 'string',
      doc: 'This allows specification of the Mobility Header(MH) type, which can be a numeric MH type, type or one of the MH type names shown by the command ip6tables -p mh -h',
    },
  ],
};
