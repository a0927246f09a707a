// analyzeAfterLineEdit: after an edit the re-read accepted, re-running only the checks that read
// the edited rule must give exactly the whole analysis of the new text — findings, order, spans,
// related locations and fixes — and it must be what runs for the common edits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyzeAfterLineEdit, analyzeRuleset, createIncrementalAnalysis, type CompletedAnalysis } from '../../server/src/netfilter/analysis';
import { parseRuleset, reparseAfterLineEdit } from '../../server/src/netfilter/parser';
import { loadCorpus } from '../fuzz/corpus';
import { generateKubeDump } from '../bench/generate-kube-dump';
import { editRandomRuleLine, random } from '../parser/random-edits';

/** AFTER_EDIT_SEED=n runs other edits (for a longer search than npm test's). */
const SEED = Number(process.env.AFTER_EDIT_SEED ?? 0);

function analyse(text: string): CompletedAnalysis {
  const analysis = createIncrementalAnalysis(parseRuleset(text));
  while (!analysis.step());
  return analysis.completed();
}

interface Tally {
  edits: number;
  reparsed: number;
  incremental: number;
}

function checkEdits(name: string, text: string, count: number, seed: number, tally: Tally): void {
  const next = random(seed);
  let previous = analyse(text);
  let current = text;
  for (let n = 0; n < count; n++) {
    const edit = editRandomRuleLine(current, next);
    if (!edit) continue;
    tally.edits++;
    const reparsed = reparseAfterLineEdit(previous.ruleset as Parameters<typeof reparseAfterLineEdit>[0], edit.text);
    if (!reparsed) continue;
    tally.reparsed++;
    const before = JSON.stringify(previous.problems);
    const incremental = analyzeAfterLineEdit(previous, reparsed);
    assert.equal(JSON.stringify(previous.problems), before, `${name}: the previous analysis was changed`);
    const whole = analyzeRuleset(parseRuleset(edit.text));
    if (incremental) {
      tally.incremental++;
      const got = incremental.problems.map((p) => JSON.stringify(p));
      const expected = whole.map((p) => JSON.stringify(p));
      const i = got.findIndex((line, k) => line !== expected[k]);
      if (i >= 0 || got.length !== expected.length) {
        const at = i >= 0 ? i : Math.min(got.length, expected.length);
        assert.fail(`${name}, edit ${n} (${edit.kind}): re-analysis differs from the whole analysis at finding ${at} of ${expected.length}:\n  whole:       ${expected[at]}\n  incremental: ${got[at]}`);
      }
    }
    // Go on from the incremental result when there is one (analyses of analyses), else from a whole one.
    current = edit.text;
    previous = incremental ?? analyse(edit.text);
  }
}

const repo = resolve(__dirname, '..', '..');

test('re-analysis after an edited line = the whole analysis, on the analysis cases, the fixtures and a kube-proxy dump', () => {
  const tally: Tally = { edits: 0, reparsed: 0, incremental: 0 };
  let seed = 500 + SEED * 1000;
  const casesDir = join(repo, 'test', 'analysis', 'cases');
  for (const name of readdirSync(casesDir).filter((n) => n.endsWith('.rules')).sort()) checkEdits(name, readFileSync(join(casesDir, name), 'utf8'), 40, seed++, tally);
  for (const entry of loadCorpus()) checkEdits(entry.name, entry.text, 10, seed++, tally);
  checkEdits('kube dump', generateKubeDump({ services: 30, endpointsPerService: 3, seed: 5 }), 100, seed++, tally);
  // Most re-read edits must be re-analysed incrementally (else this tests nothing).
  assert.ok(tally.incremental > 0.6 * tally.reparsed, `re-analysed incrementally: ${tally.incremental} of ${tally.reparsed} re-read edits (${tally.edits} edits)`);
  assert.ok(tally.incremental > 250, `only ${tally.incremental} incremental re-analyses (${JSON.stringify(tally)})`);
});

/** One edit (replace `from` by `to`, first occurrence): the incremental result, and the whole one. */
function editOnce(text: string, from: string, to: string): { incremental?: CompletedAnalysis; whole: string[] } {
  const at = text.indexOf(from);
  assert.ok(at >= 0, `'${from}' not in the dump`);
  const edited = text.slice(0, at) + to + text.slice(at + from.length);
  const previous = analyse(text);
  const reparsed = reparseAfterLineEdit(previous.ruleset as Parameters<typeof reparseAfterLineEdit>[0], edited);
  assert.ok(reparsed, 'the edit stays inside one rule line: re-read');
  return { incremental: analyzeAfterLineEdit(previous, reparsed), whole: analyzeRuleset(parseRuleset(edited)).map((p) => JSON.stringify(p)) };
}

const JUMPED_TO = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:BLOCK - [0:0]
-A INPUT -j BLOCK
-A INPUT -p tcp --dport 22 -j ACCEPT
-A BLOCK -s 10.0.0.0/8 -j DROP
COMMIT
`;

test('an edit that changes whether a jumped-to chain always decides is not re-analysed locally (its callers change)', () => {
  // BLOCK drops every packet after the edit: the INPUT rule after the jump becomes unreachable.
  const { incremental, whole } = editOnce(JUMPED_TO, '-s 10.0.0.0/8 -j DROP', '-s 0.0.0.0/0 -j DROP');
  assert.ok(whole.some((p) => p.includes('reach/unreachable')), 'the whole analysis finds the unreachable rule');
  assert.equal(incremental, undefined);
});

test('an edit that keeps what callers see is re-analysed locally, with the whole analysis\' findings', () => {
  const { incremental, whole } = editOnce(JUMPED_TO, '-s 10.0.0.0/8 -j DROP', '-s 192.168.0.0/16 -j DROP');
  assert.ok(incremental);
  assert.deepEqual(incremental.problems.map((p) => JSON.stringify(p)), whole);
});

test('an edited jump into a chain that leads back to the edited one is left to the whole analysis', () => {
  const loop = `*filter
:INPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A INPUT -j A
-A A -s 10.0.0.1/32 -j B
-A B -j A
COMMIT
`;
  const { incremental, whole } = editOnce(loop, '-s 10.0.0.1/32 -j B', '-s 10.0.0.2/32 -j B');
  assert.ok(whole.some((p) => p.includes('graph/loop')));
  assert.equal(incremental, undefined);
});

test('an edit that gives an INPUT rule a multicast source (reach/martian-source) is re-analysed locally, both ways', () => {
  const text = `*filter
:INPUT DROP [0:0]
:FROM-INPUT - [0:0]
-A INPUT -j FROM-INPUT
-A INPUT -s 10.0.0.1/32 -j ACCEPT
-A FROM-INPUT -s 10.0.0.2/32 -j ACCEPT
COMMIT
`;
  for (const [before, after] of [['-s 10.0.0.1/32 -j ACCEPT', '-s 224.0.0.1/32 -j ACCEPT'], ['-s 10.0.0.2/32 -j ACCEPT', '-s 239.0.0.0/8 -j ACCEPT']]) {
    const { incremental, whole } = editOnce(text, before, after);
    assert.ok(whole.some((p) => p.includes('reach/martian-source')), after);
    assert.ok(incremental);
    assert.deepEqual(incremental.problems.map((p) => JSON.stringify(p)), whole);
    const back = editOnce(text.replace(before, after), after, before);
    assert.ok(back.incremental);
    assert.deepEqual(back.incremental.problems.map((p) => JSON.stringify(p)), back.whole);
    assert.ok(!back.whole.some((p) => p.includes('reach/martian-source')));
  }
});
