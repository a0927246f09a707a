// Hover cases: test/ide/hover/*.txt (see cases.ts for the format).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { hover, hoverNeeds } from '../../server/src/netfilter/ide/hover';
import { caseFiles, checkCase, loadCase } from './cases';

for (const file of caseFiles(join(__dirname, 'hover'))) {
  test(`hover ${file.slice(file.lastIndexOf('/') + 1)}`, () => {
    const c = loadCase(file);
    const result = hover(c.doc, c.offset);
    checkCase(c, result ? result.markdown : '(no hover)');
  });
}

// The language server builds the indexes hoverNeeds() names in slices before it calls hover():
// an index hover() reads without having been named would be built at once, inside the request.
test('hoverNeeds names every index a hover reads (all hover cases, on documents whose other indexes refuse to be read)', () => {
  const seen = { marks: 0, addresses: 0 };
  for (const file of caseFiles(join(__dirname, 'hover'))) {
    const c = loadCase(file);
    const needs = hoverNeeds(c.doc, c.offset);
    const expected = hover(loadCase(file).doc, c.offset);
    for (const index of ['marks', 'addresses'] as const) {
      if (needs[index]) {
        seen[index]++;
        continue;
      }
      Object.defineProperty(c.doc, index, { get: () => assert.fail(`${file}: hover read the ${index} index, hoverNeeds did not name it`) });
    }
    assert.deepEqual(hover(c.doc, c.offset), expected, file);
  }
  // (the cases include both kinds, so the check above is not vacuous)
  assert.ok(seen.marks > 0 && seen.addresses > 0, `cases needing marks: ${seen.marks}, addresses: ${seen.addresses}`);
});
