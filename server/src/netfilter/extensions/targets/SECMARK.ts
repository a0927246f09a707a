// SECMARK target: option table from iptables 1.8.9 (libxt/libipt/libip6t_SECMARK), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';

export const SECMARKTarget: TargetSpec = {
  name: 'SECMARK',
  doc: 'This is used to set the security mark value associated with the packet for use by security subsystems such as SELinux',
  terminating: false,
  tables: ['mangle', 'security'],
  apply: continueTarget(),
  options: [
    {
      name: 'selctx', arity: 1, negatable: false, value: 'string', required: true,
      doc: 'The SELinux security context to set on the packet',
    },
  ],
};
