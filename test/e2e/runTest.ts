// Runs the extension-host suite (test/e2e/suite) inside a real VS Code 1.100 (code-server),
// the standard @vscode/test-electron way; the "executable" is our code-server stand-in.
// Bundled to test/e2e/out/runTest.js by scripts/e2e-run.mjs (`npm run test:e2e` runs everything).
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { e2eDir, repoRoot } from './harness/codeServer';
import { prepareWorkspace, type ScratchWorkspace } from './harness/workspace';

async function main(): Promise<number> {
  let workspace: ScratchWorkspace | undefined;
  try {
    workspace = prepareWorkspace();
    await runTests({
      vscodeExecutablePath: join(e2eDir, 'out', 'launch-code-server.js'),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: join(e2eDir, 'out', 'suite', 'index.js'),
      launchArgs: [workspace.path],
    });
    return 0;
  } catch (error) {
    console.error(`runTest: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    workspace?.remove();
  }
}

main().then((code) => process.exit(code));
