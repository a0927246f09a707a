// REDIRECT target: option table from iptables 1.8.9 (libxt/libipt/libip6t_REDIRECT), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';

export const REDIRECTTarget: TargetSpec = {
  name: 'REDIRECT',
  doc: 'Destination NAT to the node itself (nat PREROUTING/OUTPUT)',
  terminating: false,
  options: [
    {
      name: 'to-ports', arity: 1, negatable: false, value: 'raw',
      doc: 'Destination port or range to use: `port[-port]` (needs -p tcp/udp/sctp/dccp)',
    },
    {
      name: 'random', arity: 0, negatable: false, value: 'none',
      doc: 'Randomize source port mapping (kernel >= 2.6.22)',
    },
  ],
};
