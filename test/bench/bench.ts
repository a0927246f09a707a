// Benchmark harness: `npm run bench` (= bundle, then node --expose-gc --import tsx test/bench/bench.ts).
//
// 1. Generates kube-proxy-shaped dumps of 1k / 10k / 30k services × 3 endpoints into
//    test/bench/.generated/ (gitignored; cached by generator parameters and version).
// 2. Measures the yardstick: wall time of `unshare -n iptables-legacy-restore --test DUMP`
//    (median of 5 runs, 3 at 30k) — the kernel's own tool reading the same file.
// 3. Runs every case in test/bench/cases/*.ts (see api.ts), each in its own child process, within
//    a per-case budget (120 s per size unless the case says otherwise), and prints: measurement,
//    size, median, p95, ratio to restore (ratio cases: the median of per-run ratios, each run paired
//    with a restore run right before it), target, PASS/FAIL, peak RSS — every case at every size
//    (a case not run at a size says so) — then a growth line per case (time per rule, 10k vs 1k
//    and 30k vs 10k; ≈1 is linear).
// 4. Writes test/bench/results.json and the Markdown table to test/bench/results.md.
//    Exit code 1 when any case FAILs or errors.
//
// Options: --sizes 1k,10k   --cases parse,lint (substring match)   --runs N (default 5, 3 at 30k)
//          --restore-runs N   --budget SECONDS   --no-restore (skip the baseline)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import productBundleOptions from '../../scripts/bundle-options.json';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchCase, BenchResult, SizeLabel } from './api';
import { GENERATOR_VERSION, generateKubeDumpWithStats, type KubeDumpStats } from './generate-kube-dump';
import { DEFAULT_BUDGET_MS, median, p95, RESULT_MARKER, restoreRun, type ChildContext, type ChildResult } from './measure';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(benchDir, '..', '..');
const generatedDir = join(benchDir, '.generated');
const casesDir = join(benchDir, 'cases');
const resultsPath = join(benchDir, 'results.json');
const markdownPath = join(benchDir, 'results.md');

const ENDPOINTS_PER_SERVICE = 3;
const SEED = 1;
// runs: timed runs of a case that does not set its own `iterations` (30k runs are long).
const SIZES: ReadonlyArray<{ label: SizeLabel; services: number; restoreRuns: number; runs: number }> = [
  { label: '1k', services: 1_000, restoreRuns: 5, runs: 5 },
  { label: '10k', services: 10_000, restoreRuns: 5, runs: 5 },
  { label: '30k', services: 30_000, restoreRuns: 3, runs: 3 },
];
/** After its budget a child has this long to report before bench.ts kills it. */
const KILL_GRACE_MS = 60_000;

interface Options { sizes?: string[]; cases?: string[]; runs?: number; restoreRuns?: number; restore: boolean; budgetMs: number }

function parseOptions(argv: string[]): Options {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (flag: string): string[] | undefined => value(flag)?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    sizes: list('--sizes'),
    cases: list('--cases'),
    runs: value('--runs') ? Number(value('--runs')) : undefined,
    restoreRuns: value('--restore-runs') ? Number(value('--restore-runs')) : undefined,
    restore: !argv.includes('--no-restore'),
    budgetMs: value('--budget') ? Number(value('--budget')) * 1000 : DEFAULT_BUDGET_MS,
  };
}

interface Dump { path: string; stats: KubeDumpStats }

/** The dump for these parameters, generated once and reused (the name carries every parameter). */
function ensureDump(services: number): Dump {
  mkdirSync(generatedDir, { recursive: true });
  const base = join(generatedDir, `kube-s${services}-e${ENDPOINTS_PER_SERVICE}-seed${SEED}-v${GENERATOR_VERSION}`);
  const path = `${base}.rules`;
  const statsPath = `${base}.stats.json`;
  if (existsSync(path) && existsSync(statsPath)) return { path, stats: JSON.parse(readFileSync(statsPath, 'utf8')) as KubeDumpStats };
  const start = performance.now();
  const { text, stats } = generateKubeDumpWithStats({ services, endpointsPerService: ENDPOINTS_PER_SERVICE, seed: SEED });
  writeFileSync(path, text);
  writeFileSync(statsPath, JSON.stringify(stats, null, 2) + '\n');
  console.log(`generated ${path}: ${stats.rules.toLocaleString('en-US')} rules, ${mb(stats.bytes)} in ${Math.round(performance.now() - start)} ms`);
  return { path, stats };
}

interface Baseline { medianMs: number; p95Ms: number; samplesMs: number[]; peakRssBytes?: number; error?: string }

function measureRestore(dumpPath: string, runs: number): Baseline {
  const samplesMs: number[] = [];
  let peakRssBytes: number | undefined;
  for (let i = 0; i < runs; i++) {
    const { ms, result } = restoreRun(dumpPath);
    samplesMs.push(ms);
    if (result.status !== 0) {
      return { medianMs: NaN, p95Ms: NaN, samplesMs, error: `exit ${result.status}: ${result.stderr.trim().slice(0, 300)}` };
    }
    if (result.peakRssBytes !== undefined) peakRssBytes = Math.max(peakRssBytes ?? 0, result.peakRssBytes);
  }
  return { medianMs: median(samplesMs), p95Ms: p95(samplesMs), samplesMs, peakRssBytes };
}

/** Table order: floors, engine, CLI, language server; case files not listed here come last. */
const CASE_ORDER = ['read-file', 'split-lines', 'parse', 'lint', 'trace-warm', 'cli-lint', 'cli-trace', 'lsp-open', 'lsp-open-analysed', 'lsp-edit', 'lsp-edit-analysed', 'lsp-responsive', 'lsp-responsive-open', 'lsp-editor-requests', 'lsp-requests-after-open', 'lsp-hover', 'lsp-definition', 'lsp-references', 'lsp-peak-rss'];
const orderOf = (file: string): number => {
  const i = CASE_ORDER.findIndex((prefix) => file.startsWith(prefix));
  return i < 0 ? CASE_ORDER.length : i;
};

async function loadCases(filter?: string[]): Promise<Array<{ file: string; benchCase: BenchCase<unknown> }>> {
  const files = readdirSync(casesDir).filter((f) => f.endsWith('.ts')).sort((a, b) => orderOf(a) - orderOf(b) || a.localeCompare(b));
  const cases: Array<{ file: string; benchCase: BenchCase<unknown> }> = [];
  for (const name of files) {
    const file = join(casesDir, name);
    const module = (await import(pathToFileURL(file).href)) as { default: BenchCase<unknown> | { default: BenchCase<unknown> } };
    const benchCase = ('run' in module.default ? module.default : module.default.default) as BenchCase<unknown>;
    if (!benchCase || typeof benchCase.run !== 'function') throw new Error(`${name}: no default-exported bench case`);
    if (filter && !filter.some((f) => benchCase.name.includes(f) || name.includes(f))) continue;
    cases.push({ file, benchCase });
  }
  return cases;
}

/**
 * The case bundled by esbuild with the product's own options (scripts/bundle-options.json), so its
 * engine code runs as the CLI and the server ship it. tsx's per-module output is slower: parsing the
 * 10k dump alternately with both in one process, the bundle's median was 0.88× tsx's (2026-11-23;
 * in tsx's output every call into another module goes through that module's export getters).
 */
async function bundleCase(file: string): Promise<string> {
  const outfile = join(generatedDir, 'cases', `${basename(file, '.ts')}.cjs`);
  await build({ ...(productBundleOptions as BuildOptions), entryPoints: [file], outfile });
  return outfile;
}

function runCaseInChild(bundledCase: string, context: ChildContext, budgetMs: number): ChildResult {
  // run-case.ts (the harness, untimed) still runs under tsx; it imports the bundled case.
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(benchDir, 'run-case.ts'), bundledCase, JSON.stringify(context)], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    // The child cuts itself off at its budget; this is for one stuck in synchronous code.
    timeout: budgetMs + KILL_GRACE_MS,
  });
  const line = (child.stdout ?? '').split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (!line && (child.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    return { overBudget: true, note: `over budget: killed after ${Math.round((budgetMs + KILL_GRACE_MS) / 1000)} s without a result` };
  }
  if (!line) {
    return { error: `child exited ${child.status ?? child.signal} without a result: ${(child.stderr || String(child.error ?? '')).trim().slice(-800)}` };
  }
  return JSON.parse(line.slice(RESULT_MARKER.length)) as ChildResult;
}

function judge(benchCase: BenchCase<unknown>, size: SizeLabel, child: ChildResult, baseline: Baseline | undefined): BenchResult {
  const row: BenchResult = { name: benchCase.name, size, status: 'n/a', target: benchCase.target };
  if (child.unavailable !== undefined) return { ...row, status: 'unavailable', detail: child.unavailable };
  if (child.overBudget && !child.samplesMs?.length) return { ...row, status: 'FAIL', overBudget: true, detail: child.note ?? 'over budget' };
  if (child.error !== undefined || !child.samplesMs?.length) return { ...row, status: 'error', detail: child.error ?? 'no samples' };
  const samples = child.samplesMs;
  const medianMs = median(samples);
  const stats = { median: medianMs, p95: p95(samples), max: Math.max(...samples) };
  // Paired (each run against the restore run right before it) when the child ran restore, else
  // against the baseline's median.
  const pairs = child.restoreSamplesMs?.length === samples.length ? child.restoreSamplesMs : undefined;
  const restoreMs = pairs ? median(pairs) : baseline && !baseline.error ? baseline.medianMs : undefined;
  const ratioToRestore = pairs ? median(samples.map((ms, i) => ms / pairs[i])) : restoreMs ? medianMs / restoreMs : undefined;
  const { ratioToRestore: ratioTarget, absoluteMs, statistic = 'median', peakRssMb } = benchCase.target;
  const checks: boolean[] = [];
  if (ratioTarget !== undefined && ratioToRestore !== undefined) checks.push(ratioToRestore <= ratioTarget);
  if (absoluteMs !== undefined) checks.push(stats[statistic] <= absoluteMs);
  if (peakRssMb !== undefined) checks.push(child.peakRssBytes !== undefined && child.peakRssBytes <= peakRssMb * 1048576);
  if (child.overBudget) checks.push(false);
  const status = checks.length === 0 ? 'n/a' : checks.every(Boolean) ? 'PASS' : 'FAIL';
  let note = child.overBudget && !/over budget/.test(child.note ?? '') ? `over budget; ${child.note ?? ''}` : child.note;
  if (pairs) note = [note, `paired restore runs: median ${restoreMs!.toFixed(0)} ms`].filter(Boolean).join('; ');
  else if (child.restoreError) note = [note, `paired restore failed (${child.restoreError}): ratio to the baseline`].filter(Boolean).join('; ');
  return {
    ...row, status, note, overBudget: child.overBudget || undefined,
    samplesMs: samples.map(round1), medianMs: round1(medianMs), p95Ms: round1(stats.p95), maxMs: round1(stats.max),
    ratioToRestore: ratioToRestore === undefined ? undefined : Number(ratioToRestore.toFixed(3)),
    restoreSamplesMs: pairs?.map(round1),
    peakRssBytes: child.peakRssBytes, rssAtStartBytes: child.rssAtStartBytes,
  };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const mb = (bytes: number | undefined): string => (bytes === undefined ? '' : `${(bytes / 1048576).toFixed(1)} MiB`);
const formatTarget = (t: BenchResult['target']): string =>
  [
    t.ratioToRestore !== undefined ? `≤${t.ratioToRestore}× restore` : '',
    t.absoluteMs !== undefined ? `${t.statistic && t.statistic !== 'median' ? `${t.statistic} ` : ''}≤${t.absoluteMs} ms` : '',
    t.peakRssMb !== undefined ? `RSS ≤${t.peakRssMb} MiB` : '',
  ].filter(Boolean).join(', ') || '—';
const loadAverage = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const rightAligned = new Set([2, 3, 4, 5, 8]);
  rows.forEach((row, i) => {
    console.log(row.map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd());
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const sizes = SIZES.filter((s) => !options.sizes || options.sizes.includes(s.label));
  const cases = await loadCases(options.cases);
  const cliPath = existsSync(join(repoRoot, 'server', 'dist', 'cli.js')) ? join(repoRoot, 'server', 'dist', 'cli.js') : undefined;
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  console.log(`load average at start: ${loadAtStart} (${cpus().length} CPUs)`);

  const baselines = new Map<SizeLabel, Baseline>();
  const dumps = new Map<SizeLabel, Dump>();
  for (const size of sizes) {
    const dump = ensureDump(size.services);
    dumps.set(size.label, dump);
    if (options.restore) {
      const baseline = measureRestore(dump.path, options.restoreRuns ?? size.restoreRuns);
      baselines.set(size.label, baseline);
      console.log(baseline.error
        ? `restore baseline ${size.label}: unavailable (${baseline.error}); ratio targets will read n/a`
        : `restore baseline ${size.label}: median ${baseline.medianMs.toFixed(0)} ms over ${baseline.samplesMs.length} runs, peak RSS ${mb(baseline.peakRssBytes)}`);
    }
  }

  const bundledCases = new Map<string, string>();
  for (const { file } of cases) bundledCases.set(file, await bundleCase(file));

  const results: BenchResult[] = [];
  for (const size of sizes) {
    const dump = dumps.get(size.label)!;
    for (const { file, benchCase } of cases) {
      if (benchCase.sizes && !benchCase.sizes.includes(size.label)) {
        results.push({ name: benchCase.name, size: size.label, status: 'skipped', target: benchCase.target, detail: `not run at ${size.label} (runs at ${benchCase.sizes.join(', ')})` });
        continue;
      }
      process.stdout.write(`running ${benchCase.name} @ ${size.label} ... `);
      const budgetMs = benchCase.budgetMs ?? options.budgetMs;
      const baseline = baselines.get(size.label);
      // Ratio cases are judged against restore runs paired with their own: on a shared (virtual)
      // machine the speed of both drifts — by up to 1.6× within seconds on this one — so the child
      // runs restore right before each timed run, and the ratio is the median of the per-run ratios.
      const pairWithRestore = options.restore && benchCase.target.ratioToRestore !== undefined && !!baseline && !baseline.error;
      const context: ChildContext = {
        size: size.label, services: size.services, endpointsPerService: ENDPOINTS_PER_SERVICE,
        dumpPath: dump.path, bytes: dump.stats.bytes, rules: dump.stats.rules, repoRoot, cliPath,
        iterations: options.runs ?? size.runs, budgetMs, pairWithRestore,
      };
      const result = judge(benchCase, size.label, runCaseInChild(bundledCases.get(file)!, context, budgetMs), baseline);
      console.log(result.medianMs !== undefined ? `${result.medianMs} ms ${result.status}${result.overBudget ? ' (over budget)' : ''}` : result.status);
      results.push(result);
    }
  }
  const loadAtEnd = loadAverage();

  // ---- the table: every case at every size, the baseline first
  const header = ['measurement', 'size', 'median ms', 'p95 ms', 'max ms', 'ratio', 'target', 'result', 'peak RSS', 'note'];
  const rows = [header];
  for (const size of sizes) {
    const baseline = baselines.get(size.label);
    if (baseline) {
      rows.push(['iptables-legacy-restore --test', size.label, baseline.error ? '' : baseline.medianMs.toFixed(1), baseline.error ? '' : baseline.p95Ms.toFixed(1),
        baseline.error ? '' : Math.max(...baseline.samplesMs).toFixed(1), baseline.error ? '' : '1.00', 'baseline', baseline.error ? 'unavailable' : '', mb(baseline.peakRssBytes), baseline.error ?? `${dumps.get(size.label)!.stats.rules.toLocaleString('en-US')} rules, ${mb(dumps.get(size.label)!.stats.bytes)}`]);
    }
    for (const r of results.filter((x) => x.size === size.label)) {
      // The ratio is shown where it is the target; a request latency over a whole-file restore means little.
      const ratio = r.target.ratioToRestore !== undefined ? (r.ratioToRestore?.toFixed(2) ?? '') : '';
      rows.push([r.name, r.size, r.medianMs?.toFixed(1) ?? '', r.p95Ms?.toFixed(1) ?? '', r.maxMs?.toFixed(1) ?? '', ratio,
        formatTarget(r.target), r.status, mb(r.peakRssBytes), oneLine(r.detail ?? r.note ?? '')]);
    }
  }
  console.log();
  printTable(rows);

  // ---- growth: time per rule at the next size relative to the previous one (1 = linear)
  const growth = growthLines(sizes.map((s) => s.label), dumps, baselines, results);
  console.log();
  for (const line of growth) console.log(line);

  // ---- Markdown for the README, also in results.md
  const markdown = markdownReport(rows, growth, { startedAt, loadAtStart, loadAtEnd });
  writeFileSync(markdownPath, markdown);
  console.log(`\n${markdown}`);

  writeFileSync(resultsPath, JSON.stringify({
    generatedAt: startedAt.toISOString(),
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, totalMemoryBytes: totalmem(), loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadAtEnd },
    dumps: Object.fromEntries([...dumps].map(([label, d]) => [label, { path: d.path.slice(repoRoot.length + 1), ...d.stats }])),
    restoreBaseline: Object.fromEntries([...baselines].map(([label, b]) => [label, { ...b, samplesMs: b.samplesMs.map(round1), medianMs: round1(b.medianMs), p95Ms: round1(b.p95Ms) }])),
    results,
    growth,
  }, null, 2) + '\n');
  console.log(`wrote ${resultsPath.slice(repoRoot.length + 1)} and ${markdownPath.slice(repoRoot.length + 1)}`);

  const failed = results.filter((r) => r.status === 'FAIL' || r.status === 'error');
  for (const r of failed.filter((x) => x.status === 'error')) console.error(`\nerror in ${r.name} @ ${r.size}:\n${r.detail}`);
  process.exitCode = failed.length ? 1 : 0;
}

const oneLine = (text: string): string => text.split('\n')[0].slice(0, 120);

/**
 * One line per measurement: (median at the bigger size / median at the smaller) ÷ (rules at the
 * bigger / rules at the smaller). 1.0 means time grows like the rule count; 2.0 means each rule
 * costs twice as much in the bigger dump.
 */
function growthLines(labels: SizeLabel[], dumps: Map<SizeLabel, Dump>, baselines: Map<SizeLabel, Baseline>, results: BenchResult[]): string[] {
  const pairs = labels.slice(1).map((label, i) => [labels[i], label] as const);
  if (!pairs.length) return ['growth needs at least two sizes'];
  const medians = new Map<string, Map<SizeLabel, number>>();
  const add = (name: string, size: SizeLabel, ms: number | undefined) => {
    if (ms === undefined || !Number.isFinite(ms)) return;
    if (!medians.has(name)) medians.set(name, new Map());
    medians.get(name)!.set(size, ms);
  };
  for (const [size, b] of baselines) if (!b.error) add('iptables-legacy-restore --test', size, b.medianMs);
  for (const r of results) add(r.name, r.size, r.medianMs);
  const names = [...new Set(['iptables-legacy-restore --test', ...results.map((r) => r.name)])].filter((n) => medians.has(n));
  const width = Math.max(...names.map((n) => n.length));
  return names.map((name) => {
    const m = medians.get(name)!;
    const parts = pairs.map(([small, big]) => {
      const a = m.get(small);
      const b = m.get(big);
      if (a === undefined || b === undefined) return `${big}/${small} —`;
      const ruleRatio = dumps.get(big)!.stats.rules / dumps.get(small)!.stats.rules;
      return `${big}/${small} ${(b / a / ruleRatio).toFixed(2)}`;
    });
    return `growth  ${name.padEnd(width)}  ${parts.join('   ')}`;
  });
}

function markdownReport(rows: string[][], growth: string[], run: { startedAt: Date; loadAtStart: string; loadAtEnd: string }): string {
  // The README table: case, size, median, p95, max, ratio, target, result, peak RSS (the note stays in the console).
  const columns = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const lines = [
    `Benchmark of ${run.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, load average ${run.loadAtStart} (start) / ${run.loadAtEnd} (end). Ratios are to \`iptables-legacy-restore --test\` on the same dump: each timed run of a ratio case is paired with a restore run right before it and the ratio is the median of the per-run ratios (the restore times are in results.json and the notes); LSP peak RSS is the server's VmHWM.`,
    '',
    `| ${columns.map((c) => rows[0][c]).join(' | ')} |`,
    `|${columns.map((c) => ([2, 3, 4, 5, 8].includes(c) ? '---:' : '---')).join('|')}|`,
    ...rows.slice(1).map((row) => `| ${columns.map((c) => escape(row[c])).join(' | ')} |`),
    '',
    'Growth (median per rule at the bigger size ÷ at the smaller; 1.00 = linear; for per-request and trace cases constant time reads ≈0.10 at 10k/1k and ≈0.33 at 30k/10k):',
    '',
    '```',
    ...growth,
    '```',
    '',
  ];
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
