// DocumentStore: one parse per version, and while a new version is parsed, read-only requests on an
// unchanged line are answered from the previous version's model (previousFor) instead of waiting.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocuments } from 'vscode-languageserver';
import { DocumentStore } from '../../server/src/documents';
import { hover } from '../../server/src/netfilter/ide/hover';
import { parseRuleset } from '../../server/src/netfilter/parser';

const URI = 'file:///node.rules';
const TEXT = [
  '*filter',
  ':INPUT ACCEPT [0:0]',
  ':FORWARD ACCEPT [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  ':SSH - [0:0]',
  '-A INPUT -p tcp -m tcp --dport 22 -j SSH',
  '-A SSH -s 10.0.0.0/8 -j ACCEPT',
  'COMMIT',
  '',
].join('\n');

/** The store over one document whose text the test replaces (as TextDocuments does on an edit). */
function storeWith(initial: string) {
  let document = TextDocument.create(URI, 'iptables-save', 1, initial);
  const documents = { get: (uri: string) => (uri === URI ? document : undefined), all: () => [document] } as unknown as TextDocuments<TextDocument>;
  const store = new DocumentStore(documents);
  const edit = (line: number, from: string, to: string) => {
    const character = document.getText().split('\n')[line].indexOf(from);
    assert.ok(character >= 0);
    document = TextDocument.update(document, [{ range: { start: { line, character }, end: { line, character: character + from.length } }, text: to }], document.version + 1);
  };
  return { store, edit };
}

test('while a new version is parsed, an unchanged line is read from the previous model', async () => {
  const { store, edit } = storeWith(TEXT);
  const first = await store.ready(URI);
  assert.ok(first);
  edit(5, '22', '2222'); // same line count, line 5 changed
  assert.equal(store.previousFor(URI, 6), first, 'before the new parse starts, the old model answers too');
  const parsing = store.ready(URI); // starts the parse of version 2 (in slices)
  const previous = store.previousFor(URI, 6);
  assert.equal(previous, first, 'line 7 is unchanged: the old model answers');
  // A hover on the unchanged `-j ACCEPT` … line works from the old model.
  const at = previous!.text.indexOf('SSH -s') + 1;
  assert.match(hover(previous!, at)?.markdown ?? '', /SSH/);
  assert.equal(store.previousFor(URI, 5), undefined, 'the edited line must wait for the new model');
  const second = await parsing;
  assert.ok(second && second !== first);
  assert.equal(store.previousFor(URI, 6), undefined, 'once the new model is ready it is the only one used');
});

test('an edit that adds or removes lines never uses the previous model', async () => {
  const { store, edit } = storeWith(TEXT);
  await store.ready(URI);
  edit(6, 'ACCEPT', 'ACCEPT\n-A SSH -j DROP');
  const parsing = store.ready(URI);
  assert.equal(store.previousFor(URI, 1), undefined);
  await parsing;
});

test('an edit inside a rule line is re-read into the previous model; the result is the whole parse', async () => {
  const { store, edit } = storeWith(TEXT);
  const first = await store.ready(URI);
  assert.ok(first);
  edit(5, '22', '99999'); // a bad port: the new version has a parse error on line 6
  const second = await store.parsed(URI);
  assert.ok(second && second !== first);
  const whole = parseRuleset(second.text, { fileName: 'node.rules' });
  assert.deepEqual(second.ruleset.problems, whole.problems);
  assert.equal(second.ruleset.problems.length, 1);
  // Re-read, not parsed again: the table's chains were copied from the first model, and the
  // template store they were checked with is the first model's.
  const templatesOf = (doc: typeof first) => (doc.ruleset.tables[0].chains.get('INPUT') as unknown as { state: { templates: unknown } }).state.templates;
  assert.equal(templatesOf(second), templatesOf(first));
  assert.equal(first.ruleset.problems.length, 0, 'the first model is left as it was');
});

test('while a version is analysed, the last analysis findings are carried over except on the edited lines', async () => {
  const text = TEXT.replace('-A SSH -s 10.0.0.0/8 -j ACCEPT', '-A SSH -j ACCEPT\n-A SSH -s 10.0.0.0/8 -j ACCEPT\n-A SSH -s 10.1.0.0/16 -j DROP');
  const { store, edit } = storeWith(text);
  const analysed = await store.problemsAsync(URI);
  const unreachable = analysed!.filter((p) => p.code === 'reach/unreachable');
  assert.equal(unreachable.length, 2); // lines 8 and 9 are after an unconditional ACCEPT
  edit(7, '10.0.0.0/8', '10.0.0.0/12'); // line 8 changes (and gets 2 characters longer)
  const doc = await store.parsed(URI);
  const carried = store.carriedOverAnalysis(URI, doc!);
  assert.equal(carried.length, 1, 'the finding on the edited line is dropped');
  const line9 = doc!.text.indexOf('-A SSH -s 10.1.0.0/16');
  assert.equal(carried[0].span.start, line9, 'the finding after the edit moved with its line');
  assert.equal(carried[0].related?.[0].span.start, doc!.text.indexOf('-A SSH -j ACCEPT'));
});
