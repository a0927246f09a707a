// REJECT target: option table from iptables 1.8.9 (libxt/libipt/libip6t_REJECT), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { valueWord } from '../../values';

export const REJECTTargetIPv4: TargetSpec = {
  name: 'REJECT',
  families: ['ipv4'],
  doc: 'This is used to send back an error packet in response to the matched packet',
  terminating: true,
  tables: ['filter'],
  hooks: ['INPUT', 'FORWARD', 'OUTPUT'],
  apply: applyReject,
  options: [
    {
      name: 'reject-with', arity: 1, negatable: false, value: 'enum', valueMatch: 'prefix',
      // (libipt_REJECT's table order: a prefix reads as the first type it begins, name or alias)
      values: ['icmp-net-unreachable', 'icmp-host-unreachable', 'icmp-proto-unreachable', 'icmp-port-unreachable', 'icmp-net-prohibited', 'icmp-host-prohibited', 'tcp-reset', 'icmp-admin-prohibited'],
      valueAliases: {
        'icmp-net-unreachable': ['net-unreach'], 'icmp-host-unreachable': ['host-unreach'], 'icmp-proto-unreachable': ['proto-unreach'], 'icmp-port-unreachable': ['port-unreach'],
        'icmp-net-prohibited': ['net-prohib'], 'icmp-host-prohibited': ['host-prohib'], 'tcp-reset': ['tcp-rst'], 'icmp-admin-prohibited': ['admin-prohib'],
      },
      doc: 'The type given can be icmp-net-unreachable, icmp-host-unreachable, icmp-port-unreachable, icmp-proto-unreachable, icmp-net-prohibited, icmp-host-prohibited, or icmp-admin-prohibited (*), which return the appropriate ICMP error message (icmp-port-unreachable is the default)',
    },
  ],
};

export const REJECTTargetIPv6: TargetSpec = {
  name: 'REJECT',
  families: ['ipv6'],
  doc: 'This is used to send back an error packet in response to the matched packet',
  terminating: true,
  tables: ['filter'],
  hooks: ['INPUT', 'FORWARD', 'OUTPUT'],
  apply: applyReject,
  options: [
    {
      name: 'reject-with', arity: 1, negatable: false, value: 'enum', valueMatch: 'prefix',
      // (libip6t_REJECT's table order; icmp6-not-neighbor is compiled out of it, and tcp-reset has no other name)
      values: ['icmp6-no-route', 'icmp6-adm-prohibited', 'icmp6-addr-unreachable', 'icmp6-port-unreachable', 'tcp-reset', 'icmp6-policy-fail', 'icmp6-reject-route'],
      valueAliases: {
        'icmp6-no-route': ['no-route'], 'icmp6-adm-prohibited': ['adm-prohibited'], 'icmp6-addr-unreachable': ['addr-unreach'], 'icmp6-port-unreachable': ['port-unreach'],
        'icmp6-policy-fail': ['policy-fail'], 'icmp6-reject-route': ['reject-route'],
      },
      doc: 'The type given can be icmp6-no-route, no-route, icmp6-adm-prohibited, adm-prohibited, icmp6-addr-unreachable, addr-unreach, or icmp6-port-unreachable, which return the appropriate ICMPv6 error message (icmp6-port-unreachable is the default)',
    },
  ],
};

function applyReject(target: TargetUse, ctx: EvalContext): TargetEffect {
  const written = target.options.find((o) => o.name === 'reject-with')?.args[0]?.text;
  if (written === undefined) return { verdict: 'REJECT', description: `rejected with ${ctx.packet.family === 'ipv4' ? 'icmp-port-unreachable' : 'icmp6-port-unreachable'}` };
  // (the type iptables reads from what is written: `tcp` is tcp-reset, `host-unreach` icmp-host-unreachable)
  const spec = (ctx.packet.family === 'ipv4' ? REJECTTargetIPv4 : REJECTTargetIPv6).options[0];
  const reply = valueWord(spec, written) ?? written;
  return { verdict: 'REJECT', description: `rejected with ${reply}${reply === written ? '' : ` (written ${JSON.stringify(written)})`}` };
}
