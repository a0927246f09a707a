// Data-driven parser tests: each test/parser/cases/NAME.rules is parsed and rendered with
// render.ts; the result must equal NAME.expected. UPDATE_EXPECTED=1 rewrites the expectations
// (review the diff before committing!).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { renderRuleset } from './render';

const dir = join(__dirname, 'cases');
const update = process.env.UPDATE_EXPECTED === '1';

for (const name of readdirSync(dir).filter((f) => f.endsWith('.rules')).sort()) {
  test(`parser case ${name}`, () => {
    // Files are read as bytes-as-written (CRLF kept) so line-ending cases test what they claim.
    const text = readFileSync(join(dir, name), 'utf8');
    const actual = renderRuleset(parseRuleset(text, { fileName: name }));
    const expectedPath = join(dir, name.replace(/\.rules$/, '.expected'));
    if (update || !existsSync(expectedPath)) {
      writeFileSync(expectedPath, actual);
      if (!update) assert.fail(`no expectation for ${name}: wrote ${expectedPath}, review it`);
      return;
    }
    assert.equal(actual, readFileSync(expectedPath, 'utf8'));
  });
}
