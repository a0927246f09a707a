// ECN target: option table from iptables 1.8.9 (libxt/libipt/libip6t_ECN), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';

export const ECNTarget: TargetSpec = {
  name: 'ECN',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['ecn-tcp-remove', 'ecn-tcp-cwr'], ['ecn-tcp-remove', 'ecn-tcp-ece']],
  families: ['ipv4'],
  doc: 'This target selectively works around known ECN blackholes',
  terminating: false,
  tables: ['mangle'],
  apply: continueTarget(),
  options: [
    {
      name: 'ecn-tcp-remove', arity: 0, negatable: false, value: 'none',
      doc: 'Remove all ECN bits from the TCP header',
    },
    {
      name: 'ecn-tcp-cwr', arity: 1, negatable: false, value: 'int', range: [0, 1],
      doc: 'Set the TCP CWR bit to the given value (0 or 1)',
    },
    {
      name: 'ecn-tcp-ece', arity: 1, negatable: false, value: 'int', range: [0, 1],
      doc: 'Set the TCP ECE bit to the given value (0 or 1)',
    },
    {
      name: 'ecn-ip-ect', arity: 1, negatable: false, value: 'int', range: [0, 3],
      doc: 'Set the IP ECT codepoint to the given value (0-3)',
    },
  ],
};
