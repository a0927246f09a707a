// multiport match: option table from iptables 1.8.9 (libxt/libipt/libip6t_multiport), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const multiportMatch: MatchSpec = {
  name: 'multiport',
  doc: 'This module matches a set of source or destination ports',
  options: [
    {
      name: 'sports', aliases: ['source-ports'], arity: 1, negatable: true, value: 'port-list',
      doc: 'Match if the source port is one of the given ports',
    },
    {
      name: 'dports', aliases: ['destination-ports'], arity: 1, negatable: true, value: 'port-list',
      doc: 'Match if the destination port is one of the given ports',
    },
    {
      name: 'ports', arity: 1, negatable: true, value: 'port-list',
      doc: 'Match if either the source or destination ports are equal to one of the given ports',
    },
  ],
};
