// Random kernel campaign: N random rulesets (random-rulesets.ts), each with one packet, through the
// real kernel and the simulator. Prints each disagreement with its dump, then the counts.
//   npm run kernel:campaign -- [--cases N] [--seed S] [--concurrency C] [--out DIR]
// A case's seed is S + index, so a disagreement is reproduced by `--seed <its seed> --cases 1`.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareWithKernel } from './compare';
import { cleanupStaleNamespaces, oracleAvailable } from './oracle';
import { randomKernelCase } from './random-rulesets';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

async function main(): Promise<void> {
  const available = oracleAvailable();
  if (!available.ok) {
    console.error(`kernel oracle unavailable: ${available.reason}`);
    process.exit(2);
  }
  cleanupStaleNamespaces();
  const cases = flag('cases', 100);
  const first = flag('seed', 1000);
  const concurrency = flag('concurrency', 3);
  const outAt = process.argv.indexOf('--out');
  const out = outAt >= 0 ? process.argv[outAt + 1] : undefined;
  const counts = { agree: 0, disagree: 0, harness: 0 };
  const disagreeing: number[] = [];
  let forks = 0;
  let steps = 0;
  /** cases whose NAT (the kernel's conntrack entry) was compared too */
  let natCompared = 0;
  let natApplied = 0;
  /** rules the analysis flagged as never reached or never matching, in the cases compared */
  const neverReached: Record<string, number> = {};
  let casesWithFindings = 0;
  const started = Date.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < cases) {
      const seed = first + next++;
      const c = randomKernelCase(seed);
      try {
        const result = await compareWithKernel(c.name, c.dumpText, { ...c.packet, nodeAddresses: c.nodeAddresses, ipsets: c.ipsets });
        steps += result.kernelSteps;
        for (const [code, count] of Object.entries(result.neverReached)) neverReached[code] = (neverReached[code] ?? 0) + count;
        if (Object.keys(result.neverReached).length > 0) casesWithFindings++;
        if (result.simulatorPaths > 1) forks++;
        if (result.natCompared) natCompared++;
        if (result.natApplied) natApplied++;
        if (!result.disagreement) { counts.agree++; continue; }
        counts.disagree++;
        disagreeing.push(seed);
        console.log(`\n### DISAGREEMENT ${result.disagreement}\n--- dump:\n${c.dumpText}${c.ipsets ? `--- ipsets:\n${c.ipsets}` : ''}`);
        if (out) {
          mkdirSync(out, { recursive: true });
          writeFileSync(join(out, `seed-${seed}.rules`), c.dumpText);
          if (c.ipsets) writeFileSync(join(out, `seed-${seed}.ipset`), c.ipsets);
        }
      } catch (error) {
        counts.harness++;
        console.log(`\n### HARNESS/LOAD ERROR seed ${seed}: ${(error as Error).message}\n--- dump:\n${c.dumpText}`);
      }
    }
  }));
  console.log(`\n${cases} random cases from seed ${first}: ${counts.agree} agree, ${counts.disagree} disagree` +
    `${disagreeing.length ? ` (seeds ${disagreeing.sort((a, b) => a - b).join(', ')})` : ''}, ${counts.harness} not compared (kernel refused the dump or the harness failed); ` +
    `${steps} kernel steps compared, the connection after NAT compared in ${natCompared} cases (${natApplied} rewritten by NAT), ${forks} cases where the simulator forked; ` +
    `flagged by the lint (rules; chains for graph/unused-chain) ${Object.entries(neverReached).sort().map(([code, count]) => `${code} ${count}`).join(', ') || 'reach/* 0'} in ${casesWithFindings} cases, none of them matched by the kernel unless listed above; ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exitCode = counts.disagree || counts.harness ? 1 : 0;
}

main().catch((error) => { console.error(error); process.exit(1); });
