// sctp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_sctp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const sctpMatch: MatchSpec = {
  name: 'sctp',
  doc: 'This module matches Stream Control Transmission Protocol headers',
  options: [
    {
      name: 'sport', aliases: ['source-port'], arity: 1, negatable: true, value: 'port-range',
      doc: 'Source port or port range (port[:port])',
    },
    {
      name: 'dport', aliases: ['destination-port'], arity: 1, negatable: true, value: 'port-range',
      doc: 'Destination port or port range (port[:port])',
    },
    {
      name: 'chunk-types', arity: 2, negatable: true, value: 'raw',
      doc: 'Match when all / any / only the given chunk types are present: `all|any|only TYPE[:FLAGS],...`',
    },
  ],
};
