// TCPMSS target: option table from iptables 1.8.9 (libxt/libipt/libip6t_TCPMSS), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { parseNumber } from '../common';
import { checkIntRange } from '../../values';
import { ipHeaderLength } from '../../packet-bytes';
import { applyTcpmss } from '../../tcp-options';

export const TCPMSSTarget: TargetSpec = {
  name: 'TCPMSS',
  doc: 'This target alters the MSS value of TCP SYN packets, to control the maximum size for that connection (usually limiting it to your outgoing interface\'s MTU minus 40 for IPv4 or 60 for IPv6, respectively) (needs -p tcp; --clamp-mss-to-pmtu only in FORWARD/OUTPUT/POSTROUTING)',
  terminating: false,
  apply: applyTcpmssTarget,
  options: [
    {
      name: 'set-mss', arity: 1, negatable: false, value: 'int',
      // (the largest MSS that fits a 64 KiB packet after the IP and TCP headers)
      check: (text, family) => checkIntRange(text, [0, family === 'ipv6' ? 65495 : 65515], 'TCPMSS', 'set-mss'),
      doc: 'Explicitly sets MSS option to specified value',
    },
    {
      name: 'clamp-mss-to-pmtu', arity: 0, negatable: false, value: 'none',
      doc: 'Automatically clamp MSS value to (path_MTU - 40 for IPv4',
    },
  ],
};

/**
 * xt_TCPMSS on a packet whose TCP options the trace knows: --set-mss lowers a larger MSS (never raises
 * it), or adds an MSS option when there is none, no data follows the header and it has room (4 bytes
 * more: the packet grows); --clamp-mss-to-pmtu does the same with the path MTU minus the headers, when
 * the packet line gives the MTU (else the MSS becomes unknown). Without the options, what it does is unknown.
 */
function applyTcpmssTarget(target: TargetUse, ctx: EvalContext): TargetEffect {
  const p = ctx.packet;
  const set = target.options.find((o) => o.name === 'set-mss');
  const newMss = set ? parseNumber(set.args[0]?.text ?? '') : undefined;
  const what = set ? `TCPMSS --set-mss ${set.args[0]?.text ?? ''}` : `TCPMSS --clamp-mss-to-pmtu${p.pathMtu !== undefined ? ` (path MTU ${p.pathMtu})` : ''}`;
  if (p.proto !== 6 || p.fragment) return { verdict: 'CONTINUE', description: `${what}: no TCP header` };
  if (!p.tcpOptions) return { verdict: 'CONTINUE', description: `${what} (the packet's TCP options are not given: the MSS it leaves is not known)` };
  const headers = ipHeaderLength(p.family) + 20 + p.tcpOptions.bytes.length;
  // --clamp-mss-to-pmtu: the path MTU less the fixed headers (40 IPv4, 60 IPv6), when the packet line gives it
  const clampTo = p.pathMtu !== undefined ? p.pathMtu - (p.family === 'ipv4' ? 40 : 60) : undefined;
  const { options, change } = applyTcpmss(p.tcpOptions, set ? newMss : clampTo, p.family, p.length > headers);
  p.tcpOptions = options;
  const to = (value: number | undefined) => (value === undefined ? 'the path MTU − ' + (p.family === 'ipv4' ? 40 : 60) + " (MTU not known: the packet line's mtu gives it)" : String(value));
  switch (change.kind) {
    case 'lowered': return { verdict: 'CONTINUE', description: `${what}: MSS ${change.from} → ${change.to === undefined ? `min(${change.from}, ${to(undefined)})` : change.to}` };
    case 'added':
      p.length += 4;
      return { verdict: 'CONTINUE', description: `${what}: no MSS option, one added: MSS ${change.to === undefined ? `min(${p.family === 'ipv4' ? 536 : 1220}, ${to(undefined)})` : change.to} (the packet grows by 4 bytes)` };
    case 'unchanged': return { verdict: 'CONTINUE', description: `${what}: unchanged (${change.why})` };
    default: return { verdict: 'CONTINUE', description: `${what} (${change.why}: the MSS it leaves is not known)` };
  }
}
