// CONNSECMARK target: option table from iptables 1.8.9 (libxt/libipt/libip6t_CONNSECMARK), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';

export const CONNSECMARKTarget: TargetSpec = {
  name: 'CONNSECMARK',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['save', 'restore']],
  doc: 'This module copies security markings from packets to connections (if unlabeled), and from connections back to packets (also only if unlabeled)',
  terminating: false,
  tables: ['mangle', 'security'],
  apply: continueTarget(),
  options: [
    {
      name: 'save', arity: 0, negatable: false, value: 'none',
      doc: 'If the packet has a security marking, copy it to the connection if the connection is not marked',
    },
    {
      name: 'restore', arity: 0, negatable: false, value: 'none',
      doc: 'If the packet does not have a security marking, and the connection does, copy the security marking from the connection to the packet',
    },
  ],
};
