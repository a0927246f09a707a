// Runs a fuzz campaign in worker threads with a watchdog: an input running longer than
// `hangMs` is a hang — the worker is ended, the hang recorded (with the input regenerated from
// its seed) and a fresh worker goes on with the next input.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { WorkerMessage, WorkerTask } from './worker';
import { generateInput } from './generate';

export interface CampaignOptions {
  seed: number;
  inputs: number;
  /** parallel workers (inputs are split in contiguous shards) */
  workers?: number;
  hangMs?: number;
  slowMs?: number;
  maxCorpus?: number;
  onProgress?: (done: number) => void;
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
  originalLength: number;
}

export interface CampaignResult {
  inputs: number;
  failures: CampaignFailure[];
  /** inputs kept because they showed new behaviour (summed over workers) */
  corpusSize: number;
  features: number;
  ms: number;
  slowest: { index: number; ms: number; length: number };
}

/** How long minimising one failure may take before the worker counts as hung. */
const MINIMIZE_MS = 180_000;

function runShard(task: WorkerTask, hangMs: number, failures: CampaignFailure[], onStart: () => void): Promise<{ corpusSize: number; features: number; slowest: CampaignResult['slowest'] }> {
  return new Promise((resolve, reject) => {
    let current = task.from;
    let currentInput: { base: string; ops: string[]; text: string } | undefined;
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
    const arm = (ms = hangMs) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        finished = true;
        void worker.terminate();
        const input = currentInput ?? generateInput(task.seed, current);
        failures.push({ index: current, base: input.base, ops: input.ops, stage: 'hang', detail: `no answer after ${ms} ms`, input: input.text, originalLength: input.text.length });
        // go on after the hanging input
        if (current + 1 < task.to) runShard({ ...task, from: current + 1 }, hangMs, failures, onStart).then(resolve, reject);
        else resolve({ corpusSize: 0, features: 0, slowest: { index: -1, ms: 0, length: 0 } });
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
        failures.push({ index: m.index, base: m.base, ops: m.ops, stage: m.stage, detail: m.detail, stack: m.stack, input: m.minimized, originalLength: m.originalLength });
      } else {
        onStart();
        finished = true;
        if (timer) clearTimeout(timer);
        void worker.terminate();
        resolve({ corpusSize: m.corpusSize, features: m.features, slowest: m.slowest });
      }
    });
    worker.on('error', (error) => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      // the worker itself died (stack overflow outside a stage, out of memory …): a failure too
      const input = currentInput ?? generateInput(task.seed, current);
      failures.push({ index: current, base: input.base, ops: input.ops, stage: 'worker-crash', detail: String(error?.stack ?? error), input: input.text, originalLength: input.text.length });
      if (current + 1 < task.to) runShard({ ...task, from: current + 1 }, hangMs, failures, onStart).then(resolve, reject);
      else resolve({ corpusSize: 0, features: 0, slowest: { index: -1, ms: 0, length: 0 } });
    });
  });
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const started = performance.now();
  const workers = Math.max(1, Math.min(options.workers ?? 1, options.inputs));
  const failures: CampaignFailure[] = [];
  const per = Math.ceil(options.inputs / workers);
  let done = 0;
  const shards = [];
  for (let w = 0; w < workers; w++) {
    const from = w * per;
    const to = Math.min(options.inputs, from + per);
    if (from >= to) continue;
    const task: WorkerTask = { seed: options.seed, from, to, slowMs: options.slowMs ?? 1500, maxCorpus: options.maxCorpus ?? 1000 };
    shards.push(runShard(task, options.hangMs ?? 5000, failures, () => options.onProgress?.(++done)));
  }
  const results = await Promise.all(shards);
  failures.sort((a, b) => a.index - b.index);
  if (options.saveDir) {
    mkdirSync(options.saveDir, { recursive: true });
    for (const f of failures) writeFileSync(join(options.saveDir, `${f.index}-${f.stage.replace(/\W+/g, '_')}.rules`), f.input);
  }
  const slowest = results.reduce((a, r) => (r.slowest.ms > a.ms ? r.slowest : a), { index: -1, ms: 0, length: 0 });
  return {
    inputs: options.inputs,
    failures,
    corpusSize: results.reduce((s, r) => s + r.corpusSize, 0),
    features: Math.max(0, ...results.map((r) => r.features)),
    ms: performance.now() - started,
    slowest,
  };
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
