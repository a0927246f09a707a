// MARK target: option table from iptables 1.8.9 (libxt/libipt/libip6t_MARK), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { hex, parseMarkMask, parseNumber } from '../common';

export const MARKTarget: TargetSpec = {
  name: 'MARK',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark']],
  doc: 'This target is used to set the Netfilter mark value associated with the packet',
  terminating: false,
  apply: applyMark,
  options: [
    {
      name: 'set-xmark', arity: 1, negatable: false, value: 'mark',
      doc: 'Zeroes out the bits given by mask and XORs value into the packet mark ("nfmark")',
    },
    {
      name: 'set-mark', arity: 1, negatable: false, value: 'mark',
      doc: 'Zeroes out the bits given by mask and ORs value into the packet mark',
    },
    {
      name: 'and-mark', arity: 1, negatable: false, value: 'int',
      doc: 'Binary AND the nfmark with bits',
    },
    {
      name: 'or-mark', arity: 1, negatable: false, value: 'int',
      doc: 'Binary OR the nfmark with bits',
    },
    {
      name: 'xor-mark', arity: 1, negatable: false, value: 'int',
      doc: 'Binary XOR the nfmark with bits',
    },
  ],
};

/**
 * The (value, mask) pair xt_MARK v2 applies as mark = (mark & ~mask) ^ value, derived the way
 * libxt_MARK does: --set-mark v/m clears m|v then ORs v; --and-mark b = (0, ~b); --or-mark b = (b, b);
 * --xor-mark b = (b, 0).
 */
export function markOperation(name: string, text: string): { value: number; mask: number } | undefined {
  if (name === 'set-xmark') return parseMarkMask(text);
  if (name === 'set-mark') {
    const p = parseMarkMask(text);
    return p && { value: p.value, mask: (p.mask | p.value) >>> 0 };
  }
  const bits = parseNumber(text);
  if (bits === undefined) return undefined;
  if (name === 'and-mark') return { value: 0, mask: ~bits >>> 0 };
  if (name === 'or-mark') return { value: bits >>> 0, mask: bits >>> 0 };
  if (name === 'xor-mark') return { value: bits >>> 0, mask: 0 };
  return undefined;
}

export function applyMarkOperation(mark: number, op: { value: number; mask: number }): number {
  return ((mark & ~op.mask) ^ op.value) >>> 0;
}

/** `(set bit 14)` / `(clear bits 0x4000)` hints for single-bit changes, which is how marks are used. */
export function markChangeHint(before: number, after: number): string {
  const set = (after & ~before) >>> 0;
  const cleared = (before & ~after) >>> 0;
  const describe = (bits: number) => (bits & (bits - 1)) === 0 ? `bit ${31 - Math.clz32(bits)}` : `bits ${hex(bits)}`;
  const parts: string[] = [];
  if (set) parts.push(`set ${describe(set)}`);
  if (cleared) parts.push(`clear ${describe(cleared)}`);
  return parts.length ? ` (${parts.join(', ')})` : ' (unchanged)';
}

function applyMark(target: TargetUse, ctx: EvalContext): TargetEffect {
  const option = target.options.find((o) => markOperation(o.name, o.args[0]?.text ?? '') !== undefined);
  if (!option) return { verdict: 'CONTINUE', assumption: 'MARK without a usable operation: mark unchanged' };
  const op = markOperation(option.name, option.args[0]?.text ?? '')!;
  const before = ctx.packet.mark;
  const after = applyMarkOperation(before, op);
  ctx.packet.mark = after;
  return { verdict: 'CONTINUE', rewrite: { mark: after }, description: `mark ${hex(before)} → ${hex(after)}${markChangeHint(before, after)}` };
}
