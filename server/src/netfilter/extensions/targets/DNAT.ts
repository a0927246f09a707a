// DNAT target: option table from iptables 1.8.9 (libxt/libipt/libip6t_DNAT), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { addStatus, endpoint, isPersistent, parseNatRange, rangeAddress, rangeNote, rangePort } from './nat-range';

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
      doc: 'New destination: ip[-ip][:port[-port][/base]] (IPv6: [ip]:port); a range is picked from per connection, and with a base the port is shifted (port − base, wrapped into the range) instead of kept',
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
  if (range.fromAddress) {
    // get_unique_tuple: a destination is always picked from the range, the one it has included.
    p.dst = rewrite.dst = rangeAddress(range, p.src, p.dst, 'dst', isPersistent(target), p.ctZone) ?? range.fromAddress;
  }
  // A port already in the port range is kept; else the range's first (the first free one, for DNAT).
  const dport = rangePort(range, p.dport);
  if (dport !== p.dport) p.dport = rewrite.dport = dport;
  addStatus(p, 'DNAT', before);
  return { verdict: 'ACCEPT', rewrite, description: `DNAT ${before} → ${endpoint(p, p.dst, p.dport)}${rangeNote(range, 'a port in the range kept, else the first', p.ctZone)}` };
}
