// tos match: option table from iptables 1.8.9 (libxt/libipt/libip6t_tos), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const tosMatch: MatchSpec = {
  name: 'tos',
  doc: 'Match the 8-bit Type of Service field of the IPv4 header (or the Traffic Class of IPv6)',
  options: [
    {
      name: 'tos', arity: 1, negatable: true, value: 'raw', required: true,
      doc: 'Matches packets with the given TOS mark value',
    },
  ],
};
