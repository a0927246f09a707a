// NETMAP target: option table from iptables 1.8.9 (libxt/libipt/libip6t_NETMAP), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';

export const NETMAPTarget: TargetSpec = {
  name: 'NETMAP',
  doc: 'Statically map a whole network onto another one (1:1 NAT of the host part)',
  terminating: false,
  options: [
    {
      name: 'to', arity: 1, negatable: false, value: 'address', required: true,
      doc: 'Network address to map to',
    },
  ],
};
