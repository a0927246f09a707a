// devgroup match: option table from iptables 1.8.9 (libxt/libipt/libip6t_devgroup), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { valueMaskOrNameProblem } from '../value-checks';

export const devgroupMatch: MatchSpec = {
  name: 'devgroup',
  doc: 'Match device group of a packet\'s incoming/outgoing interface',
  evaluate: alwaysUndecided('devgroup', 'interface device groups are unknown', { stable: true }),
  options: [
    {
      name: 'src-group', arity: 1, negatable: true, value: 'string', check: valueMaskOrNameProblem('devgroup', 'src-group'),
      doc: 'Match device group of incoming device',
    },
    {
      name: 'dst-group', arity: 1, negatable: true, value: 'string', check: valueMaskOrNameProblem('devgroup', 'dst-group'),
      doc: 'Match device group of outgoing device',
    },
  ],
};
