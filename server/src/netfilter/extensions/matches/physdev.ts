// physdev match: option table from iptables 1.8.9 (libxt/libipt/libip6t_physdev), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const physdevMatch: MatchSpec = {
  name: 'physdev',
  doc: 'This module matches on the bridge port input and output devices enslaved to a bridge device',
  evaluate: alwaysUndecided('physdev', 'bridge ports are unknown', { stable: true }),
  options: [
    {
      name: 'physdev-in', arity: 1, negatable: true, value: 'interface',
      doc: 'Name of a bridge port via which a packet is received (only for packets entering the INPUT, FORWARD and PREROUTING chains)',
    },
    {
      name: 'physdev-out', arity: 1, negatable: true, value: 'interface',
      doc: 'Name of a bridge port via which a packet is going to be sent (for bridged packets entering the FORWARD and POSTROUTING chains)',
    },
    {
      name: 'physdev-is-in', arity: 0, negatable: true, value: 'none',
      doc: 'Matches if the packet has entered through a bridge interface',
    },
    {
      name: 'physdev-is-out', arity: 0, negatable: true, value: 'none',
      doc: 'Matches if the packet will leave through a bridge interface',
    },
    {
      name: 'physdev-is-bridged', arity: 0, negatable: true, value: 'none',
      doc: 'Matches if the packet is being bridged and therefore is not being routed',
    },
  ],
};
