// Tests for the iptables-save TextMate grammar (syntaxes/iptables-save.tmLanguage.json) and
// language-configuration.json.
//
// 1. test/grammar/cases/*.rules are vscode-tmgrammar-test files: source lines followed by
//    "# ^^^ scope" assertion lines. Every assertion must hold.
// 2. test/grammar/must-fail/*.rules hold deliberately wrong assertions: each one must be reported,
//    which proves the harness can fail.
// 3. Real dumps from ../shared/fixtures are tokenized: every non-blank piece of text must get a
//    scope that says what it is (not just meta.* or the root scope), nothing in them is flagged
//    invalid, and one kube-proxy dump is compared with a readable snapshot
//    (UPDATE_EXPECTED=1 regenerates it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { createRegistry } from 'vscode-tmgrammar-test/dist/common/index';
import { parseGrammarTestCase, runGrammarTestCase, type TestFailure } from 'vscode-tmgrammar-test/dist/unit/index';
import {
  formatSnapshot,
  grammarPath,
  loadGrammar,
  repoRoot,
  scopeName,
  sharedRoot,
  splitLines,
  tokenizeLines,
  type ScopedToken,
} from './textmate';

const casesDir = path.join(repoRoot, 'test', 'grammar', 'cases');
const mustFailDir = path.join(repoRoot, 'test', 'grammar', 'must-fail');
const snapshotDir = path.join(repoRoot, 'test', 'grammar', 'snapshots');
const snapshotSeed = 'kind-worker2-after-nodeport.rules';

function listRules(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.rules')).sort();
}

const registry = createRegistry([{ path: grammarPath, scopeName }]);

async function runCase(file: string) {
  const testCase = parseGrammarTestCase(readFileSync(file, 'utf8'));
  const failures = await runGrammarTestCase(registry, testCase);
  return { testCase, failures };
}

function describeFailure(file: string, testCase: { source: string[] }, failure: TestFailure): string {
  const line = testCase.source[failure.srcLine] ?? '';
  return [
    `${path.relative(repoRoot, file)}:${failure.line + 1} columns ${failure.start}-${failure.end}: ${JSON.stringify(line.slice(failure.start, failure.end))} in`,
    `    ${line}`,
    failure.missing.length ? `  missing:    ${failure.missing.join(' ')}` : '',
    failure.unexpected.length ? `  prohibited: ${failure.unexpected.join(' ')}` : '',
    `  actual:     ${failure.actual.join(' ')}`,
  ].filter(Boolean).join('\n');
}

for (const name of listRules(casesDir)) {
  test(`grammar case ${name}`, async () => {
    const file = path.join(casesDir, name);
    const { testCase, failures } = await runCase(file);
    const assertionCount = testCase.assertions.reduce((sum, line) => sum + line.scopeAssertions.length, 0);
    assert.ok(assertionCount > 0, `${name} has no assertions`);
    assert.equal(testCase.metadata.scope, scopeName);
    assert.deepEqual(failures.map((failure) => describeFailure(file, testCase, failure)), []);
  });
}

test('the harness reports every deliberately wrong assertion', async () => {
  const files = listRules(mustFailDir);
  assert.ok(files.length > 0);
  for (const name of files) {
    const { testCase, failures } = await runCase(path.join(mustFailDir, name));
    // One assertion per source line in these files, so every asserted line must fail.
    const assertedLines = testCase.assertions.map((line) => line.sourceLineNumber);
    const failedLines = [...new Set(failures.map((failure) => failure.srcLine))];
    assert.ok(assertedLines.length >= 5, `${name}: too few assertions to mean anything`);
    assert.deepEqual(failedLines.sort((a, b) => a - b), assertedLines, `${name}: some wrong assertions passed`);
  }
});

test('the vscode-tmgrammar-test CLI, configured by package.json, passes the cases and fails the wrong ones', async () => {
  // Without -g the CLI finds the grammar through package.json contributes.grammars, so this also
  // checks that wiring. Each run idles ~3 s before exiting, hence the two run side by side.
  const require = createRequire(import.meta.url);
  const cli = path.join(path.dirname(require.resolve('vscode-tmgrammar-test/package.json')), 'dist', 'unit.js');
  const run = (pattern: string) =>
    new Promise<{ status: number | null; output: string }>((resolve) => {
      execFile(process.execPath, [cli, '--compact', pattern], { cwd: repoRoot }, (error, stdout, stderr) => {
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, output: stdout + stderr });
      });
    });
  const [good, bad] = await Promise.all([run('test/grammar/cases/*.rules'), run('test/grammar/must-fail/*.rules')]);
  assert.equal(good.status, 0, good.output);
  assert.notEqual(bad.status, 0, 'wrong assertions were accepted by the CLI');
  assert.match(bad.output, /wrong-assertions\.rules/);
});

function fixtureFiles(): string[] {
  const seeds = path.join(sharedRoot, 'fixtures', 'seeds');
  const realWorld = path.join(sharedRoot, 'fixtures', 'real-world');
  return [
    ...readdirSync(seeds).filter((name) => name.endsWith('.rules')).map((name) => path.join(seeds, name)),
    ...readdirSync(realWorld).filter((name) => /\.v[46]$/.test(name)).map((name) => path.join(realWorld, name)),
  ].sort();
}

/** A token is classified when it has at least one scope besides the root scope and meta.* wrappers. */
function isClassified(token: ScopedToken): boolean {
  return token.scopes.some((scope) => !scope.startsWith('meta.'));
}

test('every non-blank token of the real dumps is classified, and none is flagged invalid', async () => {
  const grammar = await loadGrammar();
  const files = fixtureFiles();
  assert.ok(files.length >= 20, `expected the shared fixtures, found ${files.length} files`);
  const problems: string[] = [];
  let tokenCount = 0;
  for (const file of files) {
    const lines = splitLines(readFileSync(file, 'utf8'));
    tokenizeLines(grammar, lines).forEach((tokens, index) => {
      for (const token of tokens) {
        if (token.text.trim() === '') continue;
        tokenCount++;
        if (!isClassified(token) || token.scopes.some((scope) => scope.startsWith('invalid.'))) {
          problems.push(`${path.basename(file)}:${index + 1}: ${JSON.stringify(token.text)} -> ${token.scopes.join(' ') || '(root only)'}`);
        }
      }
    });
  }
  assert.ok(tokenCount > 10000, `only ${tokenCount} tokens`);
  assert.deepEqual(problems.slice(0, 20), []);
});

test(`snapshot of ${snapshotSeed}`, async () => {
  const grammar = await loadGrammar();
  const lines = splitLines(readFileSync(path.join(sharedRoot, 'fixtures', 'seeds', snapshotSeed), 'utf8'));
  const actual = formatSnapshot(lines, tokenizeLines(grammar, lines));
  const expectedFile = path.join(snapshotDir, `${snapshotSeed}.snap`);
  if (process.env.UPDATE_EXPECTED === '1' || !existsSync(expectedFile)) {
    writeFileSync(expectedFile, actual);
    if (process.env.UPDATE_EXPECTED !== '1') assert.fail(`created ${expectedFile}; review it and run again`);
    return;
  }
  assert.equal(actual, readFileSync(expectedFile, 'utf8'));
});

test('a trailing carriage return does not change how a line is tokenized', async () => {
  // VS Code strips line terminators, but other hosts (and split('\n')) may leave \r behind.
  const grammar = await loadGrammar();
  const lines = splitLines(readFileSync(path.join(sharedRoot, 'fixtures', 'seeds', snapshotSeed), 'utf8'));
  const plain = tokenizeLines(grammar, lines);
  const withCr = tokenizeLines(grammar, lines.map((line) => line + '\r'));
  lines.forEach((line, index) => {
    const visible = (tokens: ScopedToken[]) =>
      tokens.filter((token) => token.start < line.length && token.text.trim() !== '' && token.text !== '\r')
        .map((token) => `${token.text.replace(/\r$/, '')} ${token.scopes.join(' ')}`);
    assert.deepEqual(visible(withCr[index]), visible(plain[index]), `line ${index + 1}: ${line}`);
  });
});

test('nesting depth does not grow with the length of a line', async () => {
  // A second -j, many strings or many targets on one line must not stack regions without bound
  // (each open region costs memory and time on every later token of the line).
  const grammar = await loadGrammar();
  const longLines = [
    '-A X' + ' -j Y'.repeat(2000),
    '-A X' + ' -m comment --comment "a b"'.repeat(2000),
    '-A X -j MARK' + ' --to-ports 80,443'.repeat(2000),
    '-A X' + ' --dport 1:2'.repeat(2000),
  ];
  for (const line of longLines) {
    const [tokens] = tokenizeLines(grammar, [line]);
    const deepest = Math.max(...tokens.map((token) => token.scopes.length));
    assert.ok(deepest <= 5, `depth ${deepest} for ${line.slice(0, 40)}…`);
    assert.ok(tokens.every((token) => token.text.trim() === '' || isClassified(token)), line.slice(0, 40));
  }
});

test('language-configuration.json: comments, brackets, folding markers, whole words', () => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const language = pkg.contributes.languages.find((entry: { id: string }) => entry.id === 'iptables-save');
  const configPath = path.join(repoRoot, language.configuration);
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  assert.equal(config.comments.lineComment, '#');
  assert.deepEqual(config.brackets, [['[', ']']]);

  const foldStart = new RegExp(config.folding.markers.start);
  const foldEnd = new RegExp(config.folding.markers.end);
  assert.ok(foldStart.test('*filter') && !foldStart.test('-A INPUT -j ACCEPT'));
  assert.ok(foldEnd.test('COMMIT') && !foldEnd.test('# COMMIT') && !foldEnd.test(':COMMITTED - [0:0]'));

  // VS Code evaluates wordPattern as a JavaScript regular expression with the g flag.
  const words = (line: string) => [...line.matchAll(new RegExp(config.wordPattern, 'g'))].map((m) => m[0]);
  assert.deepEqual(words(':KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]'), ['KUBE-SVC-ERIFXISQEP7F7OF4', '0:0']);
  assert.deepEqual(words('-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000'),
    ['-A', 'KUBE-MARK-MASQ', '-j', 'MARK', '--set-xmark', '0x4000/0x4000']);
  assert.deepEqual(words('! -s 10.244.0.0/16 --ctstate RELATED,ESTABLISHED'),
    ['-s', '10.244.0.0/16', '--ctstate', 'RELATED', 'ESTABLISHED']);
  assert.deepEqual(words('-d 2001:db8::/32 -s ::1 --to-destination 127.0.0.11:43289'),
    ['-d', '2001:db8::/32', '-s', '::1', '--to-destination', '127.0.0.11:43289']);
  assert.deepEqual(words('--comment "kube-system/kube-dns:dns-tcp"'), ['--comment', 'kube-system/kube-dns:dns-tcp']);
  assert.deepEqual(words('*filter'), ['filter']);
  for (const line of ['', ' ', '-', '!', '"', '[', ':', ' - ']) {
    assert.ok(words(line).every((word) => word.length > 0), `empty word in ${JSON.stringify(line)}`);
  }
});
