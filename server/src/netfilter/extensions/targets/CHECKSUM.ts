// CHECKSUM target: option table from iptables 1.8.9 (libxt/libipt/libip6t_CHECKSUM), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';

export const CHECKSUMTarget: TargetSpec = {
  name: 'CHECKSUM',
  doc: 'This target selectively works around broken/old applications',
  terminating: false,
  tables: ['mangle'],
  apply: continueTarget(),
  options: [
    {
      name: 'checksum-fill', arity: 0, negatable: false, value: 'none', required: true,
      doc: 'Compute and fill in the checksum in a packet that lacks a checksum',
    },
  ],
};
