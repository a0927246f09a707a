// udp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_udp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const udpMatch: MatchSpec = {
  name: 'udp',
  doc: 'UDP header match: ports (loaded by -p udp)',
  options: [
    {
      name: 'sport', aliases: ['source-port'], arity: 1, negatable: true, value: 'port-range',
      doc: 'Source port or port range specification',
    },
    {
      name: 'dport', aliases: ['destination-port'], arity: 1, negatable: true, value: 'port-range',
      doc: 'Destination port or port range specification',
    },
  ],
};
