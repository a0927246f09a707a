// cgroup match: option table from iptables 1.8.9 (libxt/libipt/libip6t_cgroup), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const cgroupMatch: MatchSpec = {
  name: 'cgroup',
  // where the kernel loads it (xt_cgroup .hooks; checked by loading in a netns: test/kernel/oracle.test.ts, match placement)
  hooks: ['INPUT', 'OUTPUT', 'POSTROUTING'],
  doc: 'Match the control group (cgroup v2 path or net_cls classid) of the sending socket',
  evaluate: alwaysUndecided('cgroup', 'the sending socket’s cgroup is unknown', { stable: true }),
  options: [
    {
      name: 'path', arity: 1, negatable: true, value: 'string',
      doc: 'Match cgroup2 membership',
    },
    {
      name: 'cgroup', arity: 1, negatable: true, value: 'int',
      doc: 'Match cgroup net_cls classid',
    },
  ],
};
