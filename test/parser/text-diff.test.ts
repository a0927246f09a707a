// changedRegion: the one region where two versions of a text differ (prefix/suffix, chunked).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedRegion } from '../../server/src/netfilter/text-diff';

function region(before: string, after: string) {
  const found = changedRegion(before, after);
  if (!found) return undefined;
  // The region really is the difference: the rest of both texts is the same.
  assert.equal(before.slice(0, found.start) + after.slice(found.start, found.newEnd) + before.slice(found.oldEnd), after);
  return found;
}

test('changedRegion finds replacements, insertions and deletions anywhere, on short and long texts', () => {
  assert.equal(changedRegion('same', 'same'), undefined);
  assert.deepEqual(region('abc', 'axc'), { start: 1, oldEnd: 2, newEnd: 2 });
  assert.deepEqual(region('abc', 'abxc'), { start: 2, oldEnd: 2, newEnd: 3 });
  assert.deepEqual(region('abc', 'ac'), { start: 1, oldEnd: 2, newEnd: 1 });
  assert.deepEqual(region('abc', 'xabc'), { start: 0, oldEnd: 0, newEnd: 1 });
  assert.deepEqual(region('abc', 'abcx'), { start: 3, oldEnd: 3, newEnd: 4 });
  // Repeated text: prefix and suffix must not overlap.
  assert.deepEqual(region('aaaa', 'aaaaa'), { start: 4, oldEnd: 4, newEnd: 5 });
  assert.deepEqual(region('aaaaa', 'aaa'), { start: 3, oldEnd: 5, newEnd: 3 });
  // Long texts (the chunked comparison), edits near chunk boundaries.
  const long = Array.from({ length: 3000 }, (_, i) => `-A KUBE-SERVICES -d 10.96.${i >> 8}.${i & 255}/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-${i}\n`).join('');
  for (const at of [0, 1, 4095, 4096, 4097, 8192, long.length >> 1, long.length - 4097, long.length - 1]) {
    region(long, long.slice(0, at) + 'Z' + long.slice(at + 1));
    region(long, long.slice(0, at) + 'ZZ' + long.slice(at));
    region(long, long.slice(0, at) + long.slice(at + 3));
  }
});
