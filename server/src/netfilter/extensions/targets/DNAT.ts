// DNAT target: option table from iptables 1.8.9 (libxt/libipt/libip6t_DNAT), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { addStatus, endpoint, parseNatRange, rangeNote } from './nat-range';

export const DNATTarget: TargetSpec = {
  name: 'DNAT',
  doc: 'Destination NAT: rewrite the destination address/port of the connection (nat PREROUTING/OUTPUT)',
  terminating: true,
  tables: ['nat'],
  hooks: ['PREROUTING', 'OUTPUT'],
  apply: applyDnat,
  options: [
    {
      name: 'to-destination', arity: 1, negatable: false, value: 'nat-range', required: true,
      doc: 'New destination: ip[-ip][:port[-port]] (IPv6: [ip]:port); a range is picked from per connection',
    },
    {
      name: 'random', arity: 0, negatable: false, value: 'none',
      doc: 'Randomize source port mapping (kernel >= 2.6.22)',
    },
    {
      name: 'persistent', arity: 0, negatable: false, value: 'none',
      doc: 'Gives a client the same source-/destination-address for each connection',
    },
  ],
};

/** Rewrites the destination of the connection; the nat table stops here (NF_ACCEPT). */
function applyDnat(target: TargetUse, ctx: EvalContext): TargetEffect {
  const p = ctx.packet;
  const text = target.options.find((o) => o.name === 'to-destination')?.args[0]?.text ?? '';
  const range = parseNatRange(text);
  if (!range) return { verdict: 'ACCEPT', assumption: `DNAT --to-destination ${text} not understood: destination left unchanged` };
  const before = endpoint(p, p.dst, p.dport);
  const rewrite: TargetEffect['rewrite'] = {};
  if (range.fromAddress) p.dst = rewrite.dst = range.fromAddress;
  if (range.fromPort !== undefined && p.dport !== undefined) p.dport = rewrite.dport = range.fromPort;
  addStatus(p, 'DNAT', before);
  return { verdict: 'ACCEPT', rewrite, description: `DNAT ${before} → ${endpoint(p, p.dst, p.dport)}${rangeNote(range)}` };
}
