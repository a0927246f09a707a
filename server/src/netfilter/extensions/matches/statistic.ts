// statistic match: option table from iptables 1.8.9 (libxt/libipt/libip6t_statistic), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const statisticMatch: MatchSpec = {
  name: 'statistic',
  doc: 'This module matches packets based on some statistic condition',
  options: [
    {
      name: 'mode', arity: 1, negatable: false, value: 'enum', values: ['random', 'nth'], required: true,
      doc: 'Set the matching mode of the matching rule, supported modes are random and nth',
    },
    {
      name: 'probability', arity: 1, negatable: true, value: 'number',
      doc: 'Set the probability for a packet to be randomly matched',
    },
    {
      name: 'every', arity: 1, negatable: true, value: 'int',
      doc: 'Match one packet every nth packet',
    },
    {
      name: 'packet', arity: 1, negatable: false, value: 'int',
      doc: 'Set the initial counter value (0 <= p <= n-1, default 0) for the nth mode',
    },
  ],
};
