// The long fuzz budget: `npm run fuzz` (≥ 100k inputs). Options: --inputs N --seed S --workers W
// --hang-ms MS --minutes M (stop early, report what ran) --save DIR (failing inputs are written there, default $TMPDIR/iptables-lens-fuzz).
// Prints inputs run, failures (distinct ones with their minimised input), corpus size and time;
// exits 1 when anything failed.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { describeFailure, runCampaign } from './campaign';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const inputs = option('inputs', 100_000);
  const seed = option('seed', Date.now() % 1_000_000);
  const workers = option('workers', Math.max(1, Math.min(8, availableParallelism() - 1)));
  const hangMs = option('hang-ms', 5000);
  const minutes = option('minutes', 0);
  const saveIndex = process.argv.indexOf('--save');
  const saveDir = saveIndex > 0 ? process.argv[saveIndex + 1] : join(tmpdir(), 'iptables-lens-fuzz', String(seed));
  console.log(`fuzz: ${inputs} inputs, seed ${seed}, ${workers} workers, hang limit ${hangMs} ms`);
  let last = Date.now();
  const result = await runCampaign({
    seed,
    inputs,
    workers,
    hangMs,
    saveDir,
    maxCorpus: 2000,
    maxLines: 150,
    budgetMs: minutes ? minutes * 60_000 : undefined,
    // lighter per input than `npm test`'s campaign: breadth over depth (≥ 100k inputs)
    exercise: { offsets: 3, packets: 1, cli: false },
    onProgress(done) {
      if (Date.now() - last > 30_000 || done === inputs) {
        last = Date.now();
        console.log(`  ${done}/${inputs} inputs`);
      }
    },
  });
  const unique = new Map<string, (typeof result.failures)[number]>();
  const counts = new Map<string, number>();
  for (const f of result.failures) {
    const key = `${f.stage}: ${f.detail.split('\n')[0].replace(/\d+/g, 'N').slice(0, 160)}`;
    if (!unique.has(key)) unique.set(key, f);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, f] of unique) console.log(`\n[${counts.get(key)}×] ${describeFailure(f)}`);
  console.log(
    `\ninputs run: ${result.inputs}\nfailures: ${result.failures.length} (${unique.size} distinct)${result.failures.length ? `, inputs saved in ${saveDir}` : ''}\n` +
      `corpus size: ${result.corpusSize} inputs kept for new behaviour (${result.features} behaviour features seen)\n` +
      `hangs not confirmed when re-run alone (machine load): ${result.unconfirmedHangs.map((h) => `#${h.index} (${h.rerunMs.toFixed(0)} ms)`).join(', ') || 'none'}\n` +
      `slowest input: #${result.slowest.index}, ${result.slowest.length} characters, ${result.slowest.ms.toFixed(0)} ms\n` +
      `time: ${(result.ms / 1000).toFixed(1)} s (${((result.inputs / result.ms) * 1000).toFixed(0)} inputs/s)`,
  );
  process.exitCode = result.failures.length ? 1 : 0;
}

void main();
