// Bundles the e2e test code into test/e2e/out/ with esbuild:
//   out/suite/index.js + out/suite/*.test.js   loaded by the extension host (vscode, mocha external)
//   out/launch-code-server.js                   the stand-in VS Code executable (shebang, chmod 755)
//   out/runTest.js                              @vscode/test-electron entry
//   out/ui/*.test.js                            playwright UI tests (node --test)
import { build } from 'esbuild';
import { chmodSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const e2e = 'test/e2e';
const out = join(e2e, 'out');
const testsIn = (dir) => readdirSync(join(e2e, dir)).filter((n) => n.endsWith('.test.ts')).map((n) => join(e2e, dir, n));

rmSync(out, { recursive: true, force: true });
const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline', logLevel: 'warning',
  // Resolved at run time: vscode by the extension host, the rest from the repository's node_modules.
  external: ['vscode', 'mocha', 'playwright-core', '@vscode/test-electron'],
};
await Promise.all([
  build({ ...common, entryPoints: [join(e2e, 'suite', 'index.ts'), ...testsIn('suite')], outdir: join(out, 'suite') }),
  build({ ...common, entryPoints: testsIn('ui'), outdir: join(out, 'ui') }),
  build({ ...common, entryPoints: [join(e2e, 'runTest.ts')], outdir: out }),
  build({ ...common, entryPoints: [join(e2e, 'launch-code-server.ts')], outdir: out, banner: { js: '#!/usr/bin/env node' } }),
]);
chmodSync(join(out, 'launch-code-server.js'), 0o755);
