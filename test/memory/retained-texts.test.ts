// Editing a big dump must not keep older versions alive: each version's text is a new string (17 MB
// at 10k services), and whatever a later version shares with an older one (interned tokens, rule
// templates, chain names, index keys, closures) must not hold on to that one's text. Counted in a
// heap snapshot of a child process after eleven one-line edits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

test('eleven edits later, only the current text is alive', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'retained-texts.ts')], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(child.status, 0, child.stderr);
  const { texts } = JSON.parse(child.stdout.trim().split('\n').pop()!) as { texts: number };
  assert.equal(texts, 1, `${texts} strings as long as the text are alive: an older version's text is still referenced`);
});
