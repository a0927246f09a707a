// Runs every test/**/*.test.ts that needs only Node, with node's own test runner (TypeScript via tsx).
// Kernel and e2e suites live in test/kernel and test/e2e and have their own npm scripts.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const skipDirs = new Set(['kernel', 'e2e', 'bench', 'fuzz-long']);
function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) { if (!skipDirs.has(name)) collect(path, out); }
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}
const files = collect('test', []).sort();
const filter = process.argv[2];
const selected = filter ? files.filter((f) => f.includes(filter)) : files;
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...selected], { stdio: 'inherit' });
process.exit(result.status ?? 1);
