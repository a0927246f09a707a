// NFQUEUE target: option table from iptables 1.8.9 (libxt/libipt/libip6t_NFQUEUE), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { readUintRange, type ValueProblem } from '../../values';

export const NFQUEUETarget: TargetSpec = {
  name: 'NFQUEUE',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['queue-num', 'queue-balance']],
  doc: 'This target passes the packet to userspace using the nfnetlink_queue handler',
  terminating: true,
  apply: applyNfqueue,
  options: [
    {
      name: 'queue-num', arity: 1, negatable: false, value: 'int', range: [0, 65535],
      doc: 'This specifies the QUEUE number to use',
    },
    {
      name: 'queue-balance', arity: 1, negatable: false, value: 'int-range', check: queueBalanceProblem,
      doc: 'This specifies a range of queues to use',
    },
    {
      name: 'queue-bypass', arity: 0, negatable: false, value: 'none',
      doc: 'By default, if no userspace program is listening on an NFQUEUE, then all packets that are to be queued are dropped',
    },
    {
      name: 'queue-cpu-fanout', also: ['queue-balance'], arity: 0, negatable: false, value: 'none',
      doc: 'Available starting Linux kernel 3.10',
    },
  ],
};

function applyNfqueue(target: TargetUse, _ctx: EvalContext): TargetEffect {
  const arg = (name: string) => target.options.find((o) => o.name === name)?.args[0]?.text;
  const queue = arg('queue-balance') ? `queues ${arg('queue-balance')}` : `queue ${arg('queue-num') ?? '0'}`;
  const bypass = target.options.some((o) => o.name === 'queue-bypass');
  return {
    verdict: 'QUEUE',
    description: `queued to userspace (${queue})`,
    assumption: bypass
      ? 'a program reads the queue and accepts the packet (with --queue-bypass an absent reader means the packet continues as ACCEPTed)'
      : 'a program reads the queue and accepts the packet (no reader: the kernel drops it)',
  };
}

/** `--queue-balance FROM:TO` (libxt_NFQUEUE): two 16-bit queue numbers (either may be left out), FROM below TO. */
function queueBalanceProblem(text: string): ValueProblem | undefined {
  if (!text.includes(':')) return { severity: 'error', message: `Bad range "${text}"` };
  const range = readUintRange(text, 0xffffn, 'NFQUEUE', 'queue-balance');
  if ('error' in range) return { severity: 'error', message: range.error };
  return range.from >= range.to ? { severity: 'error', message: `${range.from} should be less than ${range.to}` } : undefined;
}
