// normalizeAddress() has a no-regex path for plain IPv4 addresses (the address index normalizes
// 200k of them at 10k services): it must give what the general rules give, for any string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeAddress } from '../../server/src/netfilter/ide/addresses';

/** The general rules: trim, unwrap `[v6]:port`, drop an IPv4 `:port`, drop a host prefix, lower case. */
function reference(text: string): string {
  let t = text.trim();
  const bracket = /^\[([^\]]+)\](?::\d+(?:-\d+)?)?$/.exec(t);
  if (bracket) t = bracket[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d/.test(t)) t = t.slice(0, t.indexOf(':'));
  return t.replace(/\/(32|128)$/, '').toLowerCase();
}

test('normalizeAddress equals the general rules on written addresses and on any short string', () => {
  for (const written of ['10.0.0.1', '10.0.0.1/32', '10.244.0.0/16', '1.2.3.4/128', '1.2.3.4/032', '10.0.0.1:80', '[fd00::1]:80', 'FD00::1/128', ' 10.0.0.1 ', '', '/32', '1.2.3.4/', '10.0.0.1/32/32']) {
    assert.equal(normalizeAddress(written), reference(written), JSON.stringify(written));
  }
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...'0123456789./:[]abF '.split('')), { maxLength: 20 }).map((chars) => chars.join('')), (text) => normalizeAddress(text) === reference(text)),
    { seed: 7, numRuns: 5000 },
  );
});
