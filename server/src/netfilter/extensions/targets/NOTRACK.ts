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
  ctx.packet.ctstate = 'UNTRACKED';
  return { verdict: 'CONTINUE', description: 'connection tracking disabled for this packet (UNTRACKED)' };
}
