// Fuzz worker: runs inputs [from, to) of a campaign and reports each start (the parent's watchdog
// uses it to spot hangs), each failure (already minimised) and the end. Runs in a worker thread so
// that a hang can be ended by the parent without losing the campaign.
import { parentPort, workerData } from 'node:worker_threads';
import { exercise, FuzzFailure, type ExerciseOptions } from './exercise';
import { generateInput } from './generate';
import { minimize } from './minimize';
import type { CorpusEntry } from './corpus';

export interface WorkerTask {
  seed: number;
  from: number;
  to: number;
  /** an input slower than this gets the linearity probe (its rule lines ×4 must cost < 10× as much) */
  slowMs: number;
  /** cap on the corpus this worker grows from inputs showing new behaviour */
  maxCorpus: number;
  /** how much of each input the harness exercises (the long run uses a lighter setting) */
  exercise?: ExerciseOptions;
  /** lines of a corpus entry an input starts from (a window of bigger files) */
  maxLines?: number;
  /** epoch ms after which the worker stops (the long run's time budget) */
  deadline?: number;
}

export type WorkerMessage =
  | { type: 'start'; index: number; base: string; ops: string[]; text: string; exerciseSeed: number }
  | { type: 'minimizing'; index: number }
  | { type: 'fail'; index: number; base: string; ops: string[]; stage: string; detail: string; stack?: string; minimized: string; exerciseSeed: number; originalLength: number; minimizeAttempts: number }
  | { type: 'end'; done: number; corpusSize: number; features: number; slowest: { index: number; ms: number; length: number } };

const task = workerData as WorkerTask;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

/** Each rule line four times in place: the same chains, 4× as long. */
function scaleRules(text: string): string {
  return text
    .split('\n')
    .flatMap((l) => (/^-[AI] /.test(l) ? [l, l, l, l] : [l]))
    .join('\n');
}

function timed(text: string, seed: number): number {
  const t = performance.now();
  exercise(text, seed, { cli: false });
  return performance.now() - t;
}

const grown: CorpusEntry[] = [];
const minimized = new Set<string>();
const seen = new Set<string>();
let slowest = { index: -1, ms: 0, length: 0 };
let index = task.from;
for (; index < task.to; index++) {
  if (task.deadline && Date.now() > task.deadline) break;
  const input = generateInput(task.seed, index, grown, task.maxLines);
  // the parent keeps the input: if it hangs, this is what gets reported
  post({ type: 'start', index, base: input.base, ops: input.ops, text: input.text, exerciseSeed: input.exerciseSeed });
  let failure: FuzzFailure | undefined;
  const started = performance.now();
  try {
    const report = exercise(input.text, input.exerciseSeed, task.exercise);
    const ms = performance.now() - started;
    if (ms > slowest.ms) slowest = { index, ms, length: input.text.length };
    let fresh = false;
    for (const f of report.features) if (!seen.has(f)) (seen.add(f), (fresh = true));
    if (fresh && grown.length < task.maxCorpus && input.text.length < 200_000) grown.push({ name: `grown/${index}`, text: input.text });
    if (ms > task.slowMs) {
      // Linearity probe, timed twice each (a loaded machine adds noise; take the best).
      const base = Math.min(timed(input.text, input.exerciseSeed), timed(input.text, input.exerciseSeed));
      const scaled = scaleRules(input.text);
      const big = Math.min(timed(scaled, input.exerciseSeed), timed(scaled, input.exerciseSeed));
      if (big > 10 * Math.max(base, 50)) failure = new FuzzFailure('linearity', `rule lines ×4 took ${big.toFixed(0)} ms against ${base.toFixed(0)} ms`);
    }
  } catch (error) {
    failure = error instanceof FuzzFailure ? error : new FuzzFailure('harness', String(error), error instanceof Error ? error.stack : undefined);
  }
  if (failure) {
    post({ type: 'minimizing', index });
    // A failure already minimised once is reported as found, not minimised again (that would eat the budget).
    const again = minimized.has(failure.signature);
    minimized.add(failure.signature);
    const small = failure.stage === 'linearity' || again ? { text: input.text, failure, attempts: 0 } : minimize(input.text, input.exerciseSeed, failure);
    post({
      type: 'fail',
      index,
      base: input.base,
      ops: input.ops,
      stage: small.failure.stage,
      detail: small.failure.detail,
      stack: small.failure.stack2,
      minimized: small.text,
      exerciseSeed: input.exerciseSeed,
      originalLength: input.text.length,
      minimizeAttempts: small.attempts,
    });
  }
}
post({ type: 'end', done: index - task.from, corpusSize: grown.length, features: seen.size, slowest });
