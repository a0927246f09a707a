// IDLETIMER target: option table from iptables 1.8.9 (libxt/libipt/libip6t_IDLETIMER), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';

export const IDLETIMERTarget: TargetSpec = {
  name: 'IDLETIMER',
  doc: 'This target can be used to identify when interfaces have been idle for a certain period of time',
  terminating: false,
  apply: continueTarget(),
  options: [
    {
      name: 'timeout', arity: 1, negatable: false, value: 'int', required: true,
      doc: 'This is the time in seconds that will trigger the notification',
    },
    {
      name: 'label', arity: 1, negatable: false, value: 'string', required: true,
      doc: 'This is a unique identifier for the timer',
    },
    {
      name: 'alarm', arity: 0, negatable: false, value: 'none',
      doc: 'Use an alarm timer (wakes the system from suspend)',
    },
  ],
};
