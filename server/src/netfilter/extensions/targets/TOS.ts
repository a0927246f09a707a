// TOS target: option table from iptables 1.8.9 (libxt/libipt/libip6t_TOS), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { parseNumber } from '../common';
import { parseTos, tosProblem } from '../matches/tos';
import { tosByte } from '../../packet-bytes';

export const TOSTarget: TargetSpec = {
  name: 'TOS',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['set-tos', 'and-tos', 'or-tos', 'xor-tos']],
  doc: 'This module sets the Type of Service field in the IPv4 header (including the "precedence" bits) or the Priority field in the IPv6 header',
  terminating: false,
  tables: ['mangle'],
  apply: applyTos,
  options: [
    {
      name: 'set-tos', arity: 1, negatable: false, value: 'raw', check: tosProblem,
      doc: 'Zeroes out the bits given by mask (see NOTE below) and XORs value into the TOS/Priority field',
    },
    {
      name: 'and-tos', arity: 1, negatable: false, value: 'int', range: [0, 255],
      doc: 'Binary AND the TOS value with bits',
    },
    {
      name: 'or-tos', arity: 1, negatable: false, value: 'int', range: [0, 255],
      doc: 'Binary OR the TOS value with bits',
    },
    {
      name: 'xor-tos', arity: 1, negatable: false, value: 'int', range: [0, 255],
      doc: 'Binary XOR the TOS value with bits',
    },
  ],
};

/** tos = (tos & ~mask) ^ value on the whole TOS byte (DSCP << 2 | ECN), as xt_DSCP's tos_tg does. */
function applyTos(target: TargetUse, ctx: EvalContext): TargetEffect {
  const option = target.options[0];
  const text = option?.args[0]?.text ?? '';
  let op: { value: number; mask: number } | undefined;
  if (option?.name === 'set-tos') op = parseTos(text);
  else {
    const bits = parseNumber(text);
    if (bits !== undefined && option?.name === 'and-tos') op = { value: 0, mask: ~bits & 0xff };
    if (bits !== undefined && option?.name === 'or-tos') op = { value: bits, mask: bits };
    if (bits !== undefined && option?.name === 'xor-tos') op = { value: bits, mask: 0 };
  }
  if (!op) return { verdict: 'CONTINUE' };
  const before = tosByte(ctx.packet);
  const after = ((before & ~op.mask) ^ op.value) & 0xff;
  ctx.packet.dscp = after >> 2;
  ctx.packet.ecn = after & 3;
  const rewrite: Record<string, number> = { dscp: ctx.packet.dscp };
  if ((before & 3) !== (after & 3)) rewrite.ecn = ctx.packet.ecn;
  return { verdict: 'CONTINUE', rewrite, description: `TOS 0x${before.toString(16)} → 0x${after.toString(16)}` };
}
