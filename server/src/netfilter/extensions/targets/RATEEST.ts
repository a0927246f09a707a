// RATEEST target: option table from iptables 1.8.9 (libxt/libipt/libip6t_RATEEST), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';

export const RATEESTTarget: TargetSpec = {
  name: 'RATEEST',
  doc: 'The RATEEST target collects statistics, performs rate estimation calculation and saves the results for later evaluation using the rateest match',
  terminating: false,
  apply: continueTarget(),
  options: [
    {
      name: 'rateest-name', arity: 1, negatable: false, value: 'string', required: true,
      doc: 'Count matched packets into the pool referred to by name, which is freely choosable',
    },
    {
      name: 'rateest-interval', arity: 1, negatable: false, value: 'string', required: true,
      doc: 'Rate measurement interval, in seconds, milliseconds or microseconds',
    },
    {
      name: 'rateest-ewmalog', arity: 1, negatable: false, value: 'string', required: true,
      doc: 'Rate measurement averaging time constant',
    },
  ],
};
