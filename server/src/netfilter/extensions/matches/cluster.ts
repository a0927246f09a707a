// cluster match: option table from iptables 1.8.9 (libxt/libipt/libip6t_cluster), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const clusterMatch: MatchSpec = {
  name: 'cluster',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['cluster-local-node', 'cluster-local-nodemask']],
  doc: 'Allows you to deploy gateway and back-end load-sharing clusters without the need of load-balancers',
  evaluate: alwaysUndecided('cluster', 'the cluster hash of the packet is not computed', { stable: true }),
  options: [
    {
      name: 'cluster-total-nodes', arity: 1, negatable: false, value: 'int', required: true,
      doc: 'Set number of total nodes in cluster',
    },
    {
      name: 'cluster-local-node', arity: 1, negatable: true, value: 'int',
      doc: 'Set the local node number ID',
    },
    {
      name: 'cluster-local-nodemask', arity: 1, negatable: true, value: 'int',
      doc: 'Set the local node number ID mask',
    },
    {
      name: 'cluster-hash-seed', arity: 1, negatable: false, value: 'int', required: true,
      doc: 'Set seed value of the Jenkins hash',
    },
  ],
};
