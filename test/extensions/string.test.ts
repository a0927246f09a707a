// -m string: the pattern as libxt_string reads it, and the search as the kernel's xt_string runs it
// (skb_find_text over the packet from its IP header, with the bytes a trace knows). The kernel
// itself checks the same cases in test/kernel/dumps/string-payload*.rules.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHexString, formatHexString, kernelUpper, searchPacket, stringSearch } from '../../server/src/netfilter/extensions/matches/string';
import { findMatch } from '../../server/src/netfilter/extensions/registry';
import { headerBytes } from '../../server/src/netfilter/packet-bytes';
import type { Packet } from '../../server/src/netfilter/packet';
import { parsePacketLine } from '../../server/src/netfilter/trace/packet-line';
import { packetFromRequest } from '../../server/src/netfilter/trace/simulate';
import { context, packet, parseFragment } from './fragment';
import { Rng } from '../fuzz/rng';

const bytes = (text: string) => {
  const decoded = decodeHexString(text, 1480);
  if ('error' in decoded) throw new Error(decoded.error);
  return decoded.bytes;
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('--hex-string reads as parse_hex_string does, quirks included', () => {
  const cases: Array<[string, string | { error: string }]> = [
    ['abc', '616263'],
    ['|41 42|c', '414263'],
    ['|  4142|', '4142'], // spaces right after the opening |
    ['|41||42|', '417c3432'], // after a closing | the next character is a byte, the last | opens a block the text ends
    ['a\\|b', '617c62'], // a literal outside a block
    ['|03|www|07|example|03|com|00|', '03777777076578616d706c6503636f6d00'],
    ['|4|', { error: 'Invalid hex block' }],
    ['|4', { error: 'Odd number of hex digits' }],
    ['|zz|', { error: "Invalid hex char 'z'" }],
    ['|41\\42|', { error: 'Cannot include literals in hex data' }],
    ['a\\', { error: 'Bad literal placement at end of string' }],
    ['', { error: 'STRING must contain at least one char' }],
  ];
  for (const [text, expected] of cases) {
    const decoded = decodeHexString(text);
    if (typeof expected === 'string') assert.equal('bytes' in decoded ? hex(decoded.bytes) : decoded.error, expected, text);
    else assert.deepEqual(decoded, expected, text);
  }
  assert.ok('bytes' in decodeHexString('a'.repeat(128)));
  assert.deepEqual(decodeHexString('a'.repeat(129)), { error: `STRING too long "${'a'.repeat(129)}"` });
});

test('formatHexString writes what decodeHexString reads back (500 random byte strings)', () => {
  const rng = new Rng(7);
  for (let n = 0; n < 500; n++) {
    const original = Uint8Array.from({ length: 1 + rng.int(40) }, () => (rng.chance(0.6) ? 0x20 + rng.int(0x5f) : rng.int(256)));
    const text = formatHexString(original);
    assert.equal(hex(bytes(text)), hex(original), text);
  }
  assert.equal(formatHexString(bytes('GET /|0d 0a|')), 'GET /|0d 0a|');
  assert.equal(formatHexString(Uint8Array.from([0x22, 0x7c, 0x5c])), '|22 7c 5c|');
});

test("the kernel's toupper is Latin-1 (lib/ctype.c): ß 0xdf becomes 0xbf, ÷ 0xf7 and × 0xd7 stay", () => {
  assert.equal(kernelUpper(0x61), 0x41);
  assert.equal(kernelUpper(0x41), 0x41);
  assert.equal(kernelUpper(0xe9), 0xc9);
  assert.equal(kernelUpper(0xdf), 0xbf);
  assert.equal(kernelUpper(0xff), 0xdf);
  assert.equal(kernelUpper(0xf7), 0xf7);
  assert.equal(kernelUpper(0xd7), 0xd7);
  assert.equal(kernelUpper(0x7b), 0x7b);
});

/** A UDP datagram 192.168.1.10:40000 → 10.0.0.1:53 that ends with `payload` (offset 28). */
function udp(payload: string, overrides: Partial<Packet> = {}): Partial<Packet> {
  const data = bytes(payload);
  return { proto: 17, dport: 53, tcpFlags: undefined, payload: data, length: 28 + data.length, ...overrides };
}

function outcome(fragment: string, overrides: Partial<Packet>): unknown {
  const { matches } = parseFragment(fragment);
  const spec = findMatch('string', 'ipv4')!;
  const result = spec.evaluate!(matches[0], context(packet(overrides)));
  return typeof result === 'boolean' ? result : 'undecided';
}

test('a search over the whole packet from the IP header, within --from and --to', () => {
  const cases: Array<[string, Partial<Packet>, boolean | 'undecided']> = [
    ['-m string --string world --algo bm', udp('hello world'), true],
    ['-m string --string world --algo kmp', udp('hello world'), true],
    ['-m string --string World --algo bm', udp('hello world'), false],
    ['-m string --string WORLD --algo bm --icase', udp('hello world'), true],
    ['-m string ! --string world --algo bm', udp('hello world'), false],
    ['-m string ! --string planet --algo bm', udp('hello world'), true],
    // "world" is at 34–38: the whole pattern must end before --to
    ['-m string --string world --algo bm --to 39', udp('hello world'), true],
    ['-m string --string world --algo bm --to 38', udp('hello world'), false],
    ['-m string --string hello --algo bm --from 28', udp('hello world'), true],
    ['-m string --string hello --algo bm --from 29', udp('hello world'), false],
    // headers are searched too: the destination 10.0.0.1 at 16–19
    ['-m string --hex-string |0a000001| --algo bm', udp('hello world'), true],
    ['-m string --hex-string |0a000001| --algo bm --from 17', udp('hello world'), false],
    // two bytes fit in the IP identification, which a trace does not know
    ['-m string --string zz --algo bm', udp('hello world'), 'undecided'],
    ['-m string --string zz --algo bm --from 20', udp('hello world'), 'undecided'], // the UDP checksum
    ['-m string --string zz --algo bm --from 28', udp('hello world'), false],
    ['-m string --hex-string |bf| --algo bm --from 28 --icase', udp('|df|'), true],
    ['-m string --hex-string |d7| --algo bm --from 28 --icase', udp('|f7|'), false],
    // no payload given: it could be anywhere in the 20 unknown bytes after the TCP header
    ['-m string --string world --algo bm', {}, 'undecided'],
    ['-m string --string world --algo bm --to 40', {}, 'undecided'], // five bytes fit in the sequence and acknowledgment numbers
    ['-m string --string "hello world" --algo bm --to 40', {}, false], // eleven do not fit in any run of unknown header bytes
    // a pattern longer than what is left of the packet
    ['-m string --string world --algo bm', udp('hell'), false],
    // TCP with a payload: the data offset is known, options and sequence numbers are not
    ['-m string --string "GET /" --algo bm', { payload: bytes('GET /'), length: 45 }, true],
    ['-m string --string zzzzzzzzz --algo bm', { payload: bytes('GET /'), length: 45 }, false],
    ['-m string --string zzzzzz --algo bm', { payload: bytes('GET /'), length: 45 }, 'undecided'], // window, checksum, urgent pointer
    ['-m string --string zzzzzzzzz --algo bm', { payload: bytes('GET /'), length: 57 }, 'undecided'], // 12 bytes of options
  ];
  for (const [fragment, overrides, expected] of cases) assert.equal(outcome(fragment, overrides), expected, `${fragment} on ${JSON.stringify({ ...overrides, payload: overrides.payload && hex(overrides.payload) })}`);
});

test('the search names the bytes it could not read', () => {
  const search = stringSearch(parseFragment('-m string --string zz --algo bm').matches[0])!;
  const result = searchPacket(search, headerBytes(packet(udp('hello'))));
  assert.equal(result.result, 'unknown');
  assert.deepEqual(result.result === 'unknown' && result.fields, ['IPv4 identification', 'IPv4 header checksum', 'UDP checksum']);
  assert.equal(result.result === 'unknown' && result.volatile, true);
});

test('a packet line gives the payload; the packet ends with it', () => {
  const line = parsePacketLine('10.0.0.1 -> 10.0.0.2:53/udp payload "|03|www|07|example|03|com|00|"');
  assert.equal(line.normalized, '10.0.0.1 -> 10.0.0.2:53/udp payload "|03|www|07|example|03|com|00|"');
  const udpPacket = packetFromRequest(line.request!, 'ipv4');
  assert.equal(udpPacket.length, 20 + 8 + 17);
  const tcpPacket = packetFromRequest(parsePacketLine('10.0.0.1 -> 10.0.0.2:80 payload "GET / HTTP/1.1|0d 0a|"').request!, 'ipv4');
  assert.equal(tcpPacket.length, 20 + 20 + 16);
  assert.equal(headerBytes(tcpPacket).value[32] >> 4, 5, 'TCP data offset 5: no options');
  const withOptions = packetFromRequest(parsePacketLine('10.0.0.1 -> 10.0.0.2:80 len 68 payload "GET / HTTP/1.1|0d 0a|"').request!, 'ipv4');
  assert.equal(headerBytes(withOptions).value[32] >> 4, 8, 'len 68 leaves 32 bytes of TCP header');
  assert.equal(parsePacketLine('[2001:db8::1] -> [2001:db8::2]:53/udp payload x').request!.payload, 'x');
  assert.equal(parsePacketLine('10.0.0.1 -> 10.0.0.2:80/tcp payload "a\\"b c" in eth1').request!.payload, 'a"b c');
  assert.equal(parsePacketLine('10.0.0.1 -> 10.0.0.2:80/tcp payload ""').request!.payload, '');
  const errors: Array<[string, RegExp]> = [
    ['10.0.0.1 -> 10.0.0.2:80 payload', /'payload' needs the bytes/],
    ['10.0.0.1 -> 10.0.0.2:80 payload "abc', /quote is not closed/],
    ['10.0.0.1 -> 10.0.0.2:80 payload "|4|"', /payload: Invalid hex block/],
    ['10.0.0.1 -> 10.0.0.2:80 payload a payload b', /given twice/],
    ['10.0.0.1 -> 10.0.0.2:53/udp payload x len 30', /len 30 does not fit .* len 29/],
    ['10.0.0.1 -> 10.0.0.2:80 payload x len 62', /leaves 41 bytes for the TCP header .* len 41–81/],
    [`10.0.0.1 -> 10.0.0.2:53/udp payload ${'x'.repeat(1481)}`, /at most 1480 bytes/],
  ];
  for (const [text, message] of errors) assert.match(parsePacketLine(text).error ?? '(no error)', message, text);
});
