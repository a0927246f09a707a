// TEE target: option table from iptables 1.8.9 (libxt/libipt/libip6t_TEE), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';

export const TEETarget: TargetSpec = {
  name: 'TEE',
  doc: 'Clone the packet and send the clone to another gateway',
  terminating: false,
  apply: continueTarget((t) => `a clone is sent to ${t.options.find((o) => o.name === 'gateway')?.args[0]?.text ?? '?'}; the original continues`),
  options: [
    {
      name: 'gateway', arity: 1, negatable: false, value: 'address', required: true,
      doc: 'Send the cloned packet to the host reachable at the given IP address',
    },
    {
      name: 'oif', arity: 1, negatable: false, value: 'string', // (restore --test takes any name here)
      doc: 'Output interface to send the clone through',
    },
  ],
};
