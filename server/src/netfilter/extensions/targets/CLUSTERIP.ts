// CLUSTERIP target: option table from iptables 1.8.9 (libipt_CLUSTERIP), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore. Linux removed the target
// in 6.3: restore --test accepts the rule, a newer kernel refuses to load it.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';
import { macProblem, wholeNumber } from '../value-checks';

/** The options a rule that creates the cluster IP (`--new`) must all give (CLUSTERIP_check's F_FULL). */
const FULL = ['new', 'hashmode', 'clustermac', 'total-nodes', 'local-node'];

export const CLUSTERIPTarget: TargetSpec = {
  name: 'CLUSTERIP',
  families: ['ipv4'],
  doc: 'Share one IP address between cluster nodes: each node answers the connections whose hash falls to it (removed from Linux 6.3)',
  terminating: false,
  apply: continueTarget(undefined, 'whether this node answers for the connection depends on the cluster hash, which is not computed'),
  validate(target) {
    // Either no option (a rule for an existing cluster IP) or all of --new, --hashmode, --clustermac, --total-nodes, --local-node.
    if (target.options.length === 0 || FULL.every((name) => target.options.some((o) => o.name === name))) return [];
    return [{ option: target.options[0], message: 'CLUSTERIP target: Invalid parameter combination (a new cluster IP needs --new, --hashmode, --clustermac, --total-nodes and --local-node)' }];
  },
  options: [
    {
      name: 'new', arity: 0, negatable: false, value: 'none',
      doc: 'Create a new cluster IP (the first rule for the address)',
    },
    {
      name: 'hashmode', arity: 1, negatable: false, value: 'enum', values: ['sourceip', 'sourceip-sourceport', 'sourceip-sourceport-destport'], valueMatch: 'exact',
      check: (text) => (['sourceip', 'sourceip-sourceport', 'sourceip-sourceport-destport'].includes(text) ? undefined : { severity: 'error', message: `Unknown hashmode "${text}"` }),
      doc: 'What the node choice hashes: the source address, plus the source port, plus the destination port',
    },
    {
      name: 'clustermac', arity: 1, negatable: false, value: 'string',
      check: (text) => macProblem(text) ?? (parseInt(text.split(':')[0], 16) & 1 ? undefined : { severity: 'error', message: 'MAC has to be a multicast ethernet address' }),
      doc: 'The cluster’s MAC address (a multicast one)',
    },
    {
      name: 'total-nodes', arity: 1, negatable: false, value: 'int', check: nodeProblem('total-nodes'),
      doc: 'How many nodes the cluster has (at most 16)',
    },
    {
      name: 'local-node', arity: 1, negatable: false, value: 'int', check: nodeProblem('local-node'),
      doc: 'This node’s number in the cluster (at most 16)',
    },
    {
      name: 'hash-init', arity: 1, negatable: false, value: 'int',
      check: (text) => { const n = wholeNumber(text); return n !== undefined && n <= 0xffffffff ? undefined : { severity: 'error', message: `CLUSTERIP: bad value for option "--hash-init", or out of range (0-4294967295).` }; },
      doc: 'The random seed of the hash',
    },
  ],
};

function nodeProblem(option: string) {
  return (text: string) => {
    const n = wholeNumber(text);
    return n !== undefined && n <= 16 ? undefined : { severity: 'error' as const, message: `CLUSTERIP: bad value for option "--${option}", or out of range (0-16).` };
  };
}
