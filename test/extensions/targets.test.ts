// apply() of the targets, as a table: rule fragment, packet overrides, hook, expected verdict,
// expected rewrite (fields changed) and a piece of the description.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allTargets, findTarget } from '../../server/src/netfilter/extensions/registry';
import type { NodeContext, Packet } from '../../server/src/netfilter/packet';
import { context, node, packet, parseFragment } from './fragment';
import { parseTcpOptionList } from '../../server/src/netfilter/tcp-options';

const tcpOptionsOf = (text: string) => {
  const parsed = parseTcpOptionList(text, 'ipv4');
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.options;
};

interface Case {
  rule: string;
  packet?: Partial<Packet>;
  hook?: 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
  node?: Partial<NodeContext>;
  verdict: string;
  rewrite?: Record<string, unknown>;
  description?: string;
  /** packet fields to check after apply */
  after?: Partial<Packet>;
}

const CASES: Case[] = [
  { rule: '-j ACCEPT', verdict: 'ACCEPT' },
  { rule: '-j DROP', verdict: 'DROP' },
  { rule: '-j RETURN', verdict: 'RETURN' },
  { rule: '-j REJECT --reject-with tcp-reset', verdict: 'REJECT', description: 'tcp-reset' },
  { rule: '-j REJECT', verdict: 'REJECT', description: 'icmp-port-unreachable' },
  // (libipt_REJECT reads the start of a type or its alias, first in its table: `tcp` is tcp-reset, `p` proto-unreach)
  { rule: '-j REJECT --reject-with tcp', verdict: 'REJECT', description: 'rejected with tcp-reset (written "tcp")' },
  { rule: '-j REJECT --reject-with p', verdict: 'REJECT', description: 'rejected with icmp-proto-unreachable (written "p")' },
  { rule: '-j REJECT --reject-with HOST-PROHIB', verdict: 'REJECT', description: 'rejected with icmp-host-prohibited (written "HOST-PROHIB")' },
  // MARK: mark = (mark & ~mask) ^ value; --set-mark v/m clears m|v then ORs v
  { rule: '-j MARK --set-xmark 0x4000/0x4000', verdict: 'CONTINUE', rewrite: { mark: 0x4000 }, description: 'mark 0x0 → 0x4000 (set bit 14)' },
  { rule: '-j MARK --set-xmark 0x4000/0x0', packet: { mark: 0x4000 }, verdict: 'CONTINUE', rewrite: { mark: 0 }, description: 'clear bit 14' },
  { rule: '-j MARK --set-xmark 0x1/0xffffffff', packet: { mark: 0xff00 }, verdict: 'CONTINUE', rewrite: { mark: 1 } },
  { rule: '-j MARK --set-mark 0x1/0x3', packet: { mark: 0xf2 }, verdict: 'CONTINUE', rewrite: { mark: 0xf1 } },
  { rule: '-j MARK --set-mark 0x5', packet: { mark: 0xf2 }, verdict: 'CONTINUE', rewrite: { mark: 5 } },
  { rule: '-j MARK --and-mark 0xff', packet: { mark: 0x1234 }, verdict: 'CONTINUE', rewrite: { mark: 0x34 } },
  { rule: '-j MARK --or-mark 0x8000', packet: { mark: 0x1 }, verdict: 'CONTINUE', rewrite: { mark: 0x8001 } },
  { rule: '-j MARK --xor-mark 0x3', packet: { mark: 0x1 }, verdict: 'CONTINUE', rewrite: { mark: 0x2 } },
  // CONNMARK
  { rule: '-j CONNMARK --set-xmark 0x1/0x1', verdict: 'CONTINUE', rewrite: { ctmark: 1 } },
  { rule: '-j CONNMARK --save-mark', packet: { mark: 0x42 }, verdict: 'CONTINUE', rewrite: { ctmark: 0x42 } },
  { rule: '-j CONNMARK --save-mark --nfmask 0xf --ctmask 0xf', packet: { mark: 0x42, ctmark: 0x100 }, verdict: 'CONTINUE', rewrite: { ctmark: 0x102 } },
  { rule: '-j CONNMARK --restore-mark', packet: { ctmark: 0x7 }, verdict: 'CONTINUE', rewrite: { mark: 0x7 } },
  { rule: '-j CONNMARK --restore-mark --mask 0x1', packet: { mark: 0x10, ctmark: 0x3 }, verdict: 'CONTINUE', rewrite: { mark: 0x11 } },
  { rule: '-j CONNMARK --set-mark 0x1', packet: { ctstate: 'UNTRACKED' }, verdict: 'CONTINUE', description: 'no conntrack entry' },
  // NAT: the nat table stops at the first NAT verdict
  { rule: '-j DNAT --to-destination 10.244.2.2:80', packet: { dst: '172.20.0.3', dport: 30080 }, hook: 'PREROUTING', verdict: 'ACCEPT', rewrite: { dst: '10.244.2.2', dport: 80 }, description: 'DNAT 172.20.0.3:30080 → 10.244.2.2:80', after: { ctstatus: ['DNAT'] } },
  { rule: '-j DNAT --to-destination 10.0.0.5-10.0.0.9', hook: 'PREROUTING', verdict: 'ACCEPT', rewrite: { dst: '10.0.0.5' }, description: 'range: addresses 10.0.0.5-10.0.0.9, picked by a hash' },
  // From a range the kernel picks by a hash of the addresses (picks seen in the kernel: test/kernel/dumps/nat-range*.rules),
  // the packet's own destination included: picking another one sets the DNAT status.
  { rule: '-j DNAT --to-destination 10.1.2.3-10.1.2.10', packet: { src: '192.168.50.9', dst: '10.1.2.3', dport: 80 }, hook: 'PREROUTING', verdict: 'ACCEPT', rewrite: { dst: '10.1.2.10' }, after: { ctstatus: ['DNAT'] } },
  { rule: '-j DNAT --to-destination 10.1.2.3-10.1.2.10', packet: { src: '192.168.50.9', dst: '10.1.2.200', dport: 80 }, hook: 'PREROUTING', verdict: 'ACCEPT', rewrite: { dst: '10.1.2.9' } },
  { rule: '-j DNAT --to-destination 10.1.2.3-10.1.2.10:50-60', packet: { src: '192.168.50.9', dst: '10.1.2.7', dport: 53 }, hook: 'PREROUTING', verdict: 'ACCEPT', rewrite: { dst: '10.1.2.10' }, description: 'a port in the range kept' },
  { rule: '-j DNAT --to-destination 10.1.2.3-10.1.2.10:50-60', packet: { src: '192.168.50.9', dst: '10.1.2.7', dport: 80 }, hook: 'PREROUTING', verdict: 'ACCEPT', rewrite: { dst: '10.1.2.10', dport: 50 } },
  { rule: '-j DNAT --to-destination 2001:db8:100::5-2001:db8:100::c', packet: { family: 'ipv6', src: '2001:db8:2::9', dst: '2001:db8:100::5', dport: 80 }, hook: 'PREROUTING', verdict: 'ACCEPT', rewrite: { dst: '2001:db8:100::a' } },
  { rule: '-j DNAT --to-destination [2001:db8::5]:8080', packet: { family: 'ipv6' }, hook: 'PREROUTING', verdict: 'ACCEPT', rewrite: { dst: '2001:db8::5', dport: 8080 } },
  { rule: '-j SNAT --to-source 192.0.2.1', hook: 'POSTROUTING', verdict: 'ACCEPT', rewrite: { src: '192.0.2.1' }, after: { ctstatus: ['SNAT'] } },
  { rule: '-j MASQUERADE --random-fully', packet: { outIface: 'eth1' }, hook: 'POSTROUTING', verdict: 'ACCEPT', rewrite: {}, description: 'MASQUERADE → address of eth1' },
  { rule: '-j MASQUERADE', node: { egressAddress: '172.20.0.3' }, hook: 'POSTROUTING', verdict: 'ACCEPT', rewrite: { src: '172.20.0.3' } },
  { rule: '-j REDIRECT --to-ports 8080', hook: 'PREROUTING', verdict: 'ACCEPT', rewrite: { dst: '10.0.0.1', dport: 8080 } },
  { rule: '-j REDIRECT --to-ports 3128', hook: 'OUTPUT', verdict: 'ACCEPT', rewrite: { dst: '127.0.0.1', dport: 3128 } },
  { rule: '-j NETMAP --to 172.16.0.0/16', packet: { dst: '10.0.5.7' }, hook: 'PREROUTING', verdict: 'ACCEPT', rewrite: { dst: '172.16.5.7' } },
  { rule: '-j NETMAP --to 172.16.0.0/16', hook: 'POSTROUTING', verdict: 'ACCEPT', rewrite: { src: '172.16.1.10' } },
  // conntrack / queue / proxy
  // in raw, before conntrack, a packet has no entry (INVALID to the simulator); one that already has
  // an entry (back in through lo) is left alone
  { rule: '-j NOTRACK', packet: { ctstate: 'INVALID' }, verdict: 'CONTINUE', after: { ctstate: 'UNTRACKED' } },
  { rule: '-j CT --notrack', packet: { ctstate: 'INVALID' }, verdict: 'CONTINUE', after: { ctstate: 'UNTRACKED' } },
  { rule: '-j NOTRACK', packet: { ctstate: 'NEW' }, verdict: 'CONTINUE', after: { ctstate: 'NEW' }, description: 'already has a conntrack entry' },
  { rule: '-j CT --zone 1', packet: { ctstate: 'INVALID' }, verdict: 'CONTINUE', after: { ctstate: 'NEW', ctTemplate: true } },
  { rule: '-j CT --zone 1', packet: { ctstate: 'ESTABLISHED' }, verdict: 'CONTINUE', after: { ctstate: 'ESTABLISHED' } },
  { rule: '-j NFQUEUE --queue-num 3 --queue-bypass', verdict: 'QUEUE', description: 'queue 3' },
  { rule: '-j TPROXY --on-port 3129 --tproxy-mark 0x1/0x1', hook: 'PREROUTING', verdict: 'ACCEPT', rewrite: { mark: 1 } },
  { rule: '-j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460', verdict: 'STOLEN' },
  // header rewrites
  { rule: '-j TTL --ttl-dec 1', verdict: 'CONTINUE', rewrite: { ttl: 63 } },
  { rule: '-j TTL --ttl-set 1', verdict: 'CONTINUE', rewrite: { ttl: 1 } },
  { rule: '-j HL --hl-inc 250', packet: { family: 'ipv6', ttl: 64 }, verdict: 'CONTINUE', rewrite: { ttl: 255 } },
  { rule: '-j DSCP --set-dscp-class EF', verdict: 'CONTINUE', rewrite: { dscp: 46 } },
  { rule: '-j TOS --set-tos 0x10/0x3f', verdict: 'CONTINUE', rewrite: { dscp: 4 } },
  // TOS rewrites the whole byte (ECN bits too), DSCP the top six bits, ECN --ecn-ip-ect the low two
  { rule: '-j TOS --set-tos 0x03/0x03', packet: { dscp: 46 }, verdict: 'CONTINUE', rewrite: { dscp: 46, ecn: 3 }, description: 'TOS 0xb8 → 0xbb' },
  { rule: '-j TOS --and-tos 0xfc', packet: { dscp: 10, ecn: 2 }, verdict: 'CONTINUE', rewrite: { dscp: 10, ecn: 0 } },
  { rule: '-j DSCP --set-dscp 46', packet: { ecn: 3 }, verdict: 'CONTINUE', rewrite: { dscp: 46 }, after: { ecn: 3 } },
  { rule: '-j ECN --ecn-ip-ect 1', packet: { dscp: 46, ecn: 2 }, verdict: 'CONTINUE', rewrite: { ecn: 1 }, description: 'ECN 2 → 1', after: { dscp: 46 } },
  { rule: '-j ECN --ecn-ip-ect 2', packet: { ecn: 2 }, verdict: 'CONTINUE', description: 'nothing to change' },
  { rule: '-j ECN --ecn-tcp-remove', packet: { tcpFlags: ['SYN', 'ECE', 'CWR'] }, verdict: 'CONTINUE', description: 'TCP flags SYN,ECE,CWR → SYN', after: { tcpFlags: ['SYN'] } },
  { rule: '-j ECN --ecn-tcp-cwr 1', packet: { tcpFlags: ['ACK'] }, verdict: 'CONTINUE', after: { tcpFlags: ['ACK', 'CWR'] } },
  { rule: '-j ECN --ecn-tcp-remove', packet: { proto: 17, tcpFlags: undefined }, verdict: 'CONTINUE', description: 'nothing to change' },
  // observers
  { rule: '-j LOG --log-prefix "dropped: "', verdict: 'CONTINUE', description: 'prefix "dropped: "' },
  { rule: '-j NFLOG --nflog-group 5', verdict: 'CONTINUE', description: 'group 5' },
  { rule: '-j TRACE', verdict: 'CONTINUE' },
  { rule: '-j TCPMSS --clamp-mss-to-pmtu', verdict: 'CONTINUE', description: "the packet's TCP options are not given" },
  // TCPMSS on known options (the default packet is a 60-byte SYN; with options none, 40 bytes)
  { rule: '-j TCPMSS --set-mss 1400', packet: { tcpOptions: tcpOptionsOf('linux') }, verdict: 'CONTINUE', description: 'MSS 1460 → 1400' },
  { rule: '-j TCPMSS --set-mss 1500', packet: { tcpOptions: tcpOptionsOf('linux') }, verdict: 'CONTINUE', description: 'unchanged (MSS 1460 is not above 1500' },
  { rule: '-j TCPMSS --clamp-mss-to-pmtu', packet: { tcpOptions: tcpOptionsOf('linux') }, verdict: 'CONTINUE', description: 'MSS 1460 → min(1460, the path MTU − 40 (MTU not known' },
  { rule: '-j TCPMSS --clamp-mss-to-pmtu', packet: { tcpOptions: tcpOptionsOf('linux'), pathMtu: 1420 }, verdict: 'CONTINUE', description: 'TCPMSS --clamp-mss-to-pmtu (path MTU 1420): MSS 1460 → 1380' },
  { rule: '-j TCPMSS --clamp-mss-to-pmtu', packet: { tcpOptions: tcpOptionsOf('linux'), pathMtu: 1500 }, verdict: 'CONTINUE', description: 'unchanged (MSS 1460 is not above 1460' },
  { rule: '-j TCPMSS --set-mss 1400', packet: { tcpOptions: tcpOptionsOf('none'), length: 40 }, verdict: 'CONTINUE', description: 'one added: MSS 536 (the packet grows by 4 bytes)', after: { length: 44 } },
  { rule: '-j TCPMSS --set-mss 1400', packet: { tcpOptions: tcpOptionsOf('none'), length: 50 }, verdict: 'CONTINUE', description: 'data follows the header' },
  { rule: '-j SET --add-set blocked src', verdict: 'CONTINUE' },
];

test('target apply() table', () => {
  const failures: string[] = [];
  for (const c of CASES) {
    const p = packet(c.packet);
    const { target } = parseFragment(c.rule, p.family);
    const spec = findTarget(target!.name, p.family)!;
    const effect = spec.apply!(target!, context(p, node(c.node), c.hook ?? 'INPUT'));
    const problems: string[] = [];
    if (effect.verdict !== c.verdict) problems.push(`verdict ${effect.verdict}`);
    if (c.rewrite && JSON.stringify(effect.rewrite ?? {}) !== JSON.stringify(c.rewrite)) problems.push(`rewrite ${JSON.stringify(effect.rewrite)}`);
    if (c.description && !(effect.description ?? '').includes(c.description)) problems.push(`description "${effect.description}"`);
    for (const [field, value] of Object.entries(c.after ?? {}))
      if (JSON.stringify(p[field as keyof Packet]) !== JSON.stringify(value)) problems.push(`${field} = ${JSON.stringify(p[field as keyof Packet])}`);
    for (const [field, value] of Object.entries(effect.rewrite ?? {}))
      if (p[field as keyof Packet] !== value) problems.push(`rewrite.${field} not applied to the packet`);
    if (problems.length) failures.push(`${c.rule}: ${problems.join('; ')}`);
  }
  assert.deepEqual(failures, []);
});

test('every registered target has apply(); terminating targets never say CONTINUE', () => {
  assert.deepEqual(allTargets().filter((t) => !t.apply).map((t) => t.name), []);
  for (const c of CASES) {
    const p = packet(c.packet);
    const { target } = parseFragment(c.rule, p.family);
    const spec = findTarget(target!.name, p.family)!;
    const effect = spec.apply!(target!, context(p, node(c.node), c.hook ?? 'INPUT'));
    assert.equal(spec.terminating, effect.verdict !== 'CONTINUE', `${spec.name}: terminating=${spec.terminating} but verdict ${effect.verdict}`);
  }
});
