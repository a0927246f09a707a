// addr.ts: the address spellings iptables accepts, containment, ranges, canonical output.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalAddress, cidrContains, formatAddress, formatCidr, mapAddress, parseAddress, parseCidr, parseRange, rangeContains,
} from '../../server/src/netfilter/addr';

test('parseAddress / formatAddress round trips to canonical text', () => {
  const cases: Array<[string, string | undefined]> = [
    ['10.0.0.1', '10.0.0.1'],
    ['255.255.255.255', '255.255.255.255'],
    ['256.0.0.1', undefined],
    ['10.0.0', undefined],
    ['01.2.3.4', '1.2.3.4'],
    ['010.0.0.1', '8.0.0.1'], // octal, like iptables (iptables-save prints -s 8.0.0.1/32)
    ['0x0a.0.0.1', '10.0.0.1'],
    ['09.0.0.1', undefined],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'], // longest zero run
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the later, longer run wins
    ['2001:db8:1:2:3:4:5:0', '2001:db8:1:2:3:4:5:0'], // a single zero group is not compressed
    ['::ffff:10.0.0.1', '::ffff:a00:1'],
    ['1::2::3', undefined],
    ['12345::', undefined],
    ['example.com', undefined],
  ];
  const wrong = cases.filter(([text, expected]) => {
    const parsed = parseAddress(text);
    return (parsed ? formatAddress(parsed) : undefined) !== expected;
  });
  assert.deepEqual(wrong, []);
  assert.equal(canonicalAddress('2001:DB8::0:1'), '2001:db8::1');
  assert.equal(canonicalAddress('not-an-address'), 'not-an-address');
});

test('parseCidr accepts prefix lengths, dotted masks and IPv6 masks; the network is masked', () => {
  const cases: Array<[string, string | undefined]> = [
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['10.1.2.3', '10.1.2.3/32'],
    ['192.168.1.0/255.255.255.0', '192.168.1.0/24'],
    ['10.0.0.0/255.0.255.0', '10.0.0.0/255.0.255.0'], // non-contiguous masks are legal in iptables
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['10.0.0.0/33', undefined],
    ['2001:db8::1/64', '2001:db8::/64'],
    ['2001:db8::/ffff:ffff::', '2001:db8::/32'],
    ['::/0', '::/0'],
    ['2001:db8::/129', undefined],
  ];
  const wrong = cases.filter(([text, expected]) => {
    const parsed = parseCidr(text);
    return (parsed ? formatCidr(parsed) : undefined) !== expected;
  });
  assert.deepEqual(wrong, []);
});

test('cidrContains and ranges', () => {
  const cases: Array<[string, string, boolean]> = [
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['0.0.0.0/0', '1.2.3.4', true],
    ['10.0.0.0/255.0.255.0', '10.9.0.9', true],
    ['10.0.0.0/255.0.255.0', '10.9.1.9', false],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['10.0.0.0/8', '2001:db8::1', false], // families never mix
    ['::/0', '10.0.0.1', false],
  ];
  assert.deepEqual(cases.filter(([cidr, address, expected]) => cidrContains(cidr, address) !== expected), []);
  const range = parseRange('192.168.1.10-192.168.1.20')!;
  assert.equal(rangeContains(range, '192.168.1.10'), true);
  assert.equal(rangeContains(range, '192.168.1.20'), true);
  assert.equal(rangeContains(range, '192.168.1.21'), false);
  assert.equal(rangeContains(parseRange('2001:db8::1-2001:db8::ff')!, '2001:db8::80'), true);
  assert.equal(parseRange('10.0.0.1-2001:db8::1'), undefined);
});

test('mapAddress keeps the host part (NETMAP)', () => {
  const net = parseCidr('172.16.0.0/16')!;
  assert.equal(formatAddress(mapAddress(parseAddress('10.0.5.7')!, net.network, net.mask)), '172.16.5.7');
});
