// reparseAfterLineEdit: after an edit inside one `-A` line, the previous parse with that line read
// again must be exactly the parse of the new text (describe-parse.ts compares every problem, token
// span, outline and option read) — and it must actually be used for the edits people make.

import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import { parseRuleset, parseRulesetEagerly, reparseAfterLineEdit, type ParsedRuleset } from '../../server/src/netfilter/parser';
import { loadCorpus } from '../fuzz/corpus';
import { generateInput } from '../fuzz/generate';
import { generateKubeDump } from '../bench/generate-kube-dump';
import { describe } from './describe-parse';
import { editRandomRuleLine, random } from './random-edits';

/** REPARSE_SEED=n runs other edits (for a longer search than npm test's). */
const SEED = Number(process.env.REPARSE_SEED ?? 0);

/** Applies `count` random edits to rule lines (each to the last re-read result), checking each. */
function checkEdits(name: string, text: string, count: number, seed: number, counts: Map<string, { fast: number; all: number }>): void {
  const next = random(seed);
  let previous: ParsedRuleset = parseRuleset(text);
  let current = text;
  for (let n = 0; n < count; n++) {
    const edit = editRandomRuleLine(current, next);
    if (!edit) continue;
    const before = describe(previous);
    const reparsed = reparseAfterLineEdit(previous, edit.text);
    assert.deepEqual(describe(previous), before, `${name}: the previous parse was changed by reparseAfterLineEdit`);
    const tally = counts.get(edit.kind) ?? { fast: 0, all: 0 };
    tally.all++;
    counts.set(edit.kind, tally);
    const whole = parseRulesetEagerly(edit.text);
    if (reparsed) {
      tally.fast++;
      const expected = describe(whole);
      const got = describe(reparsed);
      let i = got.findIndex((line, k) => line !== expected[k]);
      if (i < 0 && got.length !== expected.length) i = Math.min(got.length, expected.length);
      if (i >= 0 || got.length !== expected.length) {
        assert.fail(`${name}, edit ${n} (${edit.kind}): the re-read line differs from the whole parse at item ${i}:\n  whole:    ${expected[i]}\n  reparsed: ${got[i]}`);
      }
    }
    // Go on from the re-read parse (edits on edits); an edit it declined is dropped, so that one
    // odd quote does not send every later edit to the whole parse.
    if (reparsed) {
      current = edit.text;
      previous = reparsed;
    }
  }
}

test('an edited rule line re-read = the whole parse, on a kube-proxy dump (chains of edits)', () => {
  const text = generateKubeDump({ services: 40, endpointsPerService: 3, seed: 11 });
  const counts = new Map<string, { fast: number; all: number }>();
  checkEdits('kube dump', text, 150, 1 + SEED, counts);
  const digits = counts.get('digit')!;
  // Changing a port, an address or a probability is the common edit: it must take the fast path.
  assert.ok(digits.fast / digits.all > 0.9, `digit edits re-read: ${digits.fast} of ${digits.all}`);
  const all = [...counts.values()].reduce((a, b) => ({ fast: a.fast + b.fast, all: a.all + b.all }));
  assert.ok(all.fast / all.all > 0.3, `edits re-read: ${all.fast} of ${all.all} (${JSON.stringify([...counts])})`);
});

test('an edited rule line re-read = the whole parse, on the shared fixtures and mutated dumps', () => {
  const counts = new Map<string, { fast: number; all: number }>();
  let seed = 100 + SEED * 1000;
  for (const entry of loadCorpus()) checkEdits(entry.name, entry.text, 8, seed++, counts);
  for (let i = 0; i < 100; i++) {
    const input = generateInput(4711 + SEED, i);
    checkEdits(`fuzz input ${i}`, input.text, 3, seed++, counts);
  }
  const all = [...counts.values()].reduce((a, b) => ({ fast: a.fast + b.fast, all: a.all + b.all }));
  assert.ok(all.fast > 100, `edits re-read: ${all.fast} of ${all.all}`);
});

test('edits the re-read cannot prove local are left to the whole parse', () => {
  const text = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':A - [0:0]',
    ':B - [0:0]',
    '-A INPUT -p tcp --dport 22 -j A',
    '-A INPUT -j B',
    '-A A -j ACCEPT',
    '-A B -j DROP',
    'COMMIT',
    '',
  ].join('\n');
  const previous = parseRuleset(text);
  const cases: Array<[string, string]> = [
    ['another jump target', text.replace('--dport 22 -j A', '--dport 22 -j B')],
    ['another chain', text.replace('-A INPUT -j B', '-A A -j B')],
    ['a declaration', text.replace(':B - [0:0]', ':B - [1:0]')],
    ['a line break', text.replace('--dport 22 -j A', '--dport 22\n-j A')],
    ['-I instead of -A', text.replace('-A INPUT -j B', '-I INPUT -j B')],
    ['two lines', text.replace('22', '23').replace('-j DROP', '-j REJECT')],
    ['the table', text.replace('*filter', '*nat')],
  ];
  for (const [what, edited] of cases) assert.equal(reparseAfterLineEdit(previous, edited), undefined, what);
  // The port alone: re-read, and equal to the whole parse.
  const edited = text.replace('--dport 22', '--dport 2222');
  const reparsed = reparseAfterLineEdit(previous, edited);
  assert.ok(reparsed);
  assert.deepEqual(describe(reparsed), describe(parseRulesetEagerly(edited)));
  // A bad port on the line: its problem appears, in place.
  const bad = text.replace('--dport 22', '--dport 99999');
  const reparsedBad = reparseAfterLineEdit(previous, bad);
  assert.ok(reparsedBad);
  assert.ok(reparsedBad.problems.some((p) => p.severity === 'error'));
  assert.deepEqual(describe(reparsedBad), describe(parseRulesetEagerly(bad)));
});

test('a chain of re-read versions does not keep the earlier versions alive', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const text = generateKubeDump({ services: 20, endpointsPerService: 2, seed: 3 });
  // A port of a KUBE-SERVICES rule: 1 ⇄ 2 in its last digit.
  const line = text.indexOf('-A KUBE-SERVICES -d ');
  const at = text.indexOf(' --dport ', line) + ' --dport '.length;
  assert.ok(line >= 0 && at > line);
  const end = text.indexOf(' ', at) - 1;
  const texts = [text.slice(0, end) + '1' + text.slice(end + 1), text.slice(0, end) + '2' + text.slice(end + 1)];
  let current = parseRuleset(texts[0]);
  const first = new WeakRef(current);
  for (let k = 1; k <= 4; k++) {
    const next = reparseAfterLineEdit(current, texts[k % 2]);
    assert.ok(next, 'the edit is re-read');
    current = next;
    await new Promise((resolve) => setImmediate(resolve)); // WeakRef targets live until the job ends
  }
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  assert.equal(first.deref(), undefined, 'the first version is still reachable from the fourth');
  assert.ok(current.tables.length > 0);
});
