// Runs every kernel case against the real kernel and prints what it did, one step a line:
//   node --import tsx test/kernel/record.ts [name filter] [--concurrency N] [--raw]
// `table:chain:kind:rule:verdict` (rule is `-` for policy lines). --raw adds xtables-monitor's lines.

import { spawnSync } from 'node:child_process';
import { caseDumpText, kernelCases } from './cases';
import { cleanupStaleNamespaces, formatSteps, kernelTraceDetailed, oracleAvailable, type KernelTraceDetails } from './oracle';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const raw = args.includes('--raw');
  const concurrencyAt = args.indexOf('--concurrency');
  const concurrency = concurrencyAt >= 0 ? Number(args[concurrencyAt + 1]) : 3;
  const filter = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--concurrency');
  const available = oracleAvailable();
  if (!available.ok) {
    console.error(`kernel oracle unavailable: ${available.reason}`);
    process.exit(2);
  }
  cleanupStaleNamespaces();
  const cases = kernelCases.filter((c) => !filter || c.name.includes(filter));
  const results: Array<KernelTraceDetails | Error> = new Array(cases.length);
  let next = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, async () => {
    while (next < cases.length) {
      const index = next++;
      const c = cases[index];
      try {
        results[index] = await kernelTraceDetailed(caseDumpText(c), { ...c.packet, nodeAddresses: c.nodeAddresses });
      } catch (error) {
        results[index] = error as Error;
      }
    }
  }));
  let failures = 0;
  cases.forEach((c, i) => {
    const r = results[i];
    console.log(`## ${c.name}`);
    if (r instanceof Error) { failures++; console.log(`ERROR ${r.message}`); return; }
    console.log(formatSteps(r.steps) || '(no steps)');
    if (raw) console.log(r.raw.map((l) => `   | ${l}`).join('\n'));
    console.log(`   (${r.elapsedMs} ms)`);
  });
  const times = results.filter((r): r is KernelTraceDetails => !(r instanceof Error)).map((r) => r.elapsedMs).sort((a, b) => a - b);
  const median = times.length ? times[Math.floor(times.length / 2)] : 0;
  console.log(`\n${cases.length} cases, ${failures} errors, wall ${Date.now() - started} ms, per packet median ${median} ms, max ${times[times.length - 1] ?? 0} ms (concurrency ${concurrency})`);
  const leftovers = (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '').split('\n').filter((l) => l.startsWith(`ipl${process.pid}x`));
  if (leftovers.length) { console.log(`LEFTOVER NAMESPACES: ${leftovers.join(', ')}`); failures++; }
  process.exitCode = failures ? 1 : 0;
}

main().catch((error) => { console.error(error); process.exit(1); });
