// TOS target: option table from iptables 1.8.9 (libxt/libipt/libip6t_TOS), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';

export const TOSTarget: TargetSpec = {
  name: 'TOS',
  doc: 'This module sets the Type of Service field in the IPv4 header (including the "precedence" bits) or the Priority field in the IPv6 header',
  terminating: false,
  options: [
    {
      name: 'set-tos', arity: 1, negatable: false, value: 'raw',
      doc: 'Zeroes out the bits given by mask (see NOTE below) and XORs value into the TOS/Priority field',
    },
    {
      name: 'and-tos', arity: 1, negatable: false, value: 'int',
      doc: 'Binary AND the TOS value with bits',
    },
    {
      name: 'or-tos', arity: 1, negatable: false, value: 'int',
      doc: 'Binary OR the TOS value with bits',
    },
    {
      name: 'xor-tos', arity: 1, negatable: false, value: 'int',
      doc: 'Binary XOR the TOS value with bits',
    },
  ],
};
