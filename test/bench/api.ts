// The tiny API a benchmark case implements. A case is one file in test/bench/cases/ that
// default-exports `defineBenchCase({...})`; bench.ts finds it by itself. Example (10 lines):
//
//   import { readFileSync } from 'node:fs';
//   import { defineBenchCase } from '../api';
//   export default defineBenchCase({
//     name: 'read file',
//     target: { ratioToRestore: 0.1 },
//     run(ctx) {
//       return { note: `${readFileSync(ctx.dumpPath, 'utf8').length} chars` };
//     },
//   });
//
// Each case runs in its own child process (so peak RSS is its own), once per dump size:
// setup() untimed, then `warmup` untimed runs, then `iterations` timed runs of run(), then
// teardown(). The whole case (setup included) must fit in its budget (default 120 s): runs stop
// early when the next one would not fit, and a case still running at the budget is cut off and
// reported FAIL "over budget" with whatever samples it had.

export type SizeLabel = '1k' | '10k' | '30k';

export interface BenchTarget {
  /**
   * pass when the median of (run ÷ the `iptables-legacy-restore --test` run on the same dump right
   * before it) ≤ this ratio (bench.ts pairs every timed run with a restore run)
   */
  ratioToRestore?: number;
  /** pass when the judged statistic (see `statistic`) ≤ this many milliseconds */
  absoluteMs?: number;
  /** which statistic absoluteMs applies to (default median); ratioToRestore always uses the median of the paired ratios */
  statistic?: 'median' | 'p95' | 'max';
  /** pass when the peak RSS reported for the case ≤ this many MiB */
  peakRssMb?: number;
}

export interface CommandResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** peak resident set size of the command (from /usr/bin/time -f %M), when measurable */
  peakRssBytes?: number;
}

export interface BenchContext {
  size: SizeLabel;
  services: number;
  endpointsPerService: number;
  /** absolute path of the generated dump */
  dumpPath: string;
  /** the dump's text, read (untimed) on first use */
  readonly dumpText: string;
  bytes: number;
  rules: number;
  repoRoot: string;
  /** `server/dist/cli.js` when it has been bundled, else undefined */
  cliPath?: string;
  /** runs a command to completion and measures its peak RSS; use for cold-start cases */
  runCommand(command: string, args: string[]): CommandResult;
}

/** What run() may report back; its peak RSS joins the case's own. */
export interface RunOutcome {
  peakRssBytes?: number;
  /**
   * Timings the case measured itself (e.g. one latency per LSP request, or the part of run() after
   * an untimed server start). When present they replace the wall time of run() as its samples.
   */
  samplesMs?: number[];
  /** a short remark shown in the table (e.g. "113,636 rules parsed") */
  note?: string;
}

export interface Unavailable {
  unavailable: string;
}

export function unavailable(reason: string): Unavailable {
  return { unavailable: reason };
}

export function isUnavailable(value: unknown): value is Unavailable {
  return typeof value === 'object' && value !== null && typeof (value as Unavailable).unavailable === 'string';
}

export interface BenchCase<State = undefined> {
  name: string;
  target: BenchTarget;
  /** sizes to run at (default: all) */
  sizes?: readonly SizeLabel[];
  /** timed runs (default 5, or bench.ts --runs) */
  iterations?: number;
  /** untimed runs before timing (default 1; 0 for cold-start cases that spawn a process anyway) */
  warmup?: number;
  /** milliseconds the whole case may take at one size, setup included (default 120 000) */
  budgetMs?: number;
  /** collect garbage before every timed run (default true; off for many short runs on a big heap) */
  gcBetweenRuns?: boolean;
  /** untimed, once per size: load modules, pre-compute. Return unavailable(reason) to skip the case. */
  setup?(ctx: BenchContext): State | Unavailable | Promise<State | Unavailable>;
  /** the timed work; throw to report an error */
  run(ctx: BenchContext, state: State): void | RunOutcome | Promise<void | RunOutcome>;
  /** untimed, once per size after the runs (stop servers); may return a last peak RSS / note */
  teardown?(ctx: BenchContext, state: State): void | RunOutcome | Promise<void | RunOutcome>;
}

/** Identity function that gives `run` the right `state` type. */
export function defineBenchCase<State = undefined>(benchCase: BenchCase<State>): BenchCase<State> {
  return benchCase;
}

/** One row of results (one case at one size), as written to results.json. */
export interface BenchResult {
  name: string;
  size: SizeLabel;
  status: 'PASS' | 'FAIL' | 'n/a' | 'unavailable' | 'error' | 'skipped';
  /** reason for unavailable / error */
  detail?: string;
  note?: string;
  samplesMs?: number[];
  medianMs?: number;
  p95Ms?: number;
  maxMs?: number;
  /** the case hit its budget (counts as FAIL) */
  overBudget?: boolean;
  ratioToRestore?: number;
  /** ratio cases: the restore run paired with each sample (same order) */
  restoreSamplesMs?: number[];
  target: BenchTarget;
  peakRssBytes?: number;
  /** RSS of the child process before the case was loaded (node + tsx alone) */
  rssAtStartBytes?: number;
}
