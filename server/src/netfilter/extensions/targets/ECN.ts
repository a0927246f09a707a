// ECN target: option table from iptables 1.8.9 (libxt/libipt/libip6t_ECN), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { optionText, parseNumber } from '../common';

export const ECNTarget: TargetSpec = {
  name: 'ECN',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['ecn-tcp-remove', 'ecn-tcp-cwr'], ['ecn-tcp-remove', 'ecn-tcp-ece']],
  families: ['ipv4'],
  doc: 'This target selectively works around known ECN blackholes',
  terminating: false,
  tables: ['mangle'],
  apply: applyEcn,
  options: [
    {
      name: 'ecn-tcp-remove', arity: 0, negatable: false, value: 'none',
      doc: 'Remove all ECN bits from the TCP header',
    },
    {
      name: 'ecn-tcp-cwr', arity: 1, negatable: false, value: 'int', range: [0, 1],
      doc: 'Set the TCP CWR bit to the given value (0 or 1)',
    },
    {
      name: 'ecn-tcp-ece', arity: 1, negatable: false, value: 'int', range: [0, 1],
      doc: 'Set the TCP ECE bit to the given value (0 or 1)',
    },
    {
      name: 'ecn-ip-ect', arity: 1, negatable: false, value: 'int', range: [0, 3],
      doc: 'Set the IP ECT codepoint to the given value (0-3: Not-ECT, ECT(1), ECT(0), CE), the TOS byte\'s low two bits',
    },
  ],
};

/**
 * ipt_ECN's ecn_tg: `--ecn-ip-ect` sets the IP header's ECN field; `--ecn-tcp-cwr` / `--ecn-tcp-ece`
 * set or clear those TCP flags (`--ecn-tcp-remove` clears both), on TCP packets only.
 */
function applyEcn(target: TargetUse, ctx: EvalContext): TargetEffect {
  const value = (name: string) => {
    const option = target.options.find((o) => o.name === name);
    return option ? parseNumber(option.args[0]?.text ?? '') : undefined;
  };
  const packet = ctx.packet;
  const rewrite: Record<string, number> = {};
  const changes: string[] = [];
  const ect = value('ecn-ip-ect');
  if (ect !== undefined && (ect & 3) !== packet.ecn) {
    changes.push(`ECN ${packet.ecn} → ${ect & 3}`);
    packet.ecn = ect & 3;
    rewrite.ecn = packet.ecn;
  }
  const remove = target.options.some((o) => o.name === 'ecn-tcp-remove');
  const flags: Array<['CWR' | 'ECE', number | undefined]> = [['CWR', remove ? 0 : value('ecn-tcp-cwr')], ['ECE', remove ? 0 : value('ecn-tcp-ece')]];
  if (packet.proto === 6 && packet.tcpFlags && flags.some(([, set]) => set !== undefined)) {
    let tcpFlags = packet.tcpFlags.filter((f) => !flags.some(([name, set]) => set !== undefined && f.toUpperCase() === name));
    for (const [name, set] of flags) if (set) tcpFlags = [...tcpFlags, name];
    if (tcpFlags.join(',') !== packet.tcpFlags.join(',')) {
      changes.push(`TCP flags ${packet.tcpFlags.join(',') || 'none'} → ${tcpFlags.join(',') || 'none'}`);
      packet.tcpFlags = tcpFlags;
    }
  }
  const description = changes.length ? changes.join(', ') : `ECN ${target.options.map(optionText).join(' ')} (nothing to change)`;
  return { verdict: 'CONTINUE', ...(Object.keys(rewrite).length ? { rewrite } : {}), description };
}
