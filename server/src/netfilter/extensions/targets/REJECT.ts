// REJECT target: option table from iptables 1.8.9 (libxt/libipt/libip6t_REJECT), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';

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
      name: 'reject-with', arity: 1, negatable: false, value: 'enum', values: ['icmp-net-unreachable', 'icmp-host-unreachable', 'icmp-port-unreachable', 'icmp-proto-unreachable', 'icmp-net-prohibited', 'icmp-host-prohibited', 'icmp-admin-prohibited', 'tcp-reset', 'net-unreach', 'host-unreach', 'port-unreach', 'proto-unreach', 'net-prohib', 'host-prohib', 'admin-prohib', 'tcp-rst'],
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
      name: 'reject-with', arity: 1, negatable: false, value: 'enum', values: ['icmp6-no-route', 'icmp6-adm-prohibited', 'icmp6-not-neighbor', 'icmp6-addr-unreachable', 'icmp6-port-unreachable', 'icmp6-policy-fail', 'icmp6-reject-route', 'tcp-reset', 'no-route', 'adm-prohibited', 'not-neighbor', 'addr-unreach', 'port-unreach', 'policy-fail', 'reject-route'],
      doc: 'The type given can be icmp6-no-route, no-route, icmp6-adm-prohibited, adm-prohibited, icmp6-addr-unreachable, addr-unreach, or icmp6-port-unreachable, which return the appropriate ICMPv6 error message (icmp6-port-unreachable is the default)',
    },
  ],
};

function applyReject(target: TargetUse, ctx: EvalContext): TargetEffect {
  const withOption = target.options.find((o) => o.name === 'reject-with')?.args[0]?.text;
  const reply = withOption ?? (ctx.packet.family === 'ipv4' ? 'icmp-port-unreachable' : 'icmp6-port-unreachable');
  return { verdict: 'REJECT', description: `rejected with ${reply}` };
}
