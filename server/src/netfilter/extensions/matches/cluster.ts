// cluster match: option table from iptables 1.8.9 (libxt/libipt/libip6t_cluster), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { optionOf } from '../types';
import { parseNumber } from '../common';
import { alwaysUndecided } from '../common';

export const clusterMatch: MatchSpec = {
  name: 'cluster',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['cluster-local-node', 'cluster-local-nodemask']],
  needsOneOf: [{ options: ['cluster-local-node', 'cluster-local-nodemask'], message: "cluster match: `--cluster-local-node' or`--cluster-local-nodemask' is missing" }],
  validate(match) {
    // libxt_cluster's final check: the local node is one of the nodes, the node mask names no others
    const total = parseNumber(optionOf(match, 'cluster-total-nodes')?.args[0]?.text ?? '');
    const node = optionOf(match, 'cluster-local-node');
    const nodeNumber = parseNumber(node?.args[0]?.text ?? '');
    if (total !== undefined && node && nodeNumber !== undefined && nodeNumber > total) return [{ option: node, message: "cluster match: `--cluster-local-node' must be <= `--cluster-total-nodes'" }];
    const mask = optionOf(match, 'cluster-local-nodemask');
    const maskNumber = parseNumber(mask?.args[0]?.text ?? '');
    if (total !== undefined && mask && maskNumber !== undefined && maskNumber >= 2 ** total) return [{ option: mask, message: "cluster match: `--cluster-local-nodemask' too big for `--cluster-total-nodes'" }];
    return [];
  },
  doc: 'Allows you to deploy gateway and back-end load-sharing clusters without the need of load-balancers',
  evaluate: alwaysUndecided('cluster', 'the cluster hash of the packet is not computed', { stable: true }),
  options: [
    {
      name: 'cluster-total-nodes', arity: 1, negatable: false, value: 'int', range: [1, 32], required: true,
      doc: 'Set number of total nodes in cluster',
    },
    {
      name: 'cluster-local-node', arity: 1, negatable: true, value: 'int', range: [1, 32],
      doc: 'Set the local node number ID',
    },
    {
      name: 'cluster-local-nodemask', arity: 1, negatable: true, value: 'int', range: [1, 32],
      doc: 'Set the local node number ID mask',
    },
    {
      name: 'cluster-hash-seed', arity: 1, negatable: false, value: 'int', required: true,
      doc: 'Set seed value of the Jenkins hash',
    },
  ],
};
