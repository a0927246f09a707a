// pkttype match: option table from iptables 1.8.9 (libxt/libipt/libip6t_pkttype), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const pkttypeMatch: MatchSpec = {
  name: 'pkttype',
  doc: 'This module matches the link-layer packet type',
  options: [
    {
      name: 'pkt-type', arity: 1, negatable: true, value: 'enum', values: ['unicast', 'broadcast', 'multicast', 'host', 'otherhost'], required: true,
      doc: 'Match the link-layer packet type: unicast, broadcast or multicast',
    },
  ],
};
