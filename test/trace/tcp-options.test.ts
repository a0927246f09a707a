// TCP options on a traced packet (tcp-options.ts and the packet line's `options` clause): laid out as
// a sender writes them, walked as xt_tcp and xt_tcpmss walk them, rewritten as xt_TCPMSS rewrites them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyTcpmss, formatTcpOptions, hasTcpOption, parseTcpOptionList, tcpMss, type TcpOptions } from '../../server/src/netfilter/tcp-options';
import { parsePacketLine } from '../../server/src/netfilter/trace/packet-line';
import { packetFromRequest } from '../../server/src/netfilter/trace/simulate';
import { headerBytes } from '../../server/src/netfilter/packet-bytes';

function options(text: string): TcpOptions {
  const parsed = parseTcpOptionList(text, 'ipv4');
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.options;
}
const hex = (o: TcpOptions) => Array.from(o.bytes, (b, i) => (o.known[i] ? b.toString(16).padStart(2, '0') : '??')).join(' ');

test('options are laid out as Linux writes a SYN: 20 bytes, timestamps unknown; padded with EOL', () => {
  assert.equal(hex(options('linux')), '02 04 05 b4 04 02 08 0a ?? ?? ?? ?? ?? ?? ?? ?? 01 03 03 07');
  assert.equal(hex(options('mss=536')), '02 04 02 18');
  assert.equal(hex(options('nop,wscale=9')), '01 03 03 09');
  assert.equal(hex(options('sack-perm')), '04 02 00 00');
  assert.equal(hex(options('none')), '');
  assert.equal(formatTcpOptions(options('linux')), 'mss=1460,sack-perm,ts,nop,wscale=7');
  assert.equal(formatTcpOptions(options('sack-perm')), 'sack-perm');
  for (const [bad, message] of [['mss', /'mss' needs a value/], ['mss=70000', /'mss' needs a value/], ['ts=5', /'ts' takes no value/], ['sack', /'sack' is not a TCP option/], ['ts,ts,ts,ts,ts', /take 52 bytes; a TCP header has room for 40/]] as const) {
    const parsed = parseTcpOptionList(bad, 'ipv4');
    assert.ok('error' in parsed && message.test(parsed.error), `${bad}: ${JSON.stringify(parsed)}`);
  }
});

test('--tcp-option walks kinds by their lengths (EOL and NOP one byte); tcpmss takes the first MSS', () => {
  const linux = options('linux');
  for (const kind of [1, 2, 3, 4, 8]) assert.equal(hasTcpOption(linux, kind), true, `kind ${kind}`);
  for (const kind of [0, 5, 30]) assert.equal(hasTcpOption(linux, kind), false, `kind ${kind}`);
  assert.equal(hasTcpOption(options('sack-perm'), 0), true, 'the EOL padding is walked too');
  assert.equal(hasTcpOption(options('none'), 2), false);
  assert.equal(tcpMss(linux), 1460);
  assert.equal(tcpMss(options('nop,wscale=7')), 'absent');
  assert.equal(tcpMss(options('none')), 'absent');
  assert.equal(tcpMss(options('ts,mss=1300,mss=1200')), 1300);
});

test('TCPMSS lowers a larger MSS, never raises it, adds one where there is none (capped), or cannot know', () => {
  const lowered = applyTcpmss(options('linux'), 1400, 'ipv4', false);
  assert.deepEqual(lowered.change, { kind: 'lowered', from: 1460, to: 1400 });
  assert.equal(tcpMss(lowered.options), 1400);
  assert.equal(applyTcpmss(options('linux'), 1500, 'ipv4', false).change.kind, 'unchanged');
  const added = applyTcpmss(options('nop,wscale=7'), 1400, 'ipv4', false);
  assert.deepEqual(added.change, { kind: 'added', to: 536 });
  assert.equal(hex(added.options), '02 04 02 18 01 03 03 07');
  assert.deepEqual(applyTcpmss(options('nop,wscale=7'), 1400, 'ipv6', false).change, { kind: 'added', to: 1220 });
  assert.equal(applyTcpmss(options('nop,wscale=7'), 1400, 'ipv4', true).change.kind, 'unchanged', 'data after the header: none added');
  assert.equal(applyTcpmss(options('ts,ts,ts,ts'), 1400, 'ipv4', false).change.kind, 'unchanged', 'a full header: none added');
  const clamped = applyTcpmss(options('linux'), undefined, 'ipv4', false);
  assert.deepEqual(clamped.change, { kind: 'lowered', from: 1460, to: undefined });
  assert.equal(tcpMss(clamped.options), undefined, 'clamped to an unknown path MTU: the MSS is unknown');
});

test("the packet line's options clause: normal form, the header's length, the bytes a u32 or string reads", () => {
  const parsed = parsePacketLine('192.168.50.9 -> 10.0.0.1:22 options linux');
  assert.equal(parsed.normalized, '192.168.50.9 -> 10.0.0.1:22/tcp options linux');
  const packet = packetFromRequest(parsed.request!, 'ipv4');
  assert.equal(packet.length, 60);
  const bytes = headerBytes(packet);
  assert.equal(bytes.value[32] >> 4, 10, 'data offset: 10 words');
  assert.deepEqual(Array.from(bytes.value.subarray(40, 44)), [2, 4, 5, 0xb4]);
  assert.equal(bytes.known[48], 0, 'a timestamp byte is unknown');
  assert.equal(packetFromRequest(parsePacketLine('[2001:db8::1] -> [2001:db8::2]:22 options linux').request!, 'ipv6').tcpOptions!.bytes[3], 0xa0, 'IPv6: MSS 1440');
  assert.equal(packetFromRequest(parsePacketLine('10.0.0.2 -> 10.0.0.1:22 options mss=1400 payload "x"').request!, 'ipv4').length, 20 + 24 + 1);
  assert.match(parsePacketLine('10.0.0.2 -> 10.0.0.1:53/udp options linux').error ?? '', /'options' are TCP options: the packet is not TCP/);
  assert.match(parsePacketLine('10.0.0.2 -> 10.0.0.1:22 options linux len 50').error ?? '', /len 50 is shorter than the headers with these options: at least 60/);
  assert.match(parsePacketLine('10.0.0.2 -> 10.0.0.1:22 options none len 45 payload "x"').error ?? '', /len 45 does not fit the headers \(40 bytes with these options\) and the 1-byte payload: len 41/);
  assert.match(parsePacketLine('10.0.0.2 -> 10.0.0.1:22 options').error ?? '', /'options' needs the TCP options/);
});

test("the packet line's mtu clause: the path MTU TCPMSS --clamp-mss-to-pmtu reads", () => {
  const parsed = parsePacketLine('192.168.1.50 -> 10.8.0.2:443 in eth1 out wg0 options linux mtu 1420');
  assert.equal(parsed.normalized, '192.168.1.50 -> 10.8.0.2:443/tcp in eth1 out wg0 options linux mtu 1420');
  assert.equal(packetFromRequest(parsed.request!, 'ipv4').pathMtu, 1420);
  assert.match(parsePacketLine('10.0.0.2 -> 10.0.0.1:22 mtu 40').error ?? '', /'mtu' needs the path MTU, 68–65535/);
  assert.match(parsePacketLine('[2001:db8::1] -> [2001:db8::2]:22 mtu 1000').error ?? '', /'mtu' needs the path MTU, 1280–65535/);
});
