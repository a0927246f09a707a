// MARK target: option table from iptables 1.8.9 (libxt/libipt/libip6t_MARK), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';

export const MARKTarget: TargetSpec = {
  name: 'MARK',
  doc: 'This target is used to set the Netfilter mark value associated with the packet',
  terminating: false,
  options: [
    {
      name: 'set-xmark', arity: 1, negatable: false, value: 'mark',
      doc: 'Zeroes out the bits given by mask and XORs value into the packet mark ("nfmark")',
    },
    {
      name: 'set-mark', arity: 1, negatable: false, value: 'mark',
      doc: 'Zeroes out the bits given by mask and ORs value into the packet mark',
    },
    {
      name: 'and-mark', arity: 1, negatable: false, value: 'int',
      doc: 'Binary AND the nfmark with bits',
    },
    {
      name: 'or-mark', arity: 1, negatable: false, value: 'int',
      doc: 'Binary OR the nfmark with bits',
    },
    {
      name: 'xor-mark', arity: 1, negatable: false, value: 'int',
      doc: 'Binary XOR the nfmark with bits',
    },
  ],
};
