// The u32 match: its program read as libxt_u32 reads it (messages probed against
// iptables-nft-restore 1.8.9; test/parser/restore-agreement.test.ts replays the same programs
// through restore), explained field by field for hovers, and run on the trace's packet so that a
// path keeps what it assumed about bytes the trace does not model.
// Which tests are decided on which packets: test/extensions/matches.test.ts (table `u32`) and the
// kernel cases on test/kernel/dumps/u32*.rules.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeU32Program, parseU32Program } from '../../server/src/netfilter/extensions/matches/u32';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { tracePacket } from '../../server/src/netfilter/trace/simulate';

test('parseU32Program: what iptables-nft-restore 1.8.9 says of each program', () => {
  const tests = (n: number) => Array(n).fill('1=1').join('&&');
  const cases: Array<[string, string]> = [
    ['6&0xFF=6', 'ok'],
    ['1 = 2 : 3 , 4', 'ok'],
    ['+1=010', 'ok'],
    ['0X10=0x1', 'ok'],
    ['1=2 &&3=4', 'ok'],
    ['0 >> 1=1', 'ok'],
    ['x', 'u32: at char 0: not a number or out of range'],
    ['1=', 'u32: test ended with no value specified'],
    ['=1', 'u32: at char 0: location spec missing'],
    ['1<2=3', "u32: at char 2: a second '<' was expected"],
    ['0> >1=1', "u32: at char 2: a second '>' was expected"],
    ['99999999999=1', 'u32: at char 0: not a number or out of range'],
    ['1=2&3=4', "u32: at char 4: a second '&' was expected"],
    ['1=2&&', 'u32: abrupt end of input after location specifier'],
    ['', 'u32: abrupt end of input after location specifier'],
    ['0x=1', 'u32: at char 1: operator expected'],
    ['08=1', 'u32: at char 1: operator expected'],
    ['-1=1', 'u32: at char 0: not a number or out of range'],
    ['1=2 3', 'u32: at char 4: expected "," or "&&"'],
    ['1 2=3', 'u32: at char 2: operator expected'],
    ['1=0x', 'u32: at char 3: expected "," or "&&"'],
    ['1=09', 'u32: at char 3: expected "," or "&&"'],
    ['1=2:', 'u32: at char 4: not a number or out of range'],
    ['1=:2', 'u32: at char 2: not a number or out of range'],
    ['4294967295=4294967296', 'u32: at char 11: not a number or out of range'],
    ['1@@2=3', 'u32: at char 2: not a number or out of range'],
    ['1=2:3:4', 'u32: at char 5: expected "," or "&&"'],
    ['1=1,2,3,4,5,6,7,8,9,10', 'ok'],
    ['1=1,2,3,4,5,6,7,8,9,10,11', 'u32: at char 25: too many ","s'],
    ['0&1&2&3&4&5&6&7&8&9=1', 'ok'],
    ['0&1&2&3&4&5&6&7&8&9&10=1', 'u32: at char 22: too many operators'],
    [tests(10), 'ok'],
    [tests(11), 'u32: at char 53: too many "&&"s'],
    [tests(12), 'u32: at char 54: too many "&&"s'],
  ];
  const got = cases.map(([program]) => {
    const parsed = parseU32Program(program);
    return [program, 'error' in parsed ? parsed.error : 'ok'];
  });
  assert.deepEqual(got, cases);
  assert.deepEqual(parseU32Program('0>>22&0x3C@12>>26&0x3C@0=0x47455420,1:2'), [
    {
      start: 0,
      steps: [{ operator: '>>', number: 22 }, { operator: '&', number: 0x3c }, { operator: '@', number: 12 }, { operator: '>>', number: 26 }, { operator: '&', number: 0x3c }, { operator: '@', number: 0 }],
      ranges: [{ min: 0x47455420, max: 0x47455420 }, { min: 1, max: 2 }],
    },
  ]);
});

test('describeU32Program names the header fields a test keeps, through the usual idioms', () => {
  assert.deepEqual(describeU32Program('6&0xFF=6&&0>>22&0x3C@0>>16=1024:65535', 'ipv4', 6), [
    'the IPv4 protocol (IPv4 header bytes 6–9 & 0xff) = 6 (0x6)',
    'the TCP source port (bytes 0–3 after the IPv4 header >> 16) in 1024–65535 (0x400–0xffff)',
  ]);
  assert.deepEqual(describeU32Program('0>>22&0x3C@12>>26&0x3C@0=0x47455420', 'ipv4', 6), ['TCP payload bytes 0–3 = 1195725856 (0x47455420, "GET ")']);
  assert.deepEqual(describeU32Program('0>>22&0x3C@4>>16=21', 'ipv4', 17), ['the UDP length (bytes 4–7 after the IPv4 header >> 16) = 21 (0x15)']);
  assert.deepEqual(describeU32Program('4&0x1FFF=0', 'ipv4'), ['the IPv4 flags/fragment offset (IPv4 header bytes 4–7 & 0x1fff) = 0 (0x0)']);
  assert.deepEqual(describeU32Program('6>>24=6', 'ipv6'), ['the IPv6 next header (IPv6 header bytes 6–9 >> 24) = 6 (0x6)']);
  assert.deepEqual(describeU32Program('60=1', 'ipv4'), ['bytes 60–63 from the IPv4 header\'s start = 1 (0x1)']);
  assert.deepEqual(describeU32Program('22&0xFFFF=80', 'ipv4', 6), ['the TCP sequence number (bytes 22–25 from the IPv4 header\'s start & 0xffff) = 80 (0x50)']);
  assert.deepEqual(describeU32Program('38=0x67696533', 'ipv4', 17), ['the UDP payload (bytes 38–41 from the IPv4 header\'s start) = 1734960435 (0x67696533, "gie3")']);
  assert.deepEqual(describeU32Program('1=', 'ipv4'), ['u32: test ended with no value specified']);
});

const DUMP = `*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -m u32 --u32 "4>>16=0x1234" -j MARK --set-xmark 0x1/0x1
-A FORWARD -m u32 --u32 "4>>16=0x1234" -j MARK --set-xmark 0x2/0x2
-A FORWARD -m u32 --u32 "8&0xFFFF=0:0x7FFF" -j MARK --set-xmark 0x4/0x4
-A POSTROUTING -m u32 --u32 "8&0xFFFF=0:0x7FFF" -j MARK --set-xmark 0x8/0x8
-A POSTROUTING -m u32 ! --u32 "4>>16=0x1234" -j MARK --set-xmark 0x10/0x10
COMMIT
`;

test('a path keeps what it assumed about the identification; a checksum read (TTL and NAT change it) forks again', () => {
  const ruleset = parseRuleset(DUMP);
  const result = tracePacket(ruleset, { src: '192.168.50.9', dst: '10.1.2.3', proto: 'tcp', dport: 80, inIface: 'eth0', localAddresses: ['172.20.0.3'] });
  const marks = result.paths.map((path) => Number(path.packet.mark)).sort((a, b) => a - b);
  // Identification: the PREROUTING and FORWARD rules both match (0x3) or the negated one does (0x10).
  // Checksum (bytes 10–11): forked in FORWARD and again in POSTROUTING, after TTL went down by one.
  assert.deepEqual(marks, [0x3, 0x7, 0xb, 0xf, 0x10, 0x14, 0x18, 0x1c]);
  const assumption = result.paths.flatMap((path) => path.assumptions).find((text) => text.includes('4>>16'));
  assert.equal(assumption, 'assumed -m u32 --u32 4>>16=0x1234 matches (it reads the IPv4 identification, which a trace does not model)');
});
