// MASQUERADE target: option table from iptables 1.8.9 (libxt/libipt/libip6t_MASQUERADE), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { parsePort } from '../common';
import { addStatus, endpoint } from './nat-range';
import { toPortsProblem } from '../value-checks';

export const MASQUERADETarget: TargetSpec = {
  name: 'MASQUERADE',
  doc: 'Source NAT to the address of the outgoing interface (nat POSTROUTING)',
  terminating: true,
  tables: ['nat'],
  hooks: ['POSTROUTING'],
  apply: applyMasquerade,
  options: [
    {
      name: 'to-ports', arity: 1, negatable: false, value: 'raw', check: toPortsProblem,
      doc: 'Source port range to use: `port[-port]` (needs -p tcp/udp/sctp/dccp)',
    },
    {
      name: 'random', arity: 0, negatable: false, value: 'none',
      doc: 'Randomize source port mapping (kernel >= 2.6.21)',
    },
    {
      name: 'random-fully', arity: 0, negatable: false, value: 'none',
      doc: 'Fully randomize source port mapping (kernel >= 3.13)',
    },
  ],
};

/**
 * SNAT to the primary address of the outgoing interface. The engine uses node.egressAddress when
 * it was given; otherwise the source is left as is and the description names the interface.
 */
function applyMasquerade(target: TargetUse, ctx: EvalContext): TargetEffect {
  const p = ctx.packet;
  const before = endpoint(p, p.src, p.sport);
  const rewrite: TargetEffect['rewrite'] = {};
  const ports = target.options.find((o) => o.name === 'to-ports')?.args[0]?.text;
  if (ports !== undefined && p.sport !== undefined) {
    const first = parsePort(ports.split('-')[0]);
    if (first !== undefined) p.sport = rewrite.sport = first;
  }
  const iface = p.outIface ?? 'the outgoing interface';
  if (ctx.node.egressAddress) {
    p.src = rewrite.src = ctx.node.egressAddress;
    // --random / --random-fully pick a new source port: the tuple changes even when the address does not
    const randomPort = target.options.some((o) => o.name === 'random' || o.name === 'random-fully');
    addStatus(p, 'SNAT', randomPort ? '' : before);
    return { verdict: 'ACCEPT', rewrite, description: `MASQUERADE ${before} → ${endpoint(p, p.src, p.sport)} (address of ${iface})` };
  }
  if (!p.ctstatus.includes('SNAT')) p.ctstatus.push('SNAT'); // the new source is unknown: assume it differs
  return {
    verdict: 'ACCEPT',
    rewrite,
    description: `MASQUERADE → address of ${iface}`,
    assumption: `source becomes the primary address of ${iface} (not known to the engine)`,
  };
}
