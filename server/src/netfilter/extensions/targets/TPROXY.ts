// TPROXY target: option table from iptables 1.8.9 (libxt/libipt/libip6t_TPROXY), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { hex, parseMarkMask } from '../common';
import { applyMarkOperation } from './MARK';

export const TPROXYTarget: TargetSpec = {
  name: 'TPROXY',
  doc: 'Transparent proxy: deliver the packet to a local socket without rewriting it (mangle PREROUTING)',
  terminating: true,
  tables: ['mangle'],
  hooks: ['PREROUTING'],
  apply: applyTproxy,
  options: [
    {
      name: 'on-port', arity: 1, negatable: false, value: 'port', required: true,
      doc: 'This specifies a destination port to use',
    },
    {
      name: 'on-ip', arity: 1, negatable: false, value: 'address',
      doc: 'This specifies a destination address to use',
    },
    {
      name: 'tproxy-mark', arity: 1, negatable: false, value: 'mark',
      doc: 'Marks packets with the given value/mask',
    },
  ],
};

/**
 * tproxy_tg: finds a transparent socket on --on-ip/--on-port, marks the packet (--tproxy-mark) and
 * returns NF_ACCEPT; without such a socket it returns NF_DROP. The packet is not rewritten.
 */
function applyTproxy(target: TargetUse, ctx: EvalContext): TargetEffect {
  const arg = (name: string) => target.options.find((o) => o.name === name)?.args[0]?.text;
  const where = `${arg('on-ip') ?? 'the packet’s destination'} port ${arg('on-port') ?? '?'}`;
  const markText = arg('tproxy-mark');
  let description = `TPROXY to a local transparent socket on ${where}`;
  const effect: TargetEffect = { verdict: 'ACCEPT', assumption: `a transparent socket listens on ${where} (otherwise the kernel drops the packet)` };
  if (markText) {
    const parsed = parseMarkMask(markText);
    if (parsed) {
      const before = ctx.packet.mark;
      ctx.packet.mark = applyMarkOperation(before, parsed);
      effect.rewrite = { mark: ctx.packet.mark };
      description += `, mark ${hex(before)} → ${hex(ctx.packet.mark)}`;
    }
  }
  effect.description = description;
  return effect;
}
