// kube/hash-mismatch is checked for every hashed kube chain of a dump, however many there are
// (an earlier version stopped after the first 2,000, so a renamed chain deep in a big dump went
// unreported).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '../../server/src/netfilter/lint';
import { generateKubeDump } from '../bench/generate-kube-dump';

// 800 services × 3 endpoints: 800 KUBE-SVC and 2,400 KUBE-SEP chains.
const dump = generateKubeDump({ services: 800, endpointsPerService: 3, seed: 7 });

function hashFindings(text: string): Array<{ line: number; message: string }> {
  return lintText(text)
    .problems.filter((p) => p.code === 'kube/hash-mismatch')
    .map((p) => ({ line: text.slice(0, p.span.start).split('\n').length, message: p.message }));
}

/** Renames a chain everywhere it is written (declaration, its rules, jumps to it). */
function renameChain(text: string, from: string, to: string): string {
  return text.split(from).join(to);
}

test('kube/hash-mismatch: none on a dump kube-proxy would write, with 3,200 hashed chains', () => {
  assert.deepEqual(hashFindings(dump), []);
});

test('kube/hash-mismatch: the last endpoint and service chains of 3,200 are checked too', () => {
  const declared = [...dump.matchAll(/^:(KUBE-(SEP|SVC)-[A-Z2-7]{16}) /gm)].map((m) => m[1]);
  assert.ok(declared.length >= 3200, `expected ≥ 3,200 hashed chains, found ${declared.length}`);
  const lastEndpoint = declared.filter((name) => name.startsWith('KUBE-SEP-')).at(-1)!;
  const lastService = declared.filter((name) => name.startsWith('KUBE-SVC-')).at(-1)!;
  // Valid base32, valid length, wrong hash: only recomputing the name can tell.
  const wrongEndpoint = 'KUBE-SEP-AAAAAAAAAAAAAAAA';
  const wrongService = 'KUBE-SVC-BBBBBBBBBBBBBBBB';
  const edited = renameChain(renameChain(dump, lastEndpoint, wrongEndpoint), lastService, wrongService);
  const findings = hashFindings(edited);
  assert.equal(findings.length, 2, JSON.stringify(findings, null, 2));
  const lines = edited.split('\n');
  const byName = new Map(findings.map((f) => [lines[f.line - 1].slice(1).split(' ')[0], f.message]));
  assert.match(byName.get(wrongEndpoint) ?? '', new RegExp(`kube-proxy would call the chain for \\S+ \\(tcp → [\\d.]+:\\d+\\) ${lastEndpoint}$`));
  assert.match(byName.get(wrongService) ?? '', new RegExp(`kube-proxy would call the chain for \\S+ \\(tcp\\) ${lastService}$`));
});
