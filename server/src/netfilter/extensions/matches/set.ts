// set match: option table from iptables 1.8.9 (libxt/libipt/libip6t_set), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const setMatch: MatchSpec = {
  name: 'set',
  doc: 'This module matches IP sets which can be defined by ipset(8)',
  options: [
    {
      name: 'match-set', aliases: ['set'], arity: 2, negatable: true, value: 'raw',
      doc: 'Match if the packet’s address/port (chosen by the comma-separated src/dst flags) is in the ipset `NAME`',
    },
    {
      name: 'return-nomatch', arity: 0, negatable: false, value: 'none',
      doc: 'If the --return-nomatch option is specified and the set type supports the nomatch flag, then the matching is reversed',
    },
    {
      name: 'update-counters', arity: 0, negatable: true, value: 'none',
      doc: '`! --update-counters`: do not update the packet/byte counters of the matching element',
    },
    {
      name: 'packets-eq', arity: 1, negatable: true, value: 'int',
      doc: 'If the packet is matched an element in the set, match only if the packet counter of the element matches the given value too',
    },
    {
      name: 'packets-lt', arity: 1, negatable: false, value: 'int',
      doc: 'If the packet is matched an element in the set, match only if the packet counter of the element is less than the given value as well',
    },
    {
      name: 'packets-gt', arity: 1, negatable: false, value: 'int',
      doc: 'If the packet is matched an element in the set, match only if the packet counter of the element is greater than the given value as well',
    },
    {
      name: 'bytes-eq', arity: 1, negatable: true, value: 'int',
      doc: 'If the packet is matched an element in the set, match only if the byte counter of the element matches the given value too',
    },
    {
      name: 'bytes-lt', arity: 1, negatable: false, value: 'int',
      doc: 'If the packet is matched an element in the set, match only if the byte counter of the element is less than the given value as well',
    },
    {
      name: 'bytes-gt', arity: 1, negatable: false, value: 'int',
      doc: 'If the packet is matched an element in the set, match only if the byte counter of the element is greater than the given value as well',
    },
    {
      name: 'update-subcounters', arity: 0, negatable: true, value: 'none',
      doc: '`! --update-subcounters`: do not update counters of elements in member sets of list:set',
    },
  ],
};
