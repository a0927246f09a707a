// Hover cases: test/ide/hover/*.txt (see cases.ts for the format).
import { test } from 'node:test';
import { join } from 'node:path';
import { hover } from '../../server/src/netfilter/ide/hover';
import { caseFiles, checkCase, loadCase } from './cases';

for (const file of caseFiles(join(__dirname, 'hover'))) {
  test(`hover ${file.slice(file.lastIndexOf('/') + 1)}`, () => {
    const c = loadCase(file);
    const result = hover(c.doc, c.offset);
    checkCase(c, result ? result.markdown : '(no hover)');
  });
}
