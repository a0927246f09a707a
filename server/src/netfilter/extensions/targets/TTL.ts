// TTL target: option table from iptables 1.8.9 (libxt/libipt/libip6t_TTL), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';

export const TTLTarget: TargetSpec = {
  name: 'TTL',
  families: ['ipv4'],
  doc: 'This is used to modify the IPv4 TTL header field',
  terminating: false,
  options: [
    {
      name: 'ttl-set', arity: 1, negatable: false, value: 'int',
      doc: 'Set the TTL value to `value\'',
    },
    {
      name: 'ttl-dec', arity: 1, negatable: false, value: 'int',
      doc: 'Decrement the TTL value `value\' times',
    },
    {
      name: 'ttl-inc', arity: 1, negatable: false, value: 'int',
      doc: 'Increment the TTL value `value\' times',
    },
  ],
};
