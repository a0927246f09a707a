// Runs a fuzz campaign in worker threads with a watchdog: an input running longer than
// `hangMs` is a hang — the worker is ended, the hang recorded (with the input regenerated from
// its seed) and a fresh worker goes on with the next input.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { WorkerMessage, WorkerTask } from './worker';
import { generateInput } from './generate';
import type { ExerciseOptions } from './exercise';

export interface CampaignOptions {
  seed: number;
  inputs: number;
  /** parallel workers (inputs are split in contiguous shards) */
  workers?: number;
  hangMs?: number;
  slowMs?: number;
  maxCorpus?: number;
  onProgress?: (done: number) => void;
  maxLines?: number;
  /** stop after this many ms (inputs run is then reported as how many ran) */
  budgetMs?: number;
  /** harness settings per input (default: the full one) */
  exercise?: ExerciseOptions;
  /** write every failing input (full text, minimised) to this directory as `<index>-<stage>.rules` */
  saveDir?: string;
}

export interface CampaignFailure {
  index: number;
  base: string;
  ops: string[];
  stage: string;
  detail: string;
  stack?: string;
  /** the minimised input (for hangs: the input itself) */
  input: string;
  exerciseSeed: number;
  originalLength: number;
}

export interface CampaignResult {
  inputs: number;
  failures: CampaignFailure[];
  /** inputs that passed the watchdog limit once but finished within it when re-run alone (machine load) */
  unconfirmedHangs: Array<{ index: number; rerunMs: number }>;
  /** inputs kept because they showed new behaviour (summed over workers) */
  corpusSize: number;
  features: number;
  ms: number;
  slowest: { index: number; ms: number; length: number };
}

/** How long minimising one failure may take before the worker counts as hung. */
const MINIMIZE_MS = 180_000;

interface ShardResult {
  done: number;
  corpusSize: number;
  features: number;
  slowest: CampaignResult['slowest'];
}

function runShard(task: WorkerTask, hangMs: number, failures: CampaignFailure[], onStart: () => void): Promise<ShardResult> {
  return new Promise((resolve, reject) => {
    let current = task.from;
    let currentInput: { base: string; ops: string[]; text: string; exerciseSeed: number } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    // Workers do not inherit tsx's loader hooks: register its CommonJS hook inside the worker first.
    const boot = `require('tsx/cjs'); require(${JSON.stringify(join(__dirname, 'worker.ts'))});`;
    const worker = new Worker(boot, {
      eval: true,
      workerData: task,
      // the language server's main thread has ~1 MB of stack: fuzz with the same, so recursion bugs show
      resourceLimits: { stackSizeMb: 1, maxOldGenerationSizeMb: 3072 },
    });
    /** a fresh worker for the inputs after `index` (the one that hung or crashed) */
    const continueAfter = (index: number) => {
      const doneHere = index - task.from + 1;
      if (index + 1 < task.to) runShard({ ...task, from: index + 1 }, hangMs, failures, onStart).then((rest) => resolve({ ...rest, done: rest.done + doneHere }), reject);
      else resolve({ done: doneHere, corpusSize: 0, features: 0, slowest: { index: -1, ms: 0, length: 0 } });
    };
    const arm = (ms = hangMs) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        finished = true;
        void worker.terminate();
        const input = currentInput ?? generateInput(task.seed, current);
        failures.push({ index: current, base: input.base, ops: input.ops, stage: 'hang', detail: `no answer after ${ms} ms`, input: input.text, originalLength: input.text.length, exerciseSeed: input.exerciseSeed });
        // go on after the hanging input
        continueAfter(current);
      }, ms);
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'start') {
        if (m.index > task.from) onStart();
        current = m.index;
        currentInput = m;
        arm();
      } else if (m.type === 'minimizing') {
        arm(MINIMIZE_MS); // re-running a failing input up to 1500 times takes its own time
      } else if (m.type === 'fail') {
        failures.push({ index: m.index, base: m.base, ops: m.ops, stage: m.stage, detail: m.detail, stack: m.stack, input: m.minimized, originalLength: m.originalLength, exerciseSeed: m.exerciseSeed });
      } else {
        onStart();
        finished = true;
        if (timer) clearTimeout(timer);
        void worker.terminate();
        resolve({ done: m.done, corpusSize: m.corpusSize, features: m.features, slowest: m.slowest });
      }
    });
    worker.on('error', (error) => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      // the worker itself died (stack overflow outside a stage, out of memory …): a failure too
      const input = currentInput ?? generateInput(task.seed, current);
      failures.push({ index: current, base: input.base, ops: input.ops, stage: 'worker-crash', detail: String(error?.stack ?? error), input: input.text, originalLength: input.text.length, exerciseSeed: input.exerciseSeed });
      continueAfter(current);
    });
  });
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const started = performance.now();
  const workers = Math.max(1, Math.min(options.workers ?? 1, options.inputs));
  const failures: CampaignFailure[] = [];
  const per = Math.ceil(options.inputs / workers);
  const deadline = options.budgetMs ? Date.now() + options.budgetMs : undefined;
  let done = 0;
  const shards = [];
  for (let w = 0; w < workers; w++) {
    const from = w * per;
    const to = Math.min(options.inputs, from + per);
    if (from >= to) continue;
    const task: WorkerTask = { seed: options.seed, from, to, slowMs: options.slowMs ?? 1500, maxCorpus: options.maxCorpus ?? 1000, exercise: options.exercise, maxLines: options.maxLines, deadline };
    shards.push(runShard(task, options.hangMs ?? 5000, failures, () => options.onProgress?.(++done)));
  }
  const results = await Promise.all(shards);
  failures.sort((a, b) => a.index - b.index);
  // A hang on a loaded machine may be noise: re-run each alone; only a second overrun counts.
  const unconfirmedHangs: CampaignResult['unconfirmedHangs'] = [];
  for (const f of failures.filter((x) => x.stage === 'hang')) {
    const rerunMs = await timeAlone(f.input, f.exerciseSeed, options.exercise, Math.max(options.hangMs ?? 5000, 5000) * 3);
    if (rerunMs !== undefined && rerunMs < (options.hangMs ?? 5000)) {
      unconfirmedHangs.push({ index: f.index, rerunMs });
      failures.splice(failures.indexOf(f), 1);
    } else f.detail += rerunMs === undefined ? '; still running when re-run alone (ended after 3× the limit)' : `; re-run alone: ${rerunMs.toFixed(0)} ms`;
  }
  if (options.saveDir) {
    mkdirSync(options.saveDir, { recursive: true });
    for (const f of failures) writeFileSync(join(options.saveDir, `${f.index}-${f.stage.replace(/\W+/g, '_')}.rules`), f.input);
  }
  const slowest = results.reduce((a, r) => (r.slowest.ms > a.ms ? r.slowest : a), { index: -1, ms: 0, length: 0 });
  return {
    inputs: results.reduce((s, r) => s + r.done, 0),
    failures,
    corpusSize: results.reduce((s, r) => s + r.corpusSize, 0),
    features: Math.max(0, ...results.map((r) => r.features)),
    ms: performance.now() - started,
    slowest,
    unconfirmedHangs,
  };
}

/** Run one input through the harness in a fresh worker; its time, or undefined when it did not end within `limitMs`. */
function timeAlone(text: string, seed: number, exercise: ExerciseOptions | undefined, limitMs: number): Promise<number | undefined> {
  const code = `require('tsx/cjs'); const { parentPort, workerData } = require('node:worker_threads'); const { exercise } = require(${JSON.stringify(join(__dirname, 'exercise.ts'))});
    const t = performance.now(); try { exercise(workerData.text, workerData.seed, workerData.exercise); } catch {} parentPort.postMessage(performance.now() - t);`;
  return new Promise((resolve) => {
    const worker = new Worker(code, { eval: true, workerData: { text, seed, exercise }, resourceLimits: { stackSizeMb: 1, maxOldGenerationSizeMb: 3072 } });
    const timer = setTimeout(() => (void worker.terminate(), resolve(undefined)), limitMs);
    worker.on('message', (ms: number) => (clearTimeout(timer), void worker.terminate(), resolve(ms)));
    worker.on('error', () => (clearTimeout(timer), resolve(undefined)));
  });
}

/** A failure as printed by the tests and the long run: what, where it came from, and the input. */
export function describeFailure(f: CampaignFailure): string {
  const shown = f.input.length > 3000 ? `${JSON.stringify(f.input.slice(0, 3000))} … (${f.input.length} characters)` : JSON.stringify(f.input);
  return [
    `input #${f.index} (from ${f.base}, mutations: ${f.ops.join(', ') || 'none'}; ${f.originalLength} → ${f.input.length} characters)`,
    `  ${f.stage}: ${f.detail}`,
    f.stack ? `  ${f.stack.split('\n').slice(1, 6).join('\n  ')}` : '',
    `  minimised input (JSON string): ${shown}`,
  ]
    .filter(Boolean)
    .join('\n');
}
