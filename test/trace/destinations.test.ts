// The facts trace/destinations.ts gives routing (each measured in namespaces and held to the kernel
// by test/kernel/dumps/multicast-and-broadcast*.rules): which groups every node has joined, which
// IPv6 packets ipv6_rcv drops before the first hook, node addresses given with their subnet, and the
// frame a packet from another host arrives in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrivingFrameType, destinationKind, droppedOnArrival, firstUnicast, groupAlwaysJoined, readNodeAddresses } from '../../server/src/netfilter/trace/destinations';
import { parsePacketLine } from '../../server/src/netfilter/trace/packet-line';
import { packetFromRequest, tracePacket } from '../../server/src/netfilter/trace/simulate';
import { parseRuleset } from '../../server/src/netfilter/parser';

test('destination kinds: limited broadcast, a subnet broadcast only when given, groups, the rest unicast', () => {
  const cases: Array<[string, readonly string[], string]> = [
    ['255.255.255.255', [], 'broadcast'],
    ['192.168.1.255', [], 'unicast'],
    ['192.168.1.255', ['192.168.1.255'], 'broadcast'],
    ['224.0.0.251', [], 'multicast'],
    ['239.255.255.250', [], 'multicast'],
    ['223.255.255.255', [], 'unicast'],
    ['240.0.0.1', [], 'unicast'],
    ['ff02::fb', [], 'multicast'],
    ['FF0E::1234', [], 'multicast'],
    ['fe80::1', [], 'unicast'],
    ['not-an-address', [], 'unicast'],
  ];
  for (const [address, broadcasts, kind] of cases) assert.equal(destinationKind(address, broadcasts), kind, address);
  assert.equal(arrivingFrameType('224.0.0.251'), 'multicast');
  assert.equal(arrivingFrameType('10.0.0.255', ['10.0.0.255']), 'broadcast');
});

test('groups every node has joined: all hosts, all nodes, all routers (it forwards), its solicited-node groups', () => {
  const node = ['2001:db8:1::10', '172.20.0.3'];
  for (const group of ['224.0.0.1', 'ff02::1', 'ff02::2', 'ff05::2', 'ff02::1:ff00:10', 'FF02:0:0:0:0:1:FF00:0010']) assert.ok(groupAlwaysJoined(group, node), group);
  // (224.0.0.2 is joined only by a multicast router; ff01:: never arrives from another host)
  for (const group of ['224.0.0.2', '224.0.0.251', 'ff02::fb', 'ff02::1:ff00:11', 'ff01::1', '172.20.0.3', '2001:db8:1::10']) assert.ok(!groupAlwaysJoined(group, node), group);
  assert.ok(!groupAlwaysJoined('ff02::1:ff00:10', ['172.20.0.3']), 'a solicited-node group needs the IPv6 address');
});

test('ipv6_rcv drops multicast sources, ::1 and interface-local or reserved-scope groups before PREROUTING', () => {
  const dropped: Array<[string, string]> = [
    ['ff0e::5', '2001:db8::1'],
    ['::1', '2001:db8::1'],
    ['2001:db8::9', '::1'],
    ['2001:db8::9', 'ff01::1'],
    ['2001:db8::9', 'ff00::1'],
    ['2001:db8::9', 'ff11::1'],
  ];
  for (const [src, dst] of dropped) assert.ok(droppedOnArrival(src, dst), `${src} -> ${dst}`);
  const kept: Array<[string, string]> = [
    ['2001:db8::9', 'ff02::1'],
    ['2001:db8::9', 'ff05::2'],
    ['2001:db8::9', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    // (IPv4's refusals are routing's, after PREROUTING: Simulator.martian)
    ['224.0.0.5', '10.0.0.1'],
    ['127.0.0.1', '10.0.0.1'],
  ];
  for (const [src, dst] of kept) assert.equal(droppedOnArrival(src, dst), undefined, `${src} -> ${dst}`);
});

test('node addresses with a prefix: the address, and an IPv4 subnet broadcast up to /30', () => {
  assert.deepEqual(readNodeAddresses(['192.168.1.10/24', '10.0.0.1', '2001:db8::1/64', '172.16.0.5/30', '172.16.1.1/31', '172.16.2.1/32', '224.0.0.251']), {
    addresses: ['192.168.1.10', '10.0.0.1', '2001:db8::1', '172.16.0.5', '172.16.1.1', '172.16.2.1', '224.0.0.251'],
    broadcasts: ['192.168.1.255', '172.16.0.7'],
  });
  // (a mask that is not a prefix has no broadcast route; text that is no address is kept as written)
  assert.deepEqual(readNodeAddresses(['10.1.2.3/255.0.255.0', 'node-a']), { addresses: ['10.1.2.3', 'node-a'], broadcasts: [] });
  assert.equal(firstUnicast(['224.0.0.251', '255.255.255.255', '10.0.0.1']), '10.0.0.1');
  // `from local` takes the first node address that is not a group, without its prefix
  assert.equal(parsePacketLine('from local -> 8.8.8.8:53/udp', ['224.0.0.251', '192.168.1.10/24']).request?.src, '192.168.1.10');
});

test('the packet line: pkttype is written back when it is not what the destination gives; a packet the node sends has none', () => {
  const lines: Array<[string, string]> = [
    ['10.0.0.1 -> 224.0.0.251:5353/udp', '10.0.0.1 -> 224.0.0.251:5353/udp'],
    ['10.0.0.1 -> 224.0.0.251:5353/udp pkttype multicast', '10.0.0.1 -> 224.0.0.251:5353/udp'],
    ['10.0.0.1 -> 224.0.0.251:5353/udp pkttype unicast', '10.0.0.1 -> 224.0.0.251:5353/udp pkttype unicast'],
    ['10.0.0.1 -> 10.0.0.255:137/udp pkttype bcast', '10.0.0.1 -> 10.0.0.255:137/udp pkttype broadcast'],
    ['10.0.0.1 -> 255.255.255.255:67/udp pkttype broadcast', '10.0.0.1 -> 255.255.255.255:67/udp'],
  ];
  for (const [line, normalized] of lines) {
    const parsed = parsePacketLine(line);
    assert.equal(parsed.normalized, normalized, line);
    const frame = (text: string) => packetFromRequest(parsePacketLine(text).request!, 'ipv4').pkttype;
    assert.equal(frame(parsed.normalized!), frame(line), `${line}: the normalized line arrives in the same frame`);
  }
  assert.match(parsePacketLine('from local 10.0.0.1 -> 10.0.0.255:137/udp pkttype broadcast').error ?? '', /a packet the node sends is unicast/);
});

test('a group among the node addresses is never taken as the node address (REDIRECT, MASQUERADE, from local)', () => {
  const ruleset = parseRuleset('*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -j REDIRECT --to-ports 8080\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n');
  const redirected = tracePacket(ruleset, { src: '192.168.1.20', dst: '192.168.1.10', proto: 'tcp', dport: 80, inIface: 'eth0', localAddresses: ['224.0.0.251', '192.168.1.10/24'] });
  assert.equal(redirected.paths[0].packet.dst, '192.168.1.10');
  assert.equal(redirected.paths[0].packet.dport, 8080);
  const masqueraded = tracePacket(ruleset, { src: '10.0.0.9', dst: '8.8.8.8', proto: 'udp', dport: 53, inIface: 'eth1', localAddresses: ['224.0.0.251', '192.168.1.10/24'] });
  assert.equal(masqueraded.paths[0].packet.src, '192.168.1.10');
});
