// The short fuzz budget run by `npm test`: a fixed-seed campaign of mutated seed and real-world
// dumps through parser, analyses, traces and every pure IDE feature, in worker threads with a
// 5 s hang watchdog. Deterministic: the same inputs every run (`npm run fuzz` runs ≥ 100k).
// A failure prints the minimised input as a JSON string, ready to paste into a regression fixture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFailure, runCampaign } from './campaign';
import { loadCorpus } from './corpus';
import { exercise } from './exercise';

export const SHORT_SEED = 0x1ab5;
export const SHORT_INPUTS = 200;

test('every seed and real-world dump passes the harness unmutated', () => {
  for (const entry of loadCorpus()) {
    // the 340 kB real-world dump is exercised by the campaign in windows; here only its parse/lint/trace matter
    exercise(entry.text, 7, entry.text.length > 100_000 ? { offsets: 2, packets: 1, cli: false } : {});
  }
});

test(`short fuzz campaign: ${SHORT_INPUTS} mutated inputs, seed ${SHORT_SEED}`, { timeout: 600_000 }, async () => {
  const result = await runCampaign({ seed: SHORT_SEED, inputs: SHORT_INPUTS, workers: 2, hangMs: 5000 });
  const unique = new Map<string, (typeof result.failures)[number]>();
  for (const f of result.failures) {
    const key = `${f.stage}: ${f.detail.split('\n')[0].replace(/\d+/g, 'N')}`;
    if (!unique.has(key)) unique.set(key, f);
  }
  assert.equal(result.failures.length, 0, `${result.failures.length} failing inputs (${unique.size} distinct):\n\n${[...unique.values()].map(describeFailure).join('\n\n')}`);
});
