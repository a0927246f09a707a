// ULOG target: option table from iptables 1.8.9 (libxt/libipt/libip6t_ULOG), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';

export const ULOGTarget: TargetSpec = {
  name: 'ULOG',
  families: ['ipv4'],
  doc: 'This is the deprecated ipv4-only predecessor of the NFLOG target',
  terminating: false,
  apply: continueTarget(),
  options: [
    {
      name: 'ulog-nlgroup', arity: 1, negatable: false, value: 'int', range: [1, 32],
      doc: 'This specifies the netlink group (1-32) to which the packet is sent',
    },
    {
      name: 'ulog-prefix', arity: 1, negatable: false, value: 'string',
      doc: 'Prefix log messages with the specified prefix',
    },
    {
      name: 'ulog-cprange', arity: 1, negatable: false, value: 'int', range: [0, 18446744073709551615n],
      doc: 'Number of bytes to be copied to userspace',
    },
    {
      name: 'ulog-qthreshold', arity: 1, negatable: false, value: 'int', range: [1, 50],
      doc: 'Number of packet to queue inside kernel',
    },
  ],
};
