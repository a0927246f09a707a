// MASQUERADE target: option table from iptables 1.8.9 (libxt/libipt/libip6t_MASQUERADE), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';

export const MASQUERADETarget: TargetSpec = {
  name: 'MASQUERADE',
  doc: 'Source NAT to the address of the outgoing interface (nat POSTROUTING)',
  terminating: false,
  options: [
    {
      name: 'to-ports', arity: 1, negatable: false, value: 'raw',
      doc: 'Source port range to use: `port[-port]` (needs -p tcp/udp/sctp/dccp)',
    },
    {
      name: 'random', arity: 0, negatable: false, value: 'none',
      doc: 'Randomize source port mapping (kernel >= 2.6.21)',
    },
    {
      name: 'random-fully', arity: 0, negatable: false, value: 'none',
      doc: 'Fully randomize source port mapping (kernel >= 3.13)',
    },
  ],
};
