// length match: option table from iptables 1.8.9 (libxt/libipt/libip6t_length), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const lengthMatch: MatchSpec = {
  name: 'length',
  doc: 'Match the length of the layer-3 payload (the whole IP packet length for IPv4)',
  options: [
    {
      name: 'length', arity: 1, negatable: true, value: 'int-range', required: true,
      doc: 'Match the layer-3 payload length, a value or range (min:max)',
    },
  ],
};
