// NOTRACK target: option table from iptables 1.8.9 (libxt/libipt/libip6t_NOTRACK), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';

export const NOTRACKTarget: TargetSpec = {
  name: 'NOTRACK',
  doc: 'This extension disables connection tracking for all packets matching that rule',
  terminating: false,
  tables: ['raw'],
  apply: applyNotrack,
  options: [],
};

function applyNotrack(_target: TargetUse, ctx: EvalContext): TargetEffect {
  const already = alreadyTracked(ctx);
  if (already) return already;
  ctx.packet.ctstate = 'UNTRACKED';
  return { verdict: 'CONTINUE', description: 'connection tracking disabled for this packet (UNTRACKED)' };
}

/**
 * xt_CT (CT and NOTRACK): "Previously seen (loopback)? Ignore." A packet that already carries a
 * conntrack entry — one coming back in through lo keeps the entry OUTPUT gave it — is left alone.
 * In the raw table a packet conntrack has not seen yet is INVALID to the simulator (simulate.ts
 * runBeforeConntrack), so anything else means an entry is attached.
 */
export function alreadyTracked(ctx: EvalContext): TargetEffect | undefined {
  if (ctx.packet.ctstate === 'INVALID') return undefined;
  return { verdict: 'CONTINUE', description: `the packet already has a conntrack entry (${ctx.packet.ctstate}): nothing changed` };
}
