// DNAT target: option table from iptables 1.8.9 (libxt/libipt/libip6t_DNAT), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';

export const DNATTarget: TargetSpec = {
  name: 'DNAT',
  doc: 'Destination NAT: rewrite the destination address/port of the connection (nat PREROUTING/OUTPUT)',
  terminating: false,
  options: [
    {
      name: 'to-destination', arity: 1, negatable: false, value: 'nat-range', required: true,
      doc: 'Which can specify a single new destination IP address, an inclusive range of IP addresses',
    },
    {
      name: 'random', arity: 0, negatable: false, value: 'none',
      doc: 'Randomize source port mapping (kernel >= 2.6.22)',
    },
    {
      name: 'persistent', arity: 0, negatable: false, value: 'none',
      doc: 'Gives a client the same source-/destination-address for each connection',
    },
  ],
};
