// CLASSIFY target: option table from iptables 1.8.9 (libxt/libipt/libip6t_CLASSIFY), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';
import { classProblem } from '../value-checks';

export const CLASSIFYTarget: TargetSpec = {
  name: 'CLASSIFY',
  doc: 'This module allows you to set the skb->priority value (and thus classify the packet into a specific CBQ class)',
  terminating: false,
  hooks: ['FORWARD', 'OUTPUT', 'POSTROUTING'],
  apply: continueTarget(),
  options: [
    {
      name: 'set-class', arity: 1, negatable: false, value: 'string', required: true, check: classProblem,
      doc: 'Set the major and minor class value',
    },
  ],
};
