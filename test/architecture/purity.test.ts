// The engine (server/src/netfilter) stays pure: no editor or LSP types, no I/O, no process, no node
// builtins — it must run in the language server, the CLI, the tests and a browser alike.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const engine = resolve(__dirname, '..', '..', 'server', 'src', 'netfilter');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

const FORBIDDEN_MODULE = /^(vscode|vscode-languageserver.*|vscode-languageclient.*|vscode-jsonrpc.*|node:.*|fs|path|os|child_process|process|net|http|https|crypto|worker_threads|util|stream|events|url|buffer)$/;

export function impurities(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const module = m[1] ?? m[2] ?? m[3];
    if (FORBIDDEN_MODULE.test(module)) found.push(`imports '${module}'`);
  }
  if (/\bprocess\.(env|argv|exit|cwd|stdout|stderr)/.test(text)) found.push('uses process');
  return found;
}

test('the purity check itself catches forbidden imports', () => {
  assert.deepEqual(impurities("import { readFileSync } from 'node:fs';"), ["imports 'node:fs'"]);
  assert.deepEqual(impurities("import type { Hover } from 'vscode-languageserver';"), ["imports 'vscode-languageserver'"]);
  assert.deepEqual(impurities("const cp = require('child_process');"), ["imports 'child_process'"]);
  assert.deepEqual(impurities('if (process.env.X) {}'), ['uses process']);
  assert.deepEqual(impurities("import { parseRuleset } from './parser';"), []);
});

test('server/src/netfilter imports no editor, LSP, I/O or process module', () => {
  const files = sources(engine);
  assert.ok(files.length > 50, `expected the engine's files, found ${files.length}`);
  const offenders = files.flatMap((file) => impurities(readFileSync(file, 'utf8')).map((what) => `${file.slice(engine.length + 1)}: ${what}`));
  assert.deepEqual(offenders, []);
});
