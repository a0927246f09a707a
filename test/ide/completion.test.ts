// Completion cases: test/ide/completion/*.txt. The output lists `label (kind)` one per line.
import { test } from 'node:test';
import { join } from 'node:path';
import { complete } from '../../server/src/netfilter/ide/completion';
import { caseFiles, checkCase, loadCase } from './cases';

for (const file of caseFiles(join(__dirname, 'completion'))) {
  test(`completion ${file.slice(file.lastIndexOf('/') + 1)}`, () => {
    const c = loadCase(file);
    const entries = complete(c.doc, c.offset);
    const replaced = entries[0] ? c.doc.text.slice(entries[0].replace.start, entries[0].replace.end) : '';
    const lines = entries.map((e) => `${e.label} (${e.kind})${e.documentation ? '' : ' [no doc]'}`);
    checkCase(c, [`replaces: '${replaced}'`, ...lines].join('\n') || '(none)');
  });
}
