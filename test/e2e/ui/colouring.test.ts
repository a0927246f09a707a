// UI: the packaged extension's TextMate grammar colours a real seed dump in the real workbench.
// Run through `npm run test:e2e` (needs the .vsix from `npm run package`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { seedsDir } from '../harness/workspace';
import { Workbench, type RenderedToken } from './workbench';

const SEED_NAME = 'kind-worker1-after-nodeport.rules';
/** Workspace-relative path of the seed's scratch copy. */
const SEED = `seeds/${SEED_NAME}`;

/** The token covering character `offset` of the line. */
function tokenAt(tokens: RenderedToken[], offset: number): RenderedToken | undefined {
  let start = 0;
  for (const token of tokens) {
    if (offset < start + token.text.length) return token;
    start += token.text.length;
  }
  return undefined;
}

/** mtk1 is the theme's default foreground: a token still wearing it was not coloured by the grammar. */
const DEFAULT_FOREGROUND = 'mtk1';

describe('TextMate colouring of a seed dump (packaged extension)', { timeout: 120_000 }, () => {
  let workbench: Workbench;
  const lines = readFileSync(join(seedsDir, SEED_NAME), 'utf8').split('\n');

  before(async () => {
    workbench = await Workbench.start();
    await workbench.openFile(SEED);
  });
  after(async () => {
    await workbench?.stop();
  });

  test('the status bar names the language iptables-save', async () => {
    await workbench.page.locator('#status\\.editor\\.mode').filter({ hasText: /iptables-save/ }).waitFor({ timeout: 10_000 });
  });

  test('comments, -j targets and plain text get different colour classes', async () => {
    const commentLine = lines.findIndex((text) => text.startsWith('#')) + 1;
    const ruleIndex = lines.findIndex((text) => text.startsWith('-A ') && / -j [A-Z]/.test(text));
    assert.ok(commentLine > 0 && ruleIndex >= 0, `${SEED} has a comment and a -j rule`);
    const ruleLine = ruleIndex + 1;
    const targetOffset = lines[ruleIndex].indexOf(' -j ') + 4;

    const commentTokens = await workbench.waitForLineTokens(commentLine, (tokens) => tokens.some((t) => t.className !== DEFAULT_FOREGROUND));
    const commentClass = commentTokens.find((t) => t.text.trim())!.className;

    await workbench.goTo(ruleLine, targetOffset + 1);
    const ruleTokens = await workbench.waitForLineTokens(ruleLine, (tokens) => tokens.length > 1);
    const target = tokenAt(ruleTokens, targetOffset);
    assert.ok(target, `no token at column ${targetOffset + 1} of line ${ruleLine}: ${JSON.stringify(ruleTokens)}`);
    const detail = JSON.stringify({ commentClass, target, ruleTokens });
    assert.notEqual(commentClass, DEFAULT_FOREGROUND, `comment is uncoloured: ${detail}`);
    assert.notEqual(target.className, DEFAULT_FOREGROUND, `-j target is uncoloured: ${detail}`);
    assert.notEqual(target.className, commentClass, `-j target coloured like a comment: ${detail}`);
    const commentColor = commentTokens.find((t) => t.text.trim())!.color;
    assert.notEqual(target.color, commentColor, `same computed colour: ${detail}`);
    // More than two colours on a rule line: command, chain, options, values are told apart.
    assert.ok(new Set(ruleTokens.map((t) => t.className)).size >= 3, `rule line has too few colours: ${detail}`);
    await workbench.screenshot('colouring-seed-dump');
  });
});
