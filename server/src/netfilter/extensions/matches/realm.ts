// realm match: option table from iptables 1.8.9 (libxt/libipt/libip6t_realm), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { valueMaskOrNameProblem } from '../value-checks';

export const realmMatch: MatchSpec = {
  name: 'realm',
  // where the kernel loads it (xt_realm .hooks; checked by loading in a netns: test/kernel/oracle.test.ts, match placement)
  hooks: ['INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  families: ['ipv4'],
  doc: 'This matches the routing realm',
  evaluate: alwaysUndecided('realm', 'routing realms are unknown', { stable: true }),
  options: [
    {
      name: 'realm', arity: 1, negatable: true, value: 'string', required: true, check: valueMaskOrNameProblem('realm', 'realm'),
      doc: 'Matches a given realm number (and optionally mask)',
    },
  ],
};
