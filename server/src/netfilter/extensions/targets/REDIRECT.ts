// REDIRECT target: option table from iptables 1.8.9 (libxt/libipt/libip6t_REDIRECT), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { parsePort } from '../common';
import { addStatus, endpoint } from './nat-range';
import { toPortsProblem } from '../value-checks';
import { isMulticast, parseAddress } from '../../addr';

export const REDIRECTTarget: TargetSpec = {
  name: 'REDIRECT',
  doc: 'Destination NAT to the node itself (nat PREROUTING/OUTPUT)',
  terminating: true,
  tables: ['nat'],
  hooks: ['PREROUTING', 'OUTPUT'],
  apply: applyRedirect,
  options: [
    {
      name: 'to-ports', arity: 1, negatable: false, value: 'raw', check: toPortsProblem,
      doc: 'Destination port or range to use: `port[-port]` (needs -p tcp/udp/sctp/dccp)',
    },
    {
      name: 'random', arity: 0, negatable: false, value: 'none',
      doc: 'Randomize source port mapping (kernel >= 2.6.22)',
    },
  ],
};

/**
 * DNAT to the node itself: in OUTPUT to 127.0.0.1 / ::1 (the kernel's choice), in PREROUTING to the
 * primary address of the incoming interface — the engine takes node.localAddresses[0] and says so.
 */
function applyRedirect(target: TargetUse, ctx: EvalContext): TargetEffect {
  const p = ctx.packet;
  const before = endpoint(p, p.dst, p.dport);
  const rewrite: TargetEffect['rewrite'] = {};
  let assumption: string | undefined;
  if (ctx.position.hook === 'OUTPUT') {
    p.dst = rewrite.dst = p.family === 'ipv4' ? '127.0.0.1' : '::1';
  } else {
    // (a multicast group the node has joined is among its addresses, but never one a packet is redirected to)
    const local = ctx.node.localAddresses.find((a) => (p.family === 'ipv4' ? !a.includes(':') : a.includes(':')) && !isGroup(a));
    if (local) {
      p.dst = rewrite.dst = local;
      assumption = `REDIRECT uses the primary address of ${p.inIface ?? 'the incoming interface'}; taken as ${local}`;
    } else {
      assumption = `REDIRECT uses the primary address of ${p.inIface ?? 'the incoming interface'} (unknown: destination address left unchanged)`;
    }
  }
  const ports = target.options.find((o) => o.name === 'to-ports')?.args[0]?.text;
  if (ports !== undefined && p.dport !== undefined) {
    const first = parsePort(ports.split('-')[0]);
    if (first !== undefined) p.dport = rewrite.dport = first;
  }
  addStatus(p, 'DNAT', before);
  return { verdict: 'ACCEPT', rewrite, description: `REDIRECT ${before} → ${endpoint(p, p.dst, p.dport)}`, ...(assumption ? { assumption } : {}) };
}

/** A multicast group (one the node has joined is among its addresses). */
function isGroup(address: string): boolean {
  const parsed = parseAddress(address);
  return !!parsed && isMulticast(parsed);
}
