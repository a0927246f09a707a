// Real-world breadth check: lint every dump in a directory and compare with iptables-restore --test.
//
//   node --import tsx test/realworld/check-corpus.ts DIR [--json OUT.json] [--verbose]
//
// For each file: family from parseRuleset, the verdict of `unshare -n iptables-{nft,legacy}-restore --test`
// (accepted = accepted by both), then lintText. Prints a summary table and every false error (an
// error-severity problem on a dump both tools accept), every disagreement on a rejected dump (our first
// error is not on the line restore blames), internal errors, exceptions and inputs slower than 2 s.
// Needs root + iptables for the verdicts; without them it still lints and reports exceptions/timings.
// Not a test (no `.test.ts`): `npm test` does not pick it up. See test/realworld/README.md.

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { lintText } from '../../server/src/netfilter/lint';
import { positionOf } from '../../server/src/netfilter/positions';
import { combineVerdicts, oracleAvailable, restoreTest, restoreTestLegacy, type RestoreVerdict } from '../kernel/oracle';

/** Same list as test/parser/restore-agreement.test.ts: rejections about this machine, not the syntax. */
const ENVIRONMENT_REASONS = [/Bad value for "--(uid|gid)-owner"|Invalid (user|group) name/i, /Couldn't load (match|target) `(?!.*(tcp|udp|icmp|comment|conntrack|mark))/, /Set .* doesn't exist/, /host\/network `[A-Za-z][^']*' not found/, /Could not fetch rule set generation id/];
const SLOW_MS = 2000;

interface Row {
  file: string;
  family: 'ipv4' | 'ipv6';
  lines: number;
  verdict: 'accepted' | 'rejected' | 'environment' | 'unknown';
  restoreLine?: number;
  restoreMessage?: string;
  ms: number;
  errors: Array<{ line: number; code: string; message: string; text: string }>;
  warnings: Record<string, number>;
  warningSamples: Array<{ line: number; code: string; message: string }>;
  internal: string[];
  exception?: string;
  firstErrorLine?: number;
  agrees?: boolean;
}

function main(): void {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--'));
  if (!dir) {
    console.error('usage: check-corpus.ts DIR [--json OUT.json] [--verbose]');
    process.exit(2);
  }
  const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
  const verbose = args.includes('--verbose');
  const oracle = oracleAvailable();
  if (!oracle.ok) console.log(`note: restore oracle unavailable (${oracle.reason}); verdicts are 'unknown'`);
  const files = readdirSync(resolve(dir)).filter((f) => !/^(SOURCES|README)/.test(f) && statSync(join(dir, f)).isFile()).sort();
  const rows: Row[] = [];
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    const row: Row = { file, family: 'ipv4', lines: text.split('\n').length, verdict: 'unknown', ms: 0, errors: [], warnings: {}, warningSamples: [], internal: [] };
    try {
      row.family = parseRuleset(text, { fileName: file }).family;
    } catch (e) {
      row.exception = `parseRuleset: ${e instanceof Error ? e.message : e}`;
    }
    let verdict: RestoreVerdict | undefined;
    if (oracle.ok) {
      verdict = combineVerdicts(restoreTest(text, row.family), restoreTestLegacy(text, row.family));
      row.restoreLine = verdict.errorLine;
      row.restoreMessage = verdict.message.split('\n')[0];
    }
    const started = performance.now();
    try {
      const { ruleset, problems } = lintText(text, { fileName: file, family: row.family });
      row.ms = performance.now() - started;
      const lines = text.split('\n');
      const lineOf = (offset: number) => positionOf(ruleset.lineStarts, offset).line + 1;
      for (const p of problems) {
        const line = lineOf(p.span.start);
        if (p.code.startsWith('internal/')) row.internal.push(`line ${line} ${p.code}: ${p.message}`);
        if (p.severity === 'error') row.errors.push({ line, code: p.code, message: p.message, text: (lines[line - 1] ?? '').slice(0, 200) });
        else {
          row.warnings[`${p.severity}:${p.code}`] = (row.warnings[`${p.severity}:${p.code}`] ?? 0) + 1;
          if (row.warningSamples.length < 50) row.warningSamples.push({ line, code: p.code, message: p.message });
        }
      }
      row.firstErrorLine = row.errors.length ? Math.min(...row.errors.map((e) => e.line)) : undefined;
      if (verdict) {
        if (verdict.accepted) row.verdict = 'accepted';
        else {
          const blamed = verdict.errorLine;
          const blamedText = blamed ? (lines[blamed - 1] ?? '') : '';
          const atCommit = blamed !== undefined && (blamedText.trim() === 'COMMIT' || blamed > lines.length - 1);
          const first = row.firstErrorLine;
          row.agrees = first !== undefined && (blamed === undefined || first === blamed || (atCommit && first <= blamed));
          const unknownExt = /Couldn't load (match|target) `([^']+)'/.test(verdict.message) && problems.some((p) => (p.code === 'parse/unknown-match' || p.code === 'parse/unknown-target') && lineOf(p.span.start) === blamed);
          const envReason = ENVIRONMENT_REASONS.some((re) => re.test(verdict!.message)) && (first === undefined || first > (blamed ?? 0));
          row.verdict = !row.agrees && (envReason || unknownExt) ? 'environment' : 'rejected';
        }
      }
    } catch (e) {
      row.ms = performance.now() - started;
      row.exception = `lintText: ${e instanceof Error ? e.stack ?? e.message : e}`;
    }
    rows.push(row);
    if (verbose) console.log(`${row.verdict.padEnd(11)} ${row.ms.toFixed(0).padStart(5)}ms ${row.errors.length}E ${file}`);
  }
  report(rows);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(rows, null, 1));
}

function report(rows: Row[]): void {
  const by = (v: Row['verdict']) => rows.filter((r) => r.verdict === v);
  const accepted = by('accepted');
  const rejected = by('rejected');
  const falseErrors = accepted.filter((r) => r.errors.length);
  const disagreements = rejected.filter((r) => !r.agrees);
  const slow = rows.filter((r) => r.ms > SLOW_MS);
  const slowest = [...rows].sort((a, b) => b.ms - a.ms)[0];
  const warningTotals: Record<string, number> = {};
  for (const r of accepted) for (const [k, n] of Object.entries(r.warnings)) warningTotals[k] = (warningTotals[k] ?? 0) + n;
  const filesWith: Record<string, number> = {};
  for (const r of accepted) for (const k of Object.keys(r.warnings)) filesWith[k] = (filesWith[k] ?? 0) + 1;

  console.log('\n| figure | value |\n| --- | --- |');
  const table: Array<[string, string | number]> = [
    ['dumps', rows.length],
    ['ipv4 / ipv6', `${rows.filter((r) => r.family === 'ipv4').length} / ${rows.filter((r) => r.family === 'ipv6').length}`],
    ['accepted by nft and legacy --test', accepted.length],
    ['rejected (syntax)', rejected.length],
    ['rejected for environment reasons only', by('environment').length],
    ['verdict unknown (no oracle)', by('unknown').length],
    ['accepted dumps with a false error', falseErrors.length],
    ['false errors (total)', falseErrors.reduce((n, r) => n + r.errors.length, 0)],
    ['rejected dumps where our first error is on the blamed line', `${rejected.length - disagreements.length} / ${rejected.length}`],
    ['internal errors', rows.reduce((n, r) => n + r.internal.length, 0)],
    ['exceptions', rows.filter((r) => r.exception).length],
    [`slower than ${SLOW_MS} ms`, slow.length],
    ['slowest', slowest ? `${slowest.ms.toFixed(0)} ms (${slowest.file}, ${slowest.lines} lines)` : '-'],
  ];
  for (const [k, v] of table) console.log(`| ${k} | ${v} |`);

  const classes: Record<string, string[]> = {};
  for (const r of falseErrors) for (const e of r.errors) (classes[e.code] ??= []).push(`${r.file}:${e.line}: ${e.message}\n      ${e.text}`);
  console.log('\nFalse errors on accepted dumps, by code:');
  for (const [code, list] of Object.entries(classes).sort((a, b) => b[1].length - a[1].length)) {
    console.log(`  ${code} (${list.length})`);
    for (const item of list.slice(0, 8)) console.log(`    ${item}`);
  }
  console.log('\nDisagreements on rejected dumps:');
  for (const r of disagreements) console.log(`  ${r.file}: restore blames line ${r.restoreLine} (${r.restoreMessage}); our first error ${r.firstErrorLine === undefined ? 'none' : `line ${r.firstErrorLine} ${r.errors.find((e) => e.line === r.firstErrorLine)?.code}`}`);
  console.log('\nEnvironment-only rejections:');
  for (const r of by('environment')) console.log(`  ${r.file}: line ${r.restoreLine} ${r.restoreMessage}`);
  console.log('\nInternal errors / exceptions / slow:');
  for (const r of rows) {
    for (const i of r.internal) console.log(`  ${r.file}: ${i}`);
    if (r.exception) console.log(`  ${r.file}: EXCEPTION ${r.exception.split('\n').slice(0, 3).join(' | ')}`);
    if (r.ms > SLOW_MS) console.log(`  ${r.file}: slow ${r.ms.toFixed(0)} ms`);
  }
  console.log('\nWarnings/infos on accepted dumps (code: total in N files):');
  for (const [k, n] of Object.entries(warningTotals).sort((a, b) => b[1] - a[1])) console.log(`  ${k}: ${n} in ${filesWith[k]}`);
}

main();
