// CT target: option table from iptables 1.8.9 (libxt/libipt/libip6t_CT), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { alreadyTracked } from './NOTRACK';
import { wholeNumber, zoneProblem } from '../value-checks';

export const CTTarget: TargetSpec = {
  name: 'CT',
  doc: 'The CT target sets parameters for a packet or its associated connection',
  terminating: false,
  tables: ['raw'],
  apply: applyCt,
  options: [
    {
      name: 'notrack', arity: 0, negatable: false, value: 'none',
      doc: 'Disables connection tracking for this packet',
    },
    {
      name: 'helper', arity: 1, negatable: false, value: 'string',
      doc: 'Use the helper identified by name for the connection',
    },
    {
      name: 'timeout', arity: 1, negatable: false, value: 'string',
      doc: 'Use the timeout policy identified by name for the connection',
    },
    {
      name: 'ctevents', arity: 1, negatable: false, value: 'enum-list', valueMatch: 'exact', values: ['new', 'related', 'destroy', 'reply', 'assured', 'protoinfo', 'helper', 'mark', 'natseqinfo', 'secmark'],
      doc: 'Only generate the specified conntrack events for this connection',
    },
    {
      name: 'expevents', arity: 1, negatable: false, value: 'enum-list', valueMatch: 'exact', values: ['new'],
      doc: 'Only generate the specified expectation events for this connection',
    },
    {
      name: 'zone-orig', arity: 1, negatable: false, value: 'string', check: zoneProblem,
      doc: 'For traffic coming from ORIGINAL direction, assign this packet to zone id and only have lookups done in that zone',
    },
    {
      name: 'zone-reply', arity: 1, negatable: false, value: 'string', check: zoneProblem,
      doc: 'For traffic coming from REPLY direction, assign this packet to zone id and only have lookups done in that zone',
    },
    {
      name: 'zone', arity: 1, negatable: false, value: 'string', check: zoneProblem,
      doc: 'Assign this packet to zone id and only have lookups done in that zone',
    },
  ],
};

function applyCt(target: TargetUse, ctx: EvalContext): TargetEffect {
  const already = alreadyTracked(ctx);
  if (already) return already;
  if (target.options.some((o) => o.name === 'notrack')) {
    ctx.packet.ctstate = 'UNTRACKED';
    return { verdict: 'CONTINUE', description: 'connection tracking disabled for this packet (UNTRACKED)' };
  }
  // A template entry is attached (as IP_CT_NEW): later raw rules see the state NEW, a ctmark 0, the
  // status CONFIRMED and an all-zero tuple (checked in a namespace, kernel 6.x).
  ctx.packet.ctstate = 'NEW';
  ctx.packet.ctTemplate = true;
  // (the connection's zone: NAT's pick from an address range hashes it in; the last zone option wins, as in libxt_CT)
  const zone = [...target.options].reverse().find((o) => o.name === 'zone' || o.name === 'zone-orig' || o.name === 'zone-reply')?.args[0]?.text;
  if (zone !== undefined) ctx.packet.ctTemplateZone = zone === 'mark' ? 'mark' : wholeNumber(zone) ?? 0;
  else delete ctx.packet.ctTemplateZone;
  const settings = target.options.map((o) => `--${o.name}${o.args.length ? ' ' + o.args.map((a) => a.text).join(' ') : ''}`).join(' ');
  return { verdict: 'CONTINUE', description: `CT ${settings}`.trim() };
}
