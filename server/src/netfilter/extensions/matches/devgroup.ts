// devgroup match: option table from iptables 1.8.9 (libxt/libipt/libip6t_devgroup), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { valueMaskOrNameProblem } from '../value-checks';

export const devgroupMatch: MatchSpec = {
  name: 'devgroup',
  doc: 'Match device group of a packet\'s incoming/outgoing interface',
  evaluate: alwaysUndecided('devgroup', 'interface device groups are unknown', { stable: true }),
  // devgroup_mt_checkentry: a group is only tested where the hook has that interface (loaded in a
  // netns: test/kernel/oracle.test.ts, match placement)
  refusedHooks: (match) =>
    match.options.flatMap((option) =>
      option.name === 'src-group' ? [{ option, hooks: ['OUTPUT', 'POSTROUTING'], reason: 'the input device group is not known in OUTPUT and POSTROUTING' }]
      : option.name === 'dst-group' ? [{ option, hooks: ['PREROUTING', 'INPUT'], reason: 'the output device group is not known in PREROUTING and INPUT' }]
      : []),
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
