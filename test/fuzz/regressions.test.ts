// Every input the fuzzer once failed on, minimised (see regressions/README.md for what each one
// broke), through the whole harness with IDE requests at every offset and several seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exercise, FuzzFailure } from './exercise';

const DIR = join(__dirname, 'regressions');

for (const name of readdirSync(DIR).filter((n) => n.endsWith('.rules')).sort()) {
  test(`fuzz regression: ${name}`, () => {
    const text = readFileSync(join(DIR, name), 'utf8');
    for (let seed = 0; seed < 8; seed++) {
      try {
        exercise(text, seed, { allOffsets: true, cli: true, packets: 4 });
      } catch (error) {
        if (!(error instanceof FuzzFailure)) throw error;
        assert.fail(`seed ${seed}: ${error.message}\n${error.stack2 ?? ''}\ninput: ${JSON.stringify(text)}`);
      }
    }
  });
}
