// Entry point loaded by VS Code's extension host (extensionTestsPath): runs every bundled
// test/e2e/out/suite/*.test.js with mocha and resolves/rejects with the outcome.
// Ends with one machine-readable line, `E2E-RESULT {"suite":"extension-host","passed":N,"failed":M}`,
// that scripts/e2e-run.mjs reads for its summary.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/**
 * Console lines starting with this mark are relayed to the runner's stdout by launch-code-server;
 * everything else the extension host logs stays in test/e2e/artifacts/extension-host-console.log.
 */
export const RELAY_MARK = '[e2e] ';
export function relay(...args: unknown[]): void {
  console.log(`${RELAY_MARK}${format(...args)}`);
}

export async function run(): Promise<void> {
  Mocha.reporters.Base.consoleLog = relay;
  // The output is relayed through the browser console, which shows no terminal colours.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30_000, reporter: 'spec' });
  const grep = process.env.E2E_GREP;
  if (grep) mocha.grep(grep);
  const files = readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort();
  for (const file of files) mocha.addFile(join(__dirname, file));

  await new Promise<void>((done, fail) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats ?? { passes: 0, failures };
      relay(`E2E-RESULT ${JSON.stringify({ suite: 'extension-host', passed: stats.passes, failed: stats.failures })}`);
      if (failures > 0) fail(new Error(`${failures} extension-host test(s) failed`));
      else if (stats.passes === 0) fail(new Error('no extension-host tests ran'));
      else done();
    });
  });
}
