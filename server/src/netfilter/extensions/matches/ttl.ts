// ttl match: option table from iptables 1.8.9 (libxt/libipt/libip6t_ttl), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const ttlMatch: MatchSpec = {
  name: 'ttl',
  families: ['ipv4'],
  doc: 'This module matches the time to live field in the IP header',
  options: [
    {
      name: 'ttl-lt', arity: 1, negatable: false, value: 'int',
      doc: 'Matches if TTL is less than the given TTL value',
    },
    {
      name: 'ttl-gt', arity: 1, negatable: false, value: 'int',
      doc: 'Matches if TTL is greater than the given TTL value',
    },
    {
      name: 'ttl-eq', aliases: ['ttl'], arity: 1, negatable: true, value: 'int',
      doc: 'Matches the given TTL value',
    },
  ],
};
