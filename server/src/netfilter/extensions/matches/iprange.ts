// iprange match: option table from iptables 1.8.9 (libxt/libipt/libip6t_iprange), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const iprangeMatch: MatchSpec = {
  name: 'iprange',
  doc: 'This matches on a given arbitrary range of IP addresses',
  options: [
    {
      name: 'src-range', arity: 1, negatable: true, value: 'address-range',
      doc: 'Match source IP in the specified range',
    },
    {
      name: 'dst-range', arity: 1, negatable: true, value: 'address-range',
      doc: 'Match destination IP in the specified range',
    },
  ],
};
