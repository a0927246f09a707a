// NETMAP target: option table from iptables 1.8.9 (libxt/libipt/libip6t_NETMAP), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import { formatAddress, mapAddress, parseAddress, parseHostMask } from '../../addr';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { addStatus, endpoint } from './nat-range';

export const NETMAPTarget: TargetSpec = {
  name: 'NETMAP',
  doc: 'Statically map a whole network onto another one (1:1 NAT of the host part)',
  terminating: true,
  tables: ['nat'],
  hooks: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  apply: applyNetmap,
  options: [
    {
      name: 'to', arity: 1, negatable: false, value: 'address', required: true,
      doc: 'Network address to map to',
    },
  ],
};

/** 1:1 prefix mapping: destination in PREROUTING/OUTPUT, source in POSTROUTING/INPUT. */
function applyNetmap(target: TargetUse, ctx: EvalContext): TargetEffect {
  const p = ctx.packet;
  const text = target.options.find((o) => o.name === 'to')?.args[0]?.text ?? '';
  const cidr = parseHostMask(text, p.family); // (libxt_NETMAP: XTTYPE_HOSTMASK)
  const mapDestination = ctx.position.hook === 'PREROUTING' || ctx.position.hook === 'OUTPUT';
  const current = parseAddress(mapDestination ? p.dst : p.src, p.family);
  if (!cidr || !current) return { verdict: 'ACCEPT', assumption: `NETMAP --to ${text} not understood: address left unchanged` };
  const mapped = formatAddress(mapAddress(current, cidr.network, cidr.mask));
  if (mapDestination) {
    const before = p.dst;
    const beforeEndpoint = endpoint(p, p.dst, p.dport);
    p.dst = mapped;
    addStatus(p, 'DNAT', beforeEndpoint);
    return { verdict: 'ACCEPT', rewrite: { dst: mapped }, description: `NETMAP destination ${before} → ${mapped}` };
  }
  const before = p.src;
  const beforeEndpoint = endpoint(p, p.src, p.sport);
  p.src = mapped;
  addStatus(p, 'SNAT', beforeEndpoint);
  return { verdict: 'ACCEPT', rewrite: { src: mapped }, description: `NETMAP source ${before} → ${mapped}` };
}
