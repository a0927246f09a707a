// SYNPROXY target: option table from iptables 1.8.9 (libxt/libipt/libip6t_SYNPROXY), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';

export const SYNPROXYTarget: TargetSpec = {
  name: 'SYNPROXY',
  doc: 'This target will process TCP three-way-handshake parallel in netfilter context to protect either local or backend system',
  terminating: true,
  hooks: ['INPUT', 'FORWARD'],
  apply: applySynproxy,
  options: [
    {
      name: 'sack-perm', arity: 0, negatable: false, value: 'none',
      doc: 'Pass client selective acknowledgement option to backend (will be disabled if not present)',
    },
    {
      name: 'timestamp', arity: 0, negatable: false, value: 'none',
      doc: 'Pass the client timestamp option to the backend',
    },
    {
      name: 'wscale', arity: 1, negatable: false, value: 'int',
      doc: 'Window scale announced to clients',
    },
    {
      name: 'mss', arity: 1, negatable: false, value: 'int',
      doc: 'Maximum segment size announced to clients',
    },
    {
      name: 'ecn', arity: 0, negatable: false, value: 'none',
      doc: 'Pass the client ECN option to the backend',
    },
  ],
};

/** A SYN is answered with a SYN-ACK cookie by the kernel and consumed (NF_STOLEN); other packets are checked against the cookie. */
function applySynproxy(_target: TargetUse, ctx: EvalContext): TargetEffect {
  const flags = ctx.packet.tcpFlags?.map((f) => f.toUpperCase()) ?? [];
  if (flags.includes('SYN') && !flags.includes('ACK'))
    return { verdict: 'STOLEN', description: 'SYNPROXY answers the SYN itself with a SYN cookie' };
  return { verdict: 'DROP', description: 'SYNPROXY consumes the handshake ACK / drops other packets', assumption: 'the packet is not a valid cookie ACK' };
}
