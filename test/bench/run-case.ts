// Child process of bench.ts: runs ONE case at ONE size and prints one line
// `BENCH_RESULT {json}` on stdout. A process per case keeps peak RSS and JIT state its own.
// Usage (bench.ts does this): node --expose-gc --import tsx test/bench/run-case.ts BUNDLED_CASE CONTEXT_JSON
// BUNDLED_CASE is a case file bundled by bench.ts with the product's esbuild options (a .cjs).
//
// Budget: runs stop early when the next one would not fit in the case's budget; a case still busy
// when the budget runs out is cut off (the timer fires as soon as the event loop is free, which for
// an asynchronous case — the LSP ones — is at once) and reported with the samples it had. A case
// stuck in synchronous code is killed by bench.ts a little later.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { isUnavailable, type BenchCase, type BenchContext, type RunOutcome } from './api';
import { RESULT_MARKER, restoreRun, runCommand, type ChildContext, type ChildResult } from './measure';

let reported = false;
function report(result: ChildResult): void {
  if (reported) return;
  reported = true;
  process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify(result)}\n`);
}

async function main(caseFile: string, contextJson: string): Promise<ChildResult> {
  const started = performance.now();
  const base = JSON.parse(contextJson) as ChildContext;
  let dumpText: string | undefined;
  const ctx: BenchContext = {
    ...base,
    get dumpText() {
      return (dumpText ??= readFileSync(base.dumpPath, 'utf8'));
    },
    runCommand,
  };
  const rssAtStartBytes = process.memoryUsage().rss;
  const module = (await import(pathToFileURL(caseFile).href)) as { default: BenchCase<unknown> | { default: BenchCase<unknown> } };
  // A CommonJS bundle (or tsx's .ts) arrives with its default export wrapped once more.
  const benchCase = ('run' in module.default ? module.default : module.default.default) as BenchCase<unknown>;
  const gc = benchCase.gcBetweenRuns === false ? undefined : (globalThis as { gc?: () => void }).gc;
  const budgetMs = benchCase.budgetMs ?? base.budgetMs;

  const samplesMs: number[] = [];
  const outcomes: RunOutcome[] = [];
  const restoreSamplesMs: number[] = [];
  let restoreError: string | undefined;
  const partial = (extra: Partial<ChildResult>): ChildResult => ({
    ...summarize(samplesMs, outcomes, rssAtStartBytes),
    ...(base.pairWithRestore ? { restoreSamplesMs: restoreSamplesMs.slice(), restoreError } : {}),
    ...extra,
  });

  // Cut-off for a case that hangs or is far too slow: report what we have, then exit (the LSP
  // helper kills its server on exit).
  const cutOff = setTimeout(() => {
    report(partial({ overBudget: true, note: `over budget (${Math.round(budgetMs / 1000)} s) after ${samplesMs.length} timed runs` }));
    process.exit(0);
  }, budgetMs);

  try {
    const state = benchCase.setup ? await benchCase.setup(ctx) : undefined;
    if (isUnavailable(state)) return { unavailable: state.unavailable };
    try {
      let lastRunMs = 0;
      const fits = () => performance.now() - started + lastRunMs <= budgetMs;
      for (let i = 0; i < (benchCase.warmup ?? 1) && fits(); i++) {
        const t = performance.now();
        await benchCase.run(ctx, state);
        lastRunMs = performance.now() - t;
      }
      const iterations = benchCase.iterations ?? base.iterations;
      let timedRuns = 0;
      for (let i = 0; i < iterations && (i === 0 || fits()); i++) {
        if (base.pairWithRestore && restoreError === undefined) {
          // The machine's speed drifts within seconds here: each run gets its own restore run.
          const { ms, result } = restoreRun(base.dumpPath);
          if (result.status === 0) restoreSamplesMs.push(ms);
          else restoreError = `exit ${result.status}: ${result.stderr.trim().slice(0, 300)}`;
        }
        gc?.();
        const start = performance.now();
        const outcome = await benchCase.run(ctx, state);
        lastRunMs = performance.now() - start;
        timedRuns++;
        if (outcome?.samplesMs) samplesMs.push(...outcome.samplesMs);
        else samplesMs.push(lastRunMs);
        if (outcome) outcomes.push(outcome);
      }
      if (timedRuns < iterations) outcomes.push({ note: `${timedRuns} of ${iterations} runs fitted the ${Math.round(budgetMs / 1000)} s budget` });
    } finally {
      const last = benchCase.teardown ? await benchCase.teardown(ctx, state) : undefined;
      if (last) outcomes.push(last);
    }
    const overBudget = performance.now() - started > budgetMs;
    return partial(overBudget ? { overBudget: true } : {});
  } finally {
    clearTimeout(cutOff);
  }
}

function summarize(samplesMs: number[], outcomes: RunOutcome[], rssAtStartBytes: number): ChildResult {
  // A case that spawns processes reports their peak; otherwise the peak is this process's own.
  const reportedRss = outcomes.map((o) => o.peakRssBytes).filter((v): v is number => v !== undefined);
  const peakRssBytes = reportedRss.length ? Math.max(...reportedRss) : process.resourceUsage().maxRSS * 1024;
  const notes = [...new Set(outcomes.map((o) => o.note).filter((n): n is string => !!n))];
  // The first note describes the work; a budget note (pushed last) is appended.
  const note = notes.length > 1 && /budget/.test(notes[notes.length - 1]) ? `${notes[0]}; ${notes[notes.length - 1]}` : notes[notes.length - 1];
  return { samplesMs: samplesMs.slice(), peakRssBytes, rssAtStartBytes, note };
}

// bench.ts kills a child that overruns its budget by far: run the exit hooks (they stop LSP servers).
process.on('SIGTERM', () => process.exit(1));

const [caseFile, contextJson] = process.argv.slice(2);
main(caseFile, contextJson)
  .catch((error: unknown): ChildResult => ({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
  .then((result) => {
    report(result);
    // LSP cases may leave handles (sockets, timers) behind; the result is out, so leave now.
    process.exit(0);
  });
