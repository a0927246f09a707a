// Entry point loaded by VS Code's extension host (extensionTestsPath): runs every bundled
// test/e2e/out/suite/*.test.js with mocha and resolves/rejects with the outcome.
// Ends with one machine-readable line, `E2E-RESULT {"suite":"extension-host","passed":N,"failed":M}`,
// that scripts/e2e-run.mjs reads for its summary.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  // The output is relayed through the browser console, which shows no terminal colours.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30_000, reporter: 'spec' });
  const grep = process.env.E2E_GREP;
  if (grep) mocha.grep(grep);
  const files = readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort();
  for (const file of files) mocha.addFile(join(__dirname, file));

  await new Promise<void>((done, fail) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats ?? { passes: 0, failures };
      console.log(`E2E-RESULT ${JSON.stringify({ suite: 'extension-host', passed: stats.passes, failed: stats.failures })}`);
      if (failures > 0) fail(new Error(`${failures} extension-host test(s) failed`));
      else if (stats.passes === 0) fail(new Error('no extension-host tests ran'));
      else done();
    });
  });
}
