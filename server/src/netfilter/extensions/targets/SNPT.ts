// SNPT target: option table from iptables 1.8.9 (libxt/libipt/libip6t_SNPT), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';

export const SNPTTarget: TargetSpec = {
  name: 'SNPT',
  families: ['ipv6'],
  doc: 'Provides stateless source IPv6-to-IPv6 Network Prefix Translation (as described by RFC 6296)',
  terminating: false,
  tables: ['mangle'],
  hooks: ['INPUT', 'POSTROUTING'],
  apply: continueTarget(undefined, 'the prefix translation is not applied to the traced packet'),
  options: [
    {
      name: 'src-pfx', arity: 1, negatable: false, value: 'address', required: true,
      doc: 'Set source prefix that you want to translate and length',
    },
    {
      name: 'dst-pfx', arity: 1, negatable: false, value: 'address', required: true,
      doc: 'Set destination prefix that you want to use in the translation and length',
    },
  ],
};
