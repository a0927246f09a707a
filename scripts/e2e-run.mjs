// `npm run test:e2e`: the real-VS-Code tests, end to end.
//   1. scripts/e2e-setup.sh        code-server + chromium toolchain (cached in test/e2e/.cache/)
//   2. npm run bundle              the extension (client/dist, server/dist)
//   3. scripts/e2e-bundle.mjs      the test code (test/e2e/out/)
//   4. extension-host suite        test/e2e/out/runTest.js (mocha inside VS Code's extension host)
//   5. npm run package             the .vsix
//   6. UI suite                    test/e2e/out/ui/*.test.js (playwright, packaged extension)
// Prints `e2e: N passed, M failed` and exits non-zero on any failure (a stage that cannot run
// counts as one failure). Options: --skip-setup, --host-only, --ui-only. Env: E2E_GREP (mocha grep),
// E2E_VERBOSE=1 (all workbench console output), E2E_TIMEOUT_MS (per extension-host run).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const artifactsDir = join(repoRoot, 'test', 'e2e', 'artifacts');
const args = new Set(process.argv.slice(2));
const runHost = !args.has('--ui-only');
const runUi = !args.has('--host-only');

const totals = { passed: 0, failed: 0 };
const problems = [];
const timings = [];

/** Runs a command with inherited stdin, stdout relayed (and captured when asked). */
function run(command, commandArgs, { capture = false, env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, {
      cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => { output += chunk; process.stdout.write(chunk); });
    child.on('error', (error) => { console.error(error); resolve({ code: 1, output }); });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

async function stage(name, body) {
  console.log(`\n=== e2e: ${name} ===`);
  const started = Date.now();
  try {
    return await body();
  } finally {
    timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
}

function fail(reason) {
  totals.failed += 1;
  problems.push(reason);
}

function summary() {
  console.log(`\n--- timings: ${timings.join(', ')}`);
  if (existsSync(artifactsDir)) {
    const files = [];
    const walk = (dir) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path); else files.push(path);
      }
    };
    walk(artifactsDir);
    if (files.length) console.log(`--- artifacts:\n${files.sort().map((f) => `    ${relative(repoRoot, f)}`).join('\n')}`);
  }
  for (const problem of problems) console.log(`--- problem: ${problem}`);
  console.log(`e2e: ${totals.passed} passed, ${totals.failed} failed`);
  process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
}

rmSync(artifactsDir, { recursive: true, force: true });
mkdirSync(artifactsDir, { recursive: true });

if (!args.has('--skip-setup')) {
  const setup = await stage('setup', () => run('bash', ['scripts/e2e-setup.sh']));
  if (setup.code !== 0) { fail('scripts/e2e-setup.sh failed'); summary(); }
}

const bundled = await stage('bundle extension', () => run('npm', ['run', 'bundle', '--silent']));
if (bundled.code !== 0) { fail('npm run bundle failed: the extension cannot be loaded'); summary(); }
const testsBundled = await stage('bundle e2e tests', () => run(process.execPath, ['scripts/e2e-bundle.mjs']));
if (testsBundled.code !== 0) { fail('scripts/e2e-bundle.mjs failed'); summary(); }

if (runHost) {
  await stage('extension-host tests', async () => {
    const { code, output } = await run(process.execPath, ['test/e2e/out/runTest.js'], { capture: true });
    const result = [...output.matchAll(/^E2E-RESULT (\{.*\})$/gm)].pop();
    if (!result) { fail(`extension-host suite reported no result (exit ${code})`); return; }
    const { passed, failed } = JSON.parse(result[1]);
    totals.passed += passed;
    totals.failed += failed;
    if (failed === 0 && code !== 0) fail(`extension-host run exited ${code} although no test failed`);
  });
}

if (runUi) {
  const packaged = await stage('package .vsix', () => run('npm', ['run', 'package', '--silent']));
  if (packaged.code !== 0) {
    fail('npm run package failed: UI tests not run');
  } else {
    await stage('UI tests', async () => {
      const uiDir = join('test', 'e2e', 'out', 'ui');
      const files = readdirSync(join(repoRoot, uiDir)).filter((n) => n.endsWith('.test.js')).map((n) => join(uiDir, n));
      if (!files.length) { fail('no UI tests found'); return; }
      const tapFile = join(artifactsDir, 'ui-results.tap');
      const { code } = await run(process.execPath, [
        '--test', '--test-reporter=spec', '--test-reporter-destination=stdout',
        '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...files,
      ]);
      const tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
      const count = (key) => Number(tap.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? NaN);
      const [passed, failed, cancelled] = [count('pass'), count('fail'), count('cancelled')];
      if (Number.isNaN(passed)) { fail(`UI suite reported no result (exit ${code})`); return; }
      totals.passed += passed;
      totals.failed += failed + (cancelled || 0);
      if (failed + (cancelled || 0) === 0 && code !== 0) fail(`UI run exited ${code} although no test failed`);
    });
  }
}

summary();
