// HL target: option table from iptables 1.8.9 (libxt/libipt/libip6t_HL), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { changeTtl } from './TTL';

export const HLTarget: TargetSpec = {
  name: 'HL',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['hl-set', 'hl-dec', 'hl-inc']],
  families: ['ipv6'],
  doc: 'This is used to modify the Hop Limit field in IPv6 header',
  terminating: false,
  tables: ['mangle'],
  apply: applyHl,
  options: [
    {
      name: 'hl-set', arity: 1, negatable: false, value: 'int', range: [0, 255],
      doc: 'Set the Hop Limit to `value\'',
    },
    {
      name: 'hl-dec', arity: 1, negatable: false, value: 'int', range: [1, 255],
      doc: 'Decrement the Hop Limit `value\' times',
    },
    {
      name: 'hl-inc', arity: 1, negatable: false, value: 'int', range: [1, 255],
      doc: 'Increment the Hop Limit `value\' times',
    },
  ],
};

function applyHl(target: TargetUse, ctx: EvalContext): TargetEffect {
  return changeTtl(target, ctx, 'hop limit');
}
