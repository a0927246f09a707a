// connbytes match: option table from iptables 1.8.9 (libxt/libipt/libip6t_connbytes), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const connbytesMatch: MatchSpec = {
  name: 'connbytes',
  doc: 'Match by how many bytes or packets a connection (or one of the two flows constituting the connection) has transferred so far, or by average bytes per packet',
  evaluate: alwaysUndecided('connbytes', 'connection byte/packet counters are unknown', { stable: true }),
  options: [
    {
      name: 'connbytes', arity: 1, negatable: true, value: 'int-range', required: true,
      doc: 'Match packets from a connection whose packets/bytes/average packet size is more than FROM and less than TO bytes/packets',
    },
    {
      name: 'connbytes-dir', arity: 1, negatable: false, value: 'enum', values: ['original', 'reply', 'both'], required: true,
      doc: 'Which packets to consider',
    },
    {
      name: 'connbytes-mode', arity: 1, negatable: false, value: 'enum', values: ['packets', 'bytes', 'avgpkt'], required: true,
      doc: 'Whether to check the amount of packets, number of bytes transferred or the average size (in bytes) of all packets received so far',
    },
  ],
};
