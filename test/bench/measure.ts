// Measuring helpers shared by bench.ts (parent) and run-case.ts (one child per case × size).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { BenchContext, CommandResult } from './api';

/** run-case.ts prints its result on one stdout line starting with this. */
export const RESULT_MARKER = 'BENCH_RESULT ';

/** What bench.ts hands run-case.ts (as JSON): the context minus what the child builds itself. */
export interface ChildContext extends Omit<BenchContext, 'dumpText' | 'runCommand'> {
  /** timed runs when the case does not set its own */
  iterations: number;
  /** budget when the case does not set its own */
  budgetMs: number;
  /**
   * Ratio cases: run `iptables-legacy-restore --test` on the dump right before each timed run
   * (untimed for the case), so that each run has its own yardstick (see restoreRun).
   */
  pairWithRestore?: boolean;
}

export interface ChildResult {
  unavailable?: string;
  error?: string;
  samplesMs?: number[];
  note?: string;
  peakRssBytes?: number;
  /** the child's RSS before the case was loaded (node + tsx), to tell the case's own share */
  rssAtStartBytes?: number;
  /** the case did not finish within its budget (samples, if any, are the ones it had) */
  overBudget?: boolean;
  /** with pairWithRestore: restore's time right before each timed run (same order as samplesMs) */
  restoreSamplesMs?: number[];
  /** with pairWithRestore: why restore could not be run */
  restoreError?: string;
}

/** Default per-case, per-size budget (setup + runs + teardown). */
export const DEFAULT_BUDGET_MS = 120_000;

const TIME_BINARY = '/usr/bin/time';
const PEAK_MARKER = '__BENCH_PEAK_RSS_KB=';

/**
 * Runs `command args` to completion. Peak RSS comes from GNU time's %M (node's spawnSync gives no
 * rusage); without /usr/bin/time it is left undefined.
 */
export function runCommand(command: string, args: string[]): CommandResult {
  const useTime = existsSync(TIME_BINARY);
  const result = useTime
    ? spawnSync(TIME_BINARY, ['-f', `${PEAK_MARKER}%M`, command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  let stderr = result.stderr ?? '';
  let peakRssBytes: number | undefined;
  if (useTime) {
    const at = stderr.lastIndexOf(PEAK_MARKER);
    if (at >= 0) {
      peakRssBytes = Number(stderr.slice(at + PEAK_MARKER.length).trim()) * 1024;
      stderr = stderr.slice(0, at);
      // GNU time reports "Command exited with non-zero status N" just before the format line.
      stderr = stderr.replace(/Command exited with non-zero status \d+\n?$/, '').replace(/Command terminated by signal \d+\n?$/, '');
    }
  }
  if (result.error) stderr += String(result.error);
  return { status: result.status, signal: result.signal, stdout: result.stdout ?? '', stderr, peakRssBytes };
}

/**
 * One timed run of `iptables-legacy-restore --test` on the dump, in a fresh network namespace (the
 * host's tables are never read or written): the yardstick of every ratio.
 */
export function restoreRun(dumpPath: string): { ms: number; result: CommandResult } {
  const start = performance.now();
  const result = runCommand('unshare', ['-n', 'iptables-legacy-restore', '--test', dumpPath]);
  return { ms: performance.now() - start, result };
}

export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank 95th percentile (with 5 samples this is the slowest run). */
export function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)];
}
