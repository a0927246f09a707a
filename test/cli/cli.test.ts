// The CLI contract: lint formats and exit codes, trace JSON shape, usage errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeDump, run } from '../../server/src/cli/main';

const repo = resolve(__dirname, '..', '..');
const example = (name: string) => join(repo, 'examples', name);

function cli(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = run(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

function tempDump(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'iptables-lens-cli-'));
  const file = join(dir, 'dump.rules');
  writeFileSync(file, text);
  return file;
}

test('lint text: file:line:col severity code message, source line and caret; exit 0 without errors', () => {
  const { code, out } = cli('lint', example('firewall.rules'));
  assert.equal(code, 0);
  assert.match(out, /firewall\.rules:12:1: warning reach\/shadowed: shadowed by line 11/);
  assert.match(out, /\n {4}-A INPUT -s 10\.1\.0\.0\/16 .*\n {4}\^+/);
  assert.match(out, /1 file: 0 errors, 2 warnings/);
});

test('lint exits 1 on an error and 2 on a missing file', () => {
  const broken = tempDump('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NOWHERE\n');
  const { code, out } = cli('lint', broken, '--format', 'json');
  assert.equal(code, 1);
  const json = JSON.parse(out);
  const codes = json.files[0].diagnostics.map((d: { code: string }) => d.code).sort();
  assert.deepEqual(codes, ['parse/missing-commit', 'parse/undeclared-chain']);
  const undeclared = json.files[0].diagnostics.find((d: { code: string }) => d.code === 'parse/undeclared-chain');
  assert.deepEqual({ line: undeclared.line, column: undeclared.column, endLine: undeclared.endLine, endColumn: undeclared.endColumn, severity: undeclared.severity }, { line: 3, column: 13, endLine: 3, endColumn: 20, severity: 'error' });
  const missing = cli('lint', '/nonexistent/file.rules');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read/);
});

test('lint --format sarif is SARIF 2.1.0 with rule metadata and regions', () => {
  const { out } = cli('lint', example('firewall.rules'), '--format', 'sarif');
  const sarif = JSON.parse(out);
  assert.equal(sarif.version, '2.1.0');
  const run0 = sarif.runs[0];
  assert.equal(run0.tool.driver.name, 'iptables-lens');
  const ruleIds = run0.tool.driver.rules.map((r: { id: string }) => r.id);
  assert.ok(ruleIds.includes('reach/shadowed') && ruleIds.includes('reach/unreachable'));
  const result = run0.results.find((r: { ruleId: string }) => r.ruleId === 'reach/shadowed');
  assert.equal(result.level, 'warning');
  assert.equal(result.locations[0].physicalLocation.region.startLine, 12);
  assert.equal(result.relatedLocations[0].physicalLocation.region.startLine, 11);
  assert.equal(run0.tool.driver.rules[result.ruleIndex].id, 'reach/shadowed');
});

test('trace --format json follows the documented contract', () => {
  const { code, out } = cli('trace', example('kube-nodeport.rules'), '--src', '192.168.50.9', '--dst', '172.20.0.3', '--proto', 'tcp', '--dport', '30080', '--local-addr', '172.20.0.3', '--format', 'json');
  assert.equal(code, 0);
  const json = JSON.parse(out);
  assert.equal(json.paths.length, 2);
  const total = json.paths.reduce((sum: number, p: { probability: number }) => sum + p.probability, 0);
  assert.equal(total, 1);
  const destinations = json.paths.map((p: { packet: { dst: string; dport: number } }) => `${p.packet.dst}:${p.packet.dport}`).sort();
  assert.deepEqual(destinations, ['10.244.1.7:8080', '10.244.2.4:8080']);
  for (const path of json.paths) {
    assert.equal(path.verdict, 'ACCEPT');
    assert.ok(Array.isArray(path.assumptions));
    const dnat = path.steps.find((s: { rewrite: { dst?: string } | null }) => s.rewrite?.dst);
    assert.deepEqual(Object.keys(dnat).filter((k) => ['table', 'chain', 'kind', 'rule', 'line', 'verdict', 'rewrite'].includes(k)).sort(), ['chain', 'kind', 'line', 'rewrite', 'rule', 'table', 'verdict']);
    assert.equal(dnat.table, 'nat');
    assert.equal(dnat.kind, 'rule');
    assert.equal(dnat.verdict, 'ACCEPT');
    const policy = path.steps.find((s: { kind: string }) => s.kind === 'policy');
    assert.equal(policy.rule, null);
  }
});

test('trace accepts the editor packet line and rejects a bad one with exit 2', () => {
  const ok = cli('trace', example('kube-nodeport.rules'), '10.244.1.9 -> 10.96.0.10:53/udp in cni0', '--local-addr', '172.20.0.3');
  assert.equal(ok.code, 0);
  assert.match(ok.out, /DNAT 10\.96\.0\.10:53 → 10\.244\.0\.[23]:53/);
  const bad = cli('trace', example('kube-nodeport.rules'), '10.0.0.1 10.0.0.2');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /missing '->'/);
  const usage = cli('trace', example('kube-nodeport.rules'), '--src', '1.2.3.4');
  assert.equal(usage.code, 2);
  assert.equal(cli('frobnicate').code, 2);
});

test('demo lints and traces the bundled examples', () => {
  const { code, out } = cli('demo');
  assert.equal(code, 0);
  assert.match(out, /reach\/shadowed/);
  assert.match(out, /Path 1 of 2 — 50% — ACCEPT/);
});

test('a dump is read as UTF-8 whatever it holds (the ASCII fast path gives the same text)', () => {
  for (const text of ['*filter\n-A INPUT -j ACCEPT\nCOMMIT\n', '', '# 中文注释 é\n-A INPUT -m comment --comment "ü" -j DROP\n', '\uFEFF*nat\n', 'bad byte \u00ff\n']) {
    const bytes = Buffer.from(text, 'utf8');
    assert.equal(decodeDump(bytes), bytes.toString('utf8'));
  }
  const invalid = Buffer.from([0x2a, 0xc3, 0x28, 0x0a, 0xff]); // not UTF-8: replacement characters, as readFileSync gives
  assert.equal(decodeDump(invalid), invalid.toString('utf8'));
  // Non-ASCII text keeps its columns in UTF-16 units (a lint position after a multi-byte comment).
  const file = tempDump('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "é" -p tcp --dport 70000 -j ACCEPT\nCOMMIT\n');
  assert.match(cli('lint', file).out, /dump\.rules:3:50: error/);
});
