// TPROXY target: option table from iptables 1.8.9 (libxt/libipt/libip6t_TPROXY), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';

export const TPROXYTarget: TargetSpec = {
  name: 'TPROXY',
  doc: 'Transparent proxy: deliver the packet to a local socket without rewriting it (mangle PREROUTING)',
  terminating: false,
  options: [
    {
      name: 'on-port', arity: 1, negatable: false, value: 'port', required: true,
      doc: 'This specifies a destination port to use',
    },
    {
      name: 'on-ip', arity: 1, negatable: false, value: 'address',
      doc: 'This specifies a destination address to use',
    },
    {
      name: 'tproxy-mark', arity: 1, negatable: false, value: 'mark',
      doc: 'Marks packets with the given value/mask',
    },
  ],
};
