// SNAT target: option table from iptables 1.8.9 (libxt/libipt/libip6t_SNAT), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { addressInRange, addStatus, endpoint, isPersistent, parseNatRange, rangeAddress, rangeNote, rangePort } from './nat-range';

export const SNATTarget: TargetSpec = {
  name: 'SNAT',
  doc: 'Source NAT: rewrite the source address/port of the connection (nat POSTROUTING/INPUT)',
  terminating: true,
  tables: ['nat'],
  hooks: ['INPUT', 'POSTROUTING'],
  apply: applySnat,
  options: [
    {
      name: 'to-source', arity: 1, negatable: false, value: 'nat-range', required: true,
      doc: 'New source: ip[-ip][:port[-port][/base]] (IPv6: [ip]:port); a range is picked from per connection, and with a base the port is shifted (port − base, wrapped into the range) instead of kept',
    },
    {
      name: 'random', arity: 0, negatable: false, value: 'none',
      doc: 'Randomize source port mapping through a hash-based algorithm (kernel >= 2.6.21)',
    },
    {
      name: 'random-fully', arity: 0, negatable: false, value: 'none',
      doc: 'Fully randomize source port mapping through a PRNG (kernel >= 3.14)',
    },
    {
      name: 'persistent', arity: 0, negatable: false, value: 'none',
      doc: 'Gives a client the same source-/destination-address for each connection',
    },
  ],
};

/** Rewrites the source of the connection; the nat table stops here (NF_ACCEPT). */
function applySnat(target: TargetUse, ctx: EvalContext): TargetEffect {
  const p = ctx.packet;
  const text = target.options.find((o) => o.name === 'to-source')?.args[0]?.text ?? '';
  const range = parseNatRange(text);
  if (!range) return { verdict: 'ACCEPT', assumption: `SNAT --to-source ${text} not understood: source left unchanged` };
  const before = endpoint(p, p.src, p.sport);
  const rewrite: TargetEffect['rewrite'] = {};
  // Source NAT tries the current tuple first (get_unique_tuple): an address or port already in
  // the range is kept.
  if (range.fromAddress && !addressInRange(range, p.src)) {
    p.src = rewrite.src = rangeAddress(range, p.src, p.dst, 'src', isPersistent(target), p.ctZone) ?? range.fromAddress;
  }
  const sport = rangePort(range, p.sport);
  if (sport !== p.sport) p.sport = rewrite.sport = sport;
  addStatus(p, 'SNAT', before);
  const portNote = range.fromPort === undefined ? ' (source port kept unless it clashes)' : '';
  return { verdict: 'ACCEPT', rewrite, description: `SNAT ${before} → ${endpoint(p, p.src, p.sport)}${rangeNote(range, 'a port in the range kept, else one at random (the first is shown)', p.ctZone)}${portNote}` };
}
