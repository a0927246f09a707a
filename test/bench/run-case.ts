// Child process of bench.ts: runs ONE case at ONE size and prints one line
// `BENCH_RESULT {json}` on stdout. A process per case keeps peak RSS and JIT state its own.
// Usage (bench.ts does this): node --expose-gc --import tsx test/bench/run-case.ts CASE_FILE CONTEXT_JSON
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { isUnavailable, type BenchCase, type BenchContext, type RunOutcome } from './api';
import { RESULT_MARKER, runCommand, type ChildContext, type ChildResult } from './measure';

async function main(caseFile: string, contextJson: string): Promise<ChildResult> {
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
  // tsx loads .ts as CommonJS, so the default export can arrive wrapped once more.
  const benchCase = ('run' in module.default ? module.default : module.default.default) as BenchCase<unknown>;
  const gc = (globalThis as { gc?: () => void }).gc;

  const state = benchCase.setup ? await benchCase.setup(ctx) : undefined;
  if (isUnavailable(state)) return { unavailable: state.unavailable };

  const outcomes: RunOutcome[] = [];
  for (let i = 0; i < (benchCase.warmup ?? 1); i++) await benchCase.run(ctx, state);
  const samplesMs: number[] = [];
  for (let i = 0; i < (benchCase.iterations ?? base.iterations); i++) {
    gc?.();
    const start = performance.now();
    const outcome = await benchCase.run(ctx, state);
    samplesMs.push(performance.now() - start);
    if (outcome) outcomes.push(outcome);
  }
  // A case that spawns processes reports their peak; otherwise the peak is this process's own.
  const reported = outcomes.map((o) => o.peakRssBytes).filter((v): v is number => v !== undefined);
  const peakRssBytes = reported.length ? Math.max(...reported) : process.resourceUsage().maxRSS * 1024;
  return { samplesMs, peakRssBytes, rssAtStartBytes, note: outcomes.find((o) => o.note)?.note };
}

const [caseFile, contextJson] = process.argv.slice(2);
main(caseFile, contextJson)
  .catch((error: unknown): ChildResult => ({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
  .then((result) => {
    process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify(result)}\n`);
  });
