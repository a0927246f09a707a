// rt match: option table from iptables 1.8.9 (libxt/libipt/libip6t_rt), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { uintRangeProblem } from '../../values';

export const rtMatch: MatchSpec = {
  name: 'rt',
  families: ['ipv6'],
  doc: 'Match on IPv6 routing header',
  evaluate: alwaysUndecided('rt', 'IPv6 routing headers are not modelled', { stable: true }),
  options: [
    {
      name: 'rt-type', arity: 1, negatable: true, value: 'int',
      doc: 'Match the type (numeric)',
    },
    {
      name: 'rt-segsleft', arity: 1, negatable: true, value: 'int-range', check: (text) => uintRangeProblem(text, 0xffffffffn, 'rt', 'rt-segsleft'),
      doc: 'Match the `segments left\' field (range)',
    },
    {
      name: 'rt-len', arity: 1, negatable: true, value: 'int',
      doc: 'Match the length of this header',
    },
    {
      name: 'rt-0-res', arity: 0, negatable: false, value: 'none',
      doc: 'Match the reserved field, too (type=0)',
    },
    {
      name: 'rt-0-addrs', arity: 1, negatable: false, value: 'string',
      doc: 'Match type=0 addresses (list)',
    },
    {
      name: 'rt-0-not-strict', arity: 0, negatable: false, value: 'none',
      doc: 'List of type=0 addresses is not a strict list',
    },
  ],
};
