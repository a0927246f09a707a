// --connbytes FROM[:TO] (and every other FROM[:TO] option) as iptables-nft-restore 1.8.9 reads it (messages probed; the same values go
// through restore in test/parser/restore-agreement.test.ts). What the trace decides from the
// counters: test/extensions/matches.test.ts (table `connbytes`) and test/kernel/dumps/connbytes.rules.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readConnbytesRange } from '../../server/src/netfilter/extensions/matches/connbytes';
import { findMatch, findTarget } from '../../server/src/netfilter/extensions/registry';
import { findOption } from '../../server/src/netfilter/extensions/types';

test('readConnbytesRange: the range, or what restore says', () => {
  const MAX = 18446744073709551615n;
  const cases: Array<[string, { from: bigint; to: bigint } | { error: string }]> = [
    ['10:', { from: 10n, to: MAX }],
    [':10', { from: 0n, to: 10n }],
    [':', { from: 0n, to: MAX }],
    ['0x10', { from: 16n, to: MAX }],
    ['010', { from: 8n, to: MAX }],
    [' 5', { from: 5n, to: MAX }],
    ['18446744073709551615', { from: MAX, to: MAX }],
    ['10:5', { error: '10 should be less than 5' }],
    ['18446744073709551616', { error: 'connbytes: bad value for option "--connbytes" near "18446744073709551616", or out of range (0-18446744073709551615).' }],
    ['-1', { error: 'connbytes: bad value for option "--connbytes" near "-1", or out of range (0-18446744073709551615).' }],
    ['5:abc', { error: 'connbytes: bad value for option "--connbytes" near "abc", or out of range (0-18446744073709551615).' }],
    ['5:6:7', { error: 'connbytes: Too many components for option "--connbytes" (max: 2)' }],
    ['5-6', { error: 'connbytes: Argument to "--connbytes" has unexpected characters near "-6".' }],
    ['0x', { error: 'connbytes: Argument to "--connbytes" has unexpected characters near "x".' }],
    ['08', { error: 'connbytes: Argument to "--connbytes" has unexpected characters near "8".' }],
  ];
  assert.deepEqual(cases.map(([text]) => [text, readConnbytesRange(text)]), cases);
});

test('every FROM[:TO] option reads its value as libxtables does; tcpmss and NFQUEUE refuse FROM > TO, length keeps it', () => {
  const problem = (fragment: string, option: string, value: string) => {
    const spec = fragment === 'NFQUEUE' ? findTarget('NFQUEUE') : findMatch(fragment);
    return findOption(spec!.options, option)!.check!(value, 'ipv4', 0)?.message ?? 'ok';
  };
  assert.equal(problem('length', 'length', '10:5'), 'ok');
  assert.equal(problem('length', 'length', '65536'), 'length: bad value for option "--length" near "65536", or out of range (0-65535).');
  assert.equal(problem('tcpmss', 'mss', '10:5'), 'tcpmss: invalid range given');
  assert.equal(problem('NFQUEUE', 'queue-balance', '10:5'), '10 should be less than 5');
  assert.equal(problem('esp', 'espspi', '4294967295:'), 'ok');
  assert.equal(problem('esp', 'espspi', '4294967296'), 'esp: bad value for option "--espspi" near "4294967296", or out of range (0-4294967295).');
  assert.equal(problem('conntrack', 'ctexpire', '5-6'), 'conntrack: Argument to "--ctexpire" has unexpected characters near "-6".');
});
