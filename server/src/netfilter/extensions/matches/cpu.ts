// cpu match: option table from iptables 1.8.9 (libxt/libipt/libip6t_cpu), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const cpuMatch: MatchSpec = {
  name: 'cpu',
  doc: 'Match the CPU handling the packet',
  evaluate: alwaysUndecided('cpu', 'the CPU handling the packet is unknown', { stable: true }),
  options: [
    {
      name: 'cpu', arity: 1, negatable: true, value: 'int', required: true,
      doc: 'Match cpu handling this packet',
    },
  ],
};
