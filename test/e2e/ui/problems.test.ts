// UI: a parse problem found by the packaged extension's language server is visible in the editor:
// in the problem peek (F8) and in the hover at the problem, both naming the stable problem code.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Workbench } from './workbench';

const BROKEN = 'broken-missing-commit.rules';
const CODE = 'parse/missing-commit';

describe('parse problems in the workbench (packaged extension)', { timeout: 120_000 }, () => {
  let workbench: Workbench;
  before(async () => {
    workbench = await Workbench.start();
    await workbench.openFile(BROKEN);
  });
  after(async () => {
    await workbench?.stop();
  });

  test(`Go to Next Problem shows ${CODE}`, async () => {
    // The command does nothing until the server's diagnostics have arrived.
    await workbench.waitForSquiggle('error');
    await workbench.runCommand('Go to Next Problem (Error, Warning, Info)');
    const peek = workbench.page.locator('.marker-widget').filter({ hasText: CODE });
    await peek.waitFor();
    await workbench.screenshot('problem-peek-missing-commit');
    await workbench.page.keyboard.press('Escape');
    await peek.waitFor({ state: 'hidden' });
  });

  test('the hover at the problem names it too', async () => {
    // The previous test left the cursor on the problem; hover exactly there.
    const selection = await workbench.page.locator('#status\\.editor\\.selection').innerText();
    const position = /Ln (\d+), Col (\d+)/.exec(selection);
    assert.ok(position, `cursor position not shown: ${selection}`);
    const hover = await workbench.hoverAt(Number(position[1]), Number(position[2]));
    assert.match(hover, new RegExp(CODE));
    await workbench.screenshot('problem-hover-missing-commit');
  });
});
