// The packet line's `ecn` clause: the ECN field of the TOS / Traffic Class byte, by number or by
// its RFC 3168 name, written back by name; the traced packet shows it when it is not Not-ECT.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePacketLine } from '../../server/src/netfilter/trace/packet-line';
import { packetFromRequest } from '../../server/src/netfilter/trace/simulate';
import { headerBytes } from '../../server/src/netfilter/packet-bytes';

test('ecn by number or name; written back by name; part of the TOS byte', () => {
  const cases: Array<[string, number]> = [['0', 0], ['1', 1], ['2', 2], ['3', 3], ['not-ect', 0], ['ECT1', 1], ['ect0', 2], ['CE', 3]];
  for (const [word, value] of cases) {
    const parsed = parsePacketLine(`10.0.0.1 -> 10.0.0.2:53/udp dscp 10 ecn ${word}`);
    assert.equal(parsed.request?.ecn, value, word);
    assert.equal(parsed.normalized, `10.0.0.1 -> 10.0.0.2:53/udp dscp 10${value ? ` ecn ${['not-ect', 'ect1', 'ect0', 'ce'][value]}` : ''}`);
    const packet = packetFromRequest(parsed.request!, 'ipv4');
    assert.equal(headerBytes(packet).value[1], (10 << 2) | value, `${word}: TOS byte`);
  }
  for (const bad of ['4', 'ect2', '', '-1']) assert.match(parsePacketLine(`10.0.0.1 -> 10.0.0.2:53/udp ecn ${bad}`).error ?? '(no error)', /'ecn' needs 0–3 or not-ect, ect1, ect0, ce/, bad);
  const v6 = packetFromRequest(parsePacketLine('[2001:db8::1] -> [2001:db8::2]:53/udp dscp 34 ecn ce').request!, 'ipv6');
  const bytes = headerBytes(v6);
  assert.equal(((bytes.value[0] & 0x0f) << 4) | (bytes.value[1] >> 4), 0x8b, 'traffic class AF41 | CE');
});
