// ipv6header match: option table from iptables 1.8.9 (libxt/libipt/libip6t_ipv6header), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { ipv6HeaderProblem } from '../value-checks';

export const ipv6headerMatch: MatchSpec = {
  name: 'ipv6header',
  families: ['ipv6'],
  doc: 'This module matches IPv6 extension headers and/or upper layer header',
  evaluate: alwaysUndecided('ipv6header', 'IPv6 extension headers are not modelled', { stable: true }),
  options: [
    {
      name: 'header', arity: 1, negatable: true, value: 'string', required: true, check: ipv6HeaderProblem,
      doc: 'Matches the packet which EXACTLY includes all specified headers',
    },
    {
      name: 'soft', arity: 0, negatable: false, value: 'none',
      doc: 'Match if the packet includes ANY of the given headers (instead of exactly all)',
    },
  ],
};
