// The packet line's `ipsec` clause (for -m policy): which ways the packet goes through IPsec —
// `none`, `in` (it arrived decapsulated), `out` (its route encapsulates it), `in,out` — written back
// in that order; a packet the node sends cannot have arrived through IPsec.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePacketLine } from '../../server/src/netfilter/trace/packet-line';
import { packetFromRequest } from '../../server/src/netfilter/trace/simulate';

test('ipsec none, in, out, in,out (either order); written back; on the packet', () => {
  const cases: Array<[string, string, { in: boolean; out: boolean }]> = [
    ['none', 'none', { in: false, out: false }],
    ['NONE', 'none', { in: false, out: false }],
    ['in', 'in', { in: true, out: false }],
    ['out', 'out', { in: false, out: true }],
    ['in,out', 'in,out', { in: true, out: true }],
    ['out,in', 'in,out', { in: true, out: true }],
  ];
  for (const [word, normal, ways] of cases) {
    const parsed = parsePacketLine(`10.20.0.7 -> 192.168.10.5:22 in eth0 ipsec ${word}`);
    assert.equal(parsed.request?.ipsec, normal, word);
    assert.equal(parsed.normalized, `10.20.0.7 -> 192.168.10.5:22/tcp in eth0 ipsec ${normal}`);
    assert.deepEqual(packetFromRequest(parsed.request!, 'ipv4').ipsec, ways, word);
  }
  assert.equal(packetFromRequest(parsePacketLine('10.20.0.7 -> 192.168.10.5:22').request!, 'ipv4').ipsec, undefined, 'no clause: unknown');
});

test('a bad ipsec clause is refused, with what it takes', () => {
  for (const bad of ['', 'yes', 'in,in', 'both', 'none,in']) {
    const parsed = parsePacketLine(`10.0.0.1 -> 10.0.0.2:22 ipsec ${bad}`);
    assert.match(parsed.error ?? '(no error)', /'ipsec' needs none, in \(it arrived decapsulated\), out \(its route encapsulates it\) or in,out/, bad);
  }
  const local = parsePacketLine('from local 10.0.0.1 -> 10.0.0.2:22 ipsec in');
  assert.match(local.error ?? '(no error)', /a packet the node sends did not arrive through IPsec/);
  assert.equal(local.errorAt, 'from local 10.0.0.1 -> 10.0.0.2:22 '.length);
  assert.deepEqual(packetFromRequest(parsePacketLine('from local 10.0.0.1 -> 10.0.0.2:22 ipsec out').request!, 'ipv4').ipsec, { in: false, out: true });
});
