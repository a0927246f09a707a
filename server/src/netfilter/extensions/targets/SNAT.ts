// SNAT target: option table from iptables 1.8.9 (libxt/libipt/libip6t_SNAT), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';

export const SNATTarget: TargetSpec = {
  name: 'SNAT',
  doc: 'Source NAT: rewrite the source address/port of the connection (nat POSTROUTING/INPUT)',
  terminating: false,
  options: [
    {
      name: 'to-source', arity: 1, negatable: false, value: 'nat-range', required: true,
      doc: 'Which can specify a single new source IP address, an inclusive range of IP addresses',
    },
    {
      name: 'random', arity: 0, negatable: false, value: 'none',
      doc: 'Randomize source port mapping through a hash-based algorithm (kernel >= 2.6.21)',
    },
    {
      name: 'random-fully', arity: 0, negatable: false, value: 'none',
      doc: 'Fully randomize source port mapping through a PRNG (kernel >= 3.14)',
    },
    {
      name: 'persistent', arity: 0, negatable: false, value: 'none',
      doc: 'Gives a client the same source-/destination-address for each connection',
    },
  ],
};
