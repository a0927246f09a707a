// Data-driven analysis tests: every test/analysis/cases/NAME.rules has NAME.expected beside it,
// one finding per line (`LINE SEVERITY CODE MESSAGE`, related locations and fixes indented).
// UPDATE_EXPECTED=1 rewrites the .expected files. Every reach/* finding is also confirmed with
// the simulator (confirm.ts): no packet built from the flagged rule reaches it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { analyzeRuleset, ANALYSIS_CODES } from '../../server/src/netfilter/analysis/index';
import { renderProblem } from './render';
import { confirmMartianSource, confirmNeverMatches, confirmNeverReached, ruleAt } from './confirm';

const here = dirname(fileURLToPath(import.meta.url));
const casesDir = join(here, 'cases');
const update = process.env.UPDATE_EXPECTED === '1';


const files = readdirSync(casesDir).filter((f) => f.endsWith('.rules')).sort();
test('there are analysis cases', () => assert.ok(files.length >= 8));

for (const file of files) {
  test(`analysis case ${file}`, () => {
    const text = readFileSync(join(casesDir, file), 'utf8');
    const ruleset = parseRuleset(text, { fileName: file });
    const problems = analyzeRuleset(ruleset);
    const actual = problems.map((p) => renderProblem(ruleset, p)).join('\n') + '\n';
    const expectedPath = join(casesDir, file.replace(/\.rules$/, '.expected'));
    if (update || !existsSync(expectedPath)) writeFileSync(expectedPath, actual);
    assert.equal(actual, readFileSync(expectedPath, 'utf8'));
    for (const p of problems) assert.ok(ANALYSIS_CODES.some((c) => c.code === p.code && c.severity === p.severity), `undocumented code ${p.code}/${p.severity}`);
    for (const p of problems) {
      if (!p.code.startsWith('reach/')) continue;
      const rule = ruleAt(ruleset, p.span.start);
      assert.ok(rule, `finding at ${p.span.start} is not on a rule`);
      const confirmation = p.code === 'reach/never-matches' ? confirmNeverMatches(ruleset, rule, p.related ?? []) : p.code === 'reach/martian-source' ? confirmMartianSource(ruleset, rule) : confirmNeverReached(ruleset, rule);
      assert.ok(confirmation.ok, `${file}:${rule.line + 1} ${p.code} not confirmed by the simulator: ${confirmation.ok ? '' : confirmation.reason}`);
    }
  });
}

test('fixes apply cleanly: deleting a flagged rule removes exactly its line', () => {
  const text = readFileSync(join(casesDir, 'shadow-basics.rules'), 'utf8');
  const ruleset = parseRuleset(text);
  const finding = analyzeRuleset(ruleset).find((p) => p.code === 'reach/shadowed')!;
  const edit = finding.fixes![0].edits[0];
  const after = text.slice(0, edit.span.start) + edit.newText + text.slice(edit.span.end);
  assert.equal(after.split('\n').length, text.split('\n').length - 1);
  assert.ok(!analyzeRuleset(parseRuleset(after)).some((p) => p.span.start === finding.span.start && p.code === 'reach/shadowed' && after.slice(p.span.start, p.span.end) === text.slice(finding.span.start, finding.span.end)));
});

test('kube/not-last fix moves the rule to the end of its chain', () => {
  const text = readFileSync(join(casesDir, 'kube-invariants.rules'), 'utf8');
  const finding = analyzeRuleset(parseRuleset(text)).find((p) => p.code === 'kube/not-last')!;
  const edits = [...finding.fixes![0].edits].sort((a, b) => b.span.start - a.span.start);
  let after = text;
  for (const e of edits) after = after.slice(0, e.span.start) + e.newText + after.slice(e.span.end);
  assert.ok(!analyzeRuleset(parseRuleset(after)).some((p) => p.code === 'kube/not-last'));
  const services = after.split('\n').filter((l) => l.startsWith('-A KUBE-SERVICES '));
  assert.match(services[services.length - 1], /must be the last rule/);
});

test('cancellation stops the analysis early', () => {
  const lines = ['*filter', ':INPUT ACCEPT [0:0]'];
  for (let i = 0; i < 10000; i++) lines.push(`-A INPUT -s 10.${i >> 8}.${i & 255}.0/24 -j DROP`);
  lines.push('-A INPUT -s 10.0.0.1/32 -j DROP', 'COMMIT', '');
  const ruleset = parseRuleset(lines.join('\n'));
  assert.equal(analyzeRuleset(ruleset).filter((p) => p.code === 'reach/shadowed').length, 1);
  let calls = 0;
  const partial = analyzeRuleset(ruleset, { cancelled: () => ++calls > 1 });
  assert.ok(calls >= 2);
  assert.equal(partial.filter((p) => p.code === 'reach/shadowed').length, 0);
});

test('reach/never-matches confirmation fails on a rule some packet matches', () => {
  // The confirmation must be able to say no: the same check, on rules of never-matches.rules that
  // the analysis leaves alone, with every constraint named as if it were the cause.
  const text = readFileSync(join(casesDir, 'never-matches.rules'), 'utf8');
  const ruleset = parseRuleset(text);
  const input = ruleset.tables[0].chains.get('INPUT')!;
  const satisfiable = input.rules.filter((r) => r.target?.name === 'LOG');
  assert.ok(satisfiable.length >= 8);
  for (const rule of satisfiable) {
    const sources = [...rule.genericOptions, ...rule.matches.flatMap((m) => m.options)].map((o) => ({ span: o.span }));
    assert.equal(confirmNeverMatches(ruleset, rule, sources).ok, false, `line ${rule.line + 1} would be confirmed as never matching`);
  }
  // and on the TOS byte and MAC addresses: the rules marked "NOT never-matches" (tests some packet passes together)
  for (const [file, count] of [['dscp-tos-pkttype.rules', 2], ['mac-source.rules', 1]] as const) {
    const controlText = readFileSync(join(casesDir, file), 'utf8');
    const controlRuleset = parseRuleset(controlText);
    const lines = controlText.split('\n');
    const controls = controlRuleset.tables.flatMap((t) => [...t.chains.values()]).flatMap((c) => c.rules).filter((r) => lines[r.line - 1]?.startsWith('# NOT never-matches'));
    assert.equal(controls.length, count, file);
    for (const rule of controls) {
      const sources = rule.matches.flatMap((m) => m.options).map((o) => ({ span: o.span }));
      assert.equal(confirmNeverMatches(controlRuleset, rule, sources).ok, false, `${file} line ${rule.line + 1} would be confirmed as never matching`);
    }
  }
});

test('reach/never-matches flags exactly the rules of the kernel dump the kernel never matches', () => {
  // test/kernel/dumps/never-matches.rules is traced in the kernel (test/kernel/cases.ts): its first
  // 20 rules never match there; the 4 full port ranges (dropped by iptables-nft 1.8.9, whose header
  // the dump has) and the 5 controls do.
  const text = readFileSync(join(here, '..', 'kernel', 'dumps', 'never-matches.rules'), 'utf8');
  const ruleset = parseRuleset(text);
  const flagged = analyzeRuleset(ruleset).filter((p) => p.code === 'reach/never-matches').map((p) => ruleAt(ruleset, p.span.start)!.line + 1);
  const first = text.split('\n').findIndex((l) => l.startsWith('-A ')) + 1;
  assert.deepEqual(flagged, Array.from({ length: 20 }, (_, k) => first + k));
});
