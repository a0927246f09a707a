// DSCP target: option table from iptables 1.8.9 (libxt/libipt/libip6t_DSCP), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';

export const DSCPTarget: TargetSpec = {
  name: 'DSCP',
  doc: 'This target alters the value of the DSCP bits within the TOS header of the IPv4 packet',
  terminating: false,
  options: [
    {
      name: 'set-dscp', arity: 1, negatable: false, value: 'int',
      doc: 'Set the DSCP field to a numerical value (can be decimal or hex)',
    },
    {
      name: 'set-dscp-class', arity: 1, negatable: false, value: 'string',
      doc: 'Set the DSCP field to a DiffServ class',
    },
  ],
};
