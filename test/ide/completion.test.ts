// Completion cases: test/ide/completion/*.txt. The output lists `label (kind)` one per line.
import { test } from 'node:test';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chainMatchRank, complete, MAX_CHAIN_COMPLETIONS } from '../../server/src/netfilter/ide/completion';
import { IdeDocument } from '../../server/src/netfilter/ide/ide-document';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { caseFiles, checkCase, loadCase } from './cases';

for (const file of caseFiles(join(__dirname, 'completion'))) {
  test(`completion ${file.slice(file.lastIndexOf('/') + 1)}`, () => {
    const c = loadCase(file);
    const { entries } = complete(c.doc, c.offset);
    const replaced = entries[0] ? c.doc.text.slice(entries[0].replace.start, entries[0].replace.end) : '';
    const lines = entries.map((e) => `${e.label} (${e.kind})${e.documentation ? '' : ' [no doc]'}`);
    checkCase(c, [`replaces: '${replaced}'`, ...lines].join('\n') || '(none)');
  });
}

test('a table with thousands of chains offers at most MAX_CHAIN_COMPLETIONS, those that fit the typed word first', () => {
  const names = Array.from({ length: 1000 }, (_, k) => `KUBE-SEP-${String(k).padStart(4, '0')}`).concat(['MY-SEP-0042', 'XS-E-P-0042']);
  const head = ['*nat', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...names.map((n) => `:${n} - [0:0]`)].join('\n') + '\n';
  const at = (typed: string) => {
    const text = `${head}-A OUTPUT -j ${typed}\nCOMMIT\n`;
    const doc = new IdeDocument(parseRuleset(text), 'file:///big.rules');
    return complete(doc, text.indexOf('\nCOMMIT'));
  };
  const chainsOf = (list: ReturnType<typeof complete>) => list.entries.filter((e) => e.kind === 'chain').map((e) => e.label);

  const empty = at('');
  assert.equal(chainsOf(empty).length, MAX_CHAIN_COMPLETIONS);
  assert.equal(empty.incomplete, true, 'the editor must ask again as the user types');
  assert.ok(empty.entries.some((e) => e.label === 'DNAT'), 'targets are still offered');
  assert.ok(empty.entries.every((e) => e.kind !== 'chain' || e.documentation), 'every offered chain is documented');

  // The chains it starts come first; after them the ones with its characters in order (KUBE-SEP-0004 …).
  const prefixed = at('KUBE-SEP-004');
  assert.deepEqual(chainsOf(prefixed).slice(0, 10), names.slice(40, 50), 'a prefix narrows to the chains it starts');
  assert.ok(chainsOf(prefixed).slice(10).every((name) => chainMatchRank(name, 'KUBE-SEP-004') === 3));
  assert.equal(prefixed.incomplete, false);
  // Ignoring case, then inside the name, then its letters in order — as the editor's own filter.
  assert.deepEqual(chainsOf(at('sep-0042')), ['KUBE-SEP-0042', 'MY-SEP-0042', 'XS-E-P-0042']);
  assert.deepEqual(chainsOf(at('my-sep')), ['MY-SEP-0042']);
  assert.deepEqual([chainMatchRank('KUBE-SEP-1', 'KUBE'), chainMatchRank('KUBE-SEP-1', 'kube'), chainMatchRank('KUBE-SEP-1', 'sep'), chainMatchRank('KUBE-SEP-1', 'ks1'), chainMatchRank('KUBE-SEP-1', 'x')], [0, 1, 2, 3, -1]);
  // -A: built-in chains compete with the rest, and a word that fits more than the limit stays incomplete.
  const text = `${head}-A K\nCOMMIT\n`;
  const append = complete(new IdeDocument(parseRuleset(text), 'file:///big.rules'), text.indexOf('\nCOMMIT'));
  assert.equal(append.entries.length, MAX_CHAIN_COMPLETIONS);
  assert.equal(append.incomplete, true);
  assert.ok(append.entries.every((e) => e.label.startsWith('KUBE-')), 'prefix matches come first');
});
