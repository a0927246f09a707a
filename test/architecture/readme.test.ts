// The README stays true: its code table lists every analysis code, and the quick start is the
// two commands (plus npm start) that CI and newcomers run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ANALYSIS_CODES } from '../../server/src/netfilter/analysis';

const readme = readFileSync(resolve(__dirname, '..', '..', 'README.md'), 'utf8');

test('README documents every analysis code with its severity', () => {
  const missing = ANALYSIS_CODES.filter((c) => !c.code.startsWith('internal/')).filter((c) => !new RegExp('\\| `' + c.code + '` \\| ' + c.severity + ' \\|').test(readme));
  assert.deepEqual(missing.map((c) => `${c.code} (${c.severity})`), []);
});

test('README quick start is npm install, npm test, npm start', () => {
  const quickStart = /## Quick start\s+```sh\s+npm install\s+npm test[^\n]*\s+npm start/.exec(readme);
  assert.ok(quickStart, 'quick start section with the three commands');
});
