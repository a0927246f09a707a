// CONNMARK target: option table from iptables 1.8.9 (libxt/libipt/libip6t_CONNMARK), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { hex, parseNumber } from '../common';
import { hasConntrack } from '../matches/conntrack';
import { applyMarkOperation, markChangeHint, markOperation } from './MARK';

export const CONNMARKTarget: TargetSpec = {
  name: 'CONNMARK',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark', 'save-mark', 'restore-mark'], ['mask', 'ctmask'], ['mask', 'nfmask']],
  needsOneOf: [{ options: ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark', 'save-mark', 'restore-mark'], message: 'CONNMARK target: No operation specified' }],
  doc: 'This module sets the netfilter mark value associated with a connection',
  terminating: false,
  apply: applyConnmark,
  options: [
    {
      name: 'set-xmark', arity: 1, negatable: false, value: 'mark',
      doc: 'Zero out the bits given by mask and XOR value into the ctmark',
    },
    {
      name: 'set-mark', arity: 1, negatable: false, value: 'mark',
      doc: 'Set the connection mark',
    },
    {
      name: 'and-mark', arity: 1, negatable: false, value: 'int',
      doc: 'Binary AND the ctmark with bits',
    },
    {
      name: 'or-mark', arity: 1, negatable: false, value: 'int',
      doc: 'Binary OR the ctmark with bits',
    },
    {
      name: 'xor-mark', arity: 1, negatable: false, value: 'int',
      doc: 'Binary XOR the ctmark with bits',
    },
    {
      name: 'save-mark', arity: 0, negatable: false, value: 'none',
      doc: 'Copy the packet mark (nfmark) to the connection mark (ctmark) using the given masks',
    },
    {
      name: 'restore-mark', arity: 0, negatable: false, value: 'none',
      doc: 'Copy the connection mark (ctmark) to the packet mark (nfmark) using the given masks',
    },
    {
      name: 'left-shift-mark', arity: 1, negatable: false, value: 'int', range: [0, 32],
      doc: 'With --save-mark/--restore-mark: shift the source mark left by this many bits first',
    },
    {
      name: 'right-shift-mark', arity: 1, negatable: false, value: 'int', range: [0, 32],
      doc: 'With --save-mark/--restore-mark: shift the source mark right by this many bits first',
    },
    {
      name: 'ctmask', arity: 1, negatable: false, value: 'int',
      doc: 'With --save-mark/--restore-mark: mask of ctmark bits to use',
    },
    {
      name: 'nfmask', arity: 1, negatable: false, value: 'int',
      doc: 'With --save-mark/--restore-mark: mask of nfmark bits to use',
    },
    {
      name: 'mask', arity: 1, negatable: false, value: 'int',
      doc: 'With --save-mark/--restore-mark: sets both --nfmask and --ctmask',
    },
  ],
};

/**
 * xt_CONNMARK: --set-* / --and/or/xor-mark change the ctmark like MARK changes the nfmark;
 * --save-mark: ctmark = (ctmark & ~ctmask) ^ (nfmark & nfmask);
 * --restore-mark: nfmark = (nfmark & ~nfmask) ^ (ctmark & ctmask). Masks default to 0xffffffff,
 * --mask sets both. Without a conntrack entry nothing happens.
 */
function applyConnmark(target: TargetUse, ctx: EvalContext): TargetEffect {
  const p = ctx.packet;
  if (!hasConntrack(p)) return { verdict: 'CONTINUE', description: `CONNMARK: no conntrack entry (${p.ctstate}), nothing changed` };
  const number = (name: string) => {
    const option = target.options.find((o) => o.name === name);
    return option ? parseNumber(option.args[0]?.text ?? '') : undefined;
  };
  const both = number('mask');
  const ctmask = (number('ctmask') ?? both ?? 0xffffffff) >>> 0;
  const nfmask = (number('nfmask') ?? both ?? 0xffffffff) >>> 0;
  const shifted = target.options.some((o) => o.name === 'left-shift-mark' || o.name === 'right-shift-mark');
  const assumption = shifted ? 'CONNMARK shift options are not modelled: the unshifted value is shown' : undefined;
  if (target.options.some((o) => o.name === 'save-mark')) {
    const before = p.ctmark;
    p.ctmark = ((before & ~ctmask) ^ (p.mark & nfmask)) >>> 0;
    return { verdict: 'CONTINUE', rewrite: { ctmark: p.ctmark }, description: `ctmark ${hex(before)} → ${hex(p.ctmark)} (saved from mark ${hex(p.mark)})`, ...(assumption ? { assumption } : {}) };
  }
  if (target.options.some((o) => o.name === 'restore-mark')) {
    const before = p.mark;
    p.mark = ((before & ~nfmask) ^ (p.ctmark & ctmask)) >>> 0;
    return { verdict: 'CONTINUE', rewrite: { mark: p.mark }, description: `mark ${hex(before)} → ${hex(p.mark)} (restored from ctmark ${hex(p.ctmark)})`, ...(assumption ? { assumption } : {}) };
  }
  const option = target.options.find((o) => markOperation(o.name, o.args[0]?.text ?? '') !== undefined);
  if (!option) return { verdict: 'CONTINUE', assumption: 'CONNMARK without a usable operation: ctmark unchanged' };
  const before = p.ctmark;
  p.ctmark = applyMarkOperation(before, markOperation(option.name, option.args[0]?.text ?? '')!);
  return { verdict: 'CONTINUE', rewrite: { ctmark: p.ctmark }, description: `ctmark ${hex(before)} → ${hex(p.ctmark)}${markChangeHint(before, p.ctmark)}` };
}
