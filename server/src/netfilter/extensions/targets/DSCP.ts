// DSCP target: option table from iptables 1.8.9 (libxt/libipt/libip6t_DSCP), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { parseNumber } from '../common';
import { dscpClassValue } from '../matches/dscp';
import { dscpClassProblem } from '../matches/dscp';

export const DSCPTarget: TargetSpec = {
  name: 'DSCP',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['set-dscp', 'set-dscp-class']],
  doc: 'This target alters the value of the DSCP bits within the TOS header of the IPv4 packet',
  terminating: false,
  tables: ['mangle'],
  apply: applyDscp,
  options: [
    {
      name: 'set-dscp', arity: 1, negatable: false, value: 'int', range: [0, 63],
      doc: 'Set the DSCP field to a numerical value (can be decimal or hex)',
    },
    {
      name: 'set-dscp-class', arity: 1, negatable: false, value: 'string', check: dscpClassProblem,
      doc: 'Set the DSCP field to a DiffServ class',
    },
  ],
};

function applyDscp(target: TargetUse, ctx: EvalContext): TargetEffect {
  const option = target.options[0];
  const text = option?.args[0]?.text ?? '';
  const value = option?.name === 'set-dscp-class' ? dscpClassValue(text) : parseNumber(text);
  if (value === undefined) return { verdict: 'CONTINUE' };
  const before = ctx.packet.dscp;
  ctx.packet.dscp = value & 0x3f;
  return { verdict: 'CONTINUE', rewrite: { dscp: ctx.packet.dscp }, description: `DSCP ${before} → ${ctx.packet.dscp}` };
}
