// TTL target: option table from iptables 1.8.9 (libxt/libipt/libip6t_TTL), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { parseNumber } from '../common';

export const TTLTarget: TargetSpec = {
  name: 'TTL',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['ttl-set', 'ttl-dec', 'ttl-inc']],
  families: ['ipv4'],
  doc: 'This is used to modify the IPv4 TTL header field',
  terminating: false,
  tables: ['mangle'],
  apply: applyTtl,
  options: [
    {
      name: 'ttl-set', arity: 1, negatable: false, value: 'int', range: [0, 255],
      doc: 'Set the TTL value to `value\'',
    },
    {
      name: 'ttl-dec', arity: 1, negatable: false, value: 'int', range: [1, 255],
      doc: 'Decrement the TTL value `value\' times',
    },
    {
      name: 'ttl-inc', arity: 1, negatable: false, value: 'int', range: [1, 255],
      doc: 'Increment the TTL value `value\' times',
    },
  ],
};

/** --ttl-set / --ttl-dec / --ttl-inc (also used by HL for the hop limit), clamped to 0..255 like the kernel. */
export function changeTtl(target: TargetUse, ctx: EvalContext, what: string): TargetEffect {
  const option = target.options[0];
  const n = parseNumber(option?.args[0]?.text ?? '');
  if (!option || n === undefined) return { verdict: 'CONTINUE' };
  const before = ctx.packet.ttl;
  let after = before;
  if (option.name.endsWith('-set')) after = n;
  else if (option.name.endsWith('-dec')) after = Math.max(0, before - n);
  else if (option.name.endsWith('-inc')) after = Math.min(255, before + n);
  ctx.packet.ttl = after;
  return { verdict: 'CONTINUE', rewrite: { ttl: after }, description: `${what} ${before} → ${after}` };
}

function applyTtl(target: TargetUse, ctx: EvalContext): TargetEffect {
  return changeTtl(target, ctx, 'TTL');
}
