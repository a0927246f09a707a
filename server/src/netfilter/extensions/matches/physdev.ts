// physdev match: option table from iptables 1.8.9 (libxt/libipt/libip6t_physdev), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const physdevMatch: MatchSpec = {
  name: 'physdev',
  doc: 'This module matches on the bridge port input and output devices enslaved to a bridge device',
  evaluate: alwaysUndecided('physdev', 'bridge ports are unknown', { stable: true }),
  refusedHooks: physdevRefusedHooks,
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

/**
 * physdev_mt_check: a packet the node sends has no bridge port to leave by before it is routed, so
 * OUTPUT refuses an output port test unless the match also says the packet is bridged (loaded in a
 * netns: test/kernel/oracle.test.ts, match placement).
 */
function physdevRefusedHooks(match: MatchUse): ReturnType<NonNullable<MatchSpec['refusedHooks']>> {
  const out = match.options.find((o) => o.name === 'physdev-out' || o.name === 'physdev-is-out');
  const bridged = match.options.find((o) => o.name === 'physdev-is-bridged');
  if (!out || (bridged && !bridged.negated)) return [];
  return [{ option: out, hooks: ['OUTPUT'], reason: '--physdev-out and --physdev-is-out only supported in the FORWARD and POSTROUTING chains with bridged traffic' }];
}
