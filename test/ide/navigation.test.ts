// Navigation cases: test/ide/navigation/*.txt. The output lists definition, references,
// highlights, prepareRename and a rename (to the `rename:` header value, default RENAMED).
import { test } from 'node:test';
import { join } from 'node:path';
import { findDefinition, findHighlights, findReferences, prepareRename, rename } from '../../server/src/netfilter/ide/navigation';
import { caseFiles, checkCase, describeSpan, loadCase, type IdeCase } from './cases';

function render(c: IdeCase, newName: string): string {
  const { doc, offset } = c;
  const out: string[] = [];
  out.push('definition:', ...findDefinition(doc, offset).map((s) => '  ' + describeSpan(doc, s)));
  out.push('references:', ...findReferences(doc, offset).map((s) => '  ' + describeSpan(doc, s)));
  out.push('highlights:', ...findHighlights(doc, offset).map((h) => `  ${h.kind} ${describeSpan(doc, h.span)}`));
  const prepared = prepareRename(doc, offset);
  out.push('prepareRename: ' + ('error' in prepared ? `error: ${prepared.error}` : describeSpan(doc, prepared.span)));
  const renamed = rename(doc, offset, newName);
  out.push(`rename ${newName}: ` + ('error' in renamed ? `error: ${renamed.error}` : `${renamed.edits.length} edits`));
  if (!('error' in renamed)) out.push(...renamed.edits.map((e) => '  ' + describeSpan(doc, e.span)));
  return out.join('\n');
}

for (const file of caseFiles(join(__dirname, 'navigation'))) {
  test(`navigation ${file.slice(file.lastIndexOf('/') + 1)}`, () => {
    const c = loadCase(file);
    checkCase(c, render(c, c.header.rename ?? 'RENAMED'));
  });
}
