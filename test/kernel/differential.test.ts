// Differential suite: every case in cases.ts, and a fixed sample of random rulesets
// (random-rulesets.ts), goes through the real kernel (oracle.ts) and through the simulator; the
// kernel's step list must be one of the simulator's paths (compare.ts says what is compared).
// `npm run kernel:campaign` runs many more random cases than fit in `npm run test:kernel`.
//
// Without the oracle (not root, no iptables-nft …) the suite prints one `SKIPPED: <reason>` line and
// passes — except under CI=true, where it fails.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FORKING_CASES, caseDumpText, kernelCases } from './cases';
import { compareWithKernel } from './compare';
import { cleanupStaleNamespaces, oracleAvailable } from './oracle';
import { randomKernelCase } from './random-rulesets';
import { RANDOM_SAMPLE_SEEDS } from './random-sample';

const available = oracleAvailable();

if (!available.ok) {
  test('kernel differential suite', () => {
    if (process.env.CI === 'true') assert.fail(`kernel oracle unavailable under CI: ${available.reason}`);
    console.log(`SKIPPED: kernel differential suite — kernel oracle unavailable: ${available.reason}`);
  });
} else {
  cleanupStaleNamespaces();
  test('every forking case named in FORKING_CASES is a hand-written case', () => {
    const names = new Set(kernelCases.map((c) => c.name));
    assert.deepEqual(Object.keys(FORKING_CASES).filter((name) => !names.has(name)), []);
  });
  describe('kernel differential: kernel trace is one of the simulator paths', { concurrency: 3 }, () => {
    for (const c of kernelCases) {
      test(c.name, async () => {
        const result = await compareWithKernel(c.name, caseDumpText(c), { ...c.packet, nodeAddresses: c.nodeAddresses, ipsets: c.ipsets });
        if (result.disagreement) assert.fail(result.disagreement);
        assert.equal(result.simulatorPaths, FORKING_CASES[c.name] ?? 1, `how many paths the simulator has for ${c.name} (FORKING_CASES)`);
        if (c.nat) assert.ok(result.natApplied, `the kernel's conntrack entry shows no NAT for ${c.name} (compared: ${result.natCompared})`);
      });
    }
  });
  describe('kernel differential: random rulesets', { concurrency: 3 }, () => {
    for (const seed of RANDOM_SAMPLE_SEEDS) {
      const c = randomKernelCase(seed);
      test(c.name, async () => {
        const result = await compareWithKernel(c.name, c.dumpText, { ...c.packet, nodeAddresses: c.nodeAddresses, ipsets: c.ipsets });
        if (result.disagreement) assert.fail(`${result.disagreement}\n--- dump:\n${c.dumpText}`);
      });
    }
  });
}
