// kube-proxy chain hashes: known vectors, a cross-check of the pure SHA-256 against node:crypto,
// and every hashed chain in the seed dumps recomputed from the dump's own comments.
// The seed table lives in seed-chain-hashes.expected.tsv (regenerate: UPDATE_EXPECTED=1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  endpointChainHash,
  hashSuffixMatches,
  parseKubeChainName,
  serviceChainHash,
  servicePortNameFromComment,
  verifyKubeChainName,
} from '../../server/src/netfilter/kube/hash';
import { sha256Hex } from '../../server/src/netfilter/kube/sha256';
import { base32Encode } from '../../server/src/netfilter/kube/base32';
import { extractKubeChainFacts } from './extract-kube-chains';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const seedsDir = resolve(repoRoot, '..', 'shared', 'fixtures', 'seeds');
const expectedTablePath = join(here, 'seed-chain-hashes.expected.tsv');

test('known vectors (kube-proxy-facts.md)', () => {
  assert.equal(serviceChainHash('default/kubernetes:https', 'tcp'), 'NPX46M4PTMTKRN6Y');
  assert.equal(serviceChainHash('kube-system/kube-dns:dns', 'udp'), 'TCOU7JCQXEZGVUNU');
  assert.equal(serviceChainHash('default/nginx', 'tcp'), '2CMXP7HKUVJN7L6M');
  assert.equal(endpointChainHash('default/kubernetes:https', 'tcp', '172.20.0.4:6443'), 'AVE2LRPBNW6AJSYV');
  // kube-proxy lower-cases the protocol before hashing; so do we.
  assert.equal(serviceChainHash('kube-system/kube-dns:dns', 'UDP'), 'TCOU7JCQXEZGVUNU');
});

test('sha256 agrees with node:crypto across block boundaries and non-ASCII text', () => {
  const inputs = [''];
  for (let n = 1; n <= 200; n++) inputs.push('a'.repeat(n));
  inputs.push('kube-system/kube-dns:dnsudp', 'naïve/ß:ü', '😀/\u{1F680}:x', 'lone\uD800surrogate', 'x'.repeat(5000), 'a'.repeat(54) + 'é', 'a'.repeat(55) + 'é');
  for (const input of inputs) {
    assert.equal(sha256Hex(input), createHash('sha256').update(input, 'utf8').digest('hex'), `input of length ${input.length}`);
  }
});

test('base32 matches RFC 4648 test vectors', () => {
  const vectors: Array<[string, string]> = [
    ['', ''], ['f', 'MY======'], ['fo', 'MZXQ===='], ['foo', 'MZXW6==='],
    ['foob', 'MZXW6YQ='], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI======'],
  ];
  for (const [input, expected] of vectors) assert.equal(base32Encode(new TextEncoder().encode(input)), expected);
  assert.equal(base32Encode(new TextEncoder().encode('foobar'), 9), 'MZXW6YTBO');
});

test('verifyKubeChainName', () => {
  assert.deepEqual(verifyKubeChainName('KUBE-SVC-NPX46M4PTMTKRN6Y', 'default/kubernetes:https', 'TCP'),
    { kind: 'service', matches: true, expectedName: 'KUBE-SVC-NPX46M4PTMTKRN6Y' });
  assert.deepEqual(verifyKubeChainName('KUBE-EXT-NPX46M4PTMTKRN6Y', 'default/kubernetes:http', 'tcp')?.matches, false);
  assert.deepEqual(verifyKubeChainName('KUBE-SEP-AVE2LRPBNW6AJSYV', 'default/kubernetes:https', 'tcp', '172.20.0.4:6443'),
    { kind: 'endpoint', matches: true, expectedName: 'KUBE-SEP-AVE2LRPBNW6AJSYV' });
  assert.equal(verifyKubeChainName('KUBE-SEP-AVE2LRPBNW6AJSYV', 'default/kubernetes:https', 'tcp'), undefined, 'SEP needs an endpoint');
  assert.equal(verifyKubeChainName('KUBE-SERVICES', 'default/kubernetes:https', 'tcp'), undefined);
  assert.equal(verifyKubeChainName('KUBE-SVC-npx46m4ptmtkrn6y', 'default/kubernetes:https', 'tcp'), undefined, 'hash must be base32');
  assert.equal(parseKubeChainName('KUBE-FW-NPX46M4PTMTKRN6Y')?.kind, 'firewall');
  assert.equal(parseKubeChainName('KUBE-XLB-NPX46M4PTMTKRN6Y')?.kind, 'load-balancer-local');
  assert.deepEqual(parseKubeChainName('KUBE-SVL-NPX46M4PTMTKRN6Y'), { kind: 'service-local', prefix: 'KUBE-SVL-', hash: 'NPX46M4PTMTKRN6Y' });
  // Names that are not hashed kube chains: wrong length, alphabet (0, 1, 8, 9 are not base32), prefix.
  for (const name of ['KUBE-SVC-NPX46M4PTMTKRN6', 'KUBE-SVC-NPX46M4PTMTKRN6YY', 'KUBE-SVC-NPX46M4PTMTKRN60', 'KUBE-SVC-NPX46M4PTMTKRN61',
    'KUBE-SVC-NPX46M4PTMTKRN68', 'KUBE-SVC-NPX46M4PTMTKRN6[', 'KUBE-ABC-NPX46M4PTMTKRN6Y', 'KUBE-SVC-X-NPX46M4PTMTKRN6Y', 'KUBE-NPX46M4PTMTKRN6Y',
    'KUBE-SVCXNPX46M4PTMTKRN6Y', 'kube-SVC-NPX46M4PTMTKRN6Y', 'XKUBE-SVC-NPX46M4PTMTKRN6Y', 'KUBE--NPX46M4PTMTKRN6Y', 'KUBE-constructor-NPX46M4PTMTKRN6Y']) {
    assert.equal(parseKubeChainName(name), undefined, name);
  }
});

test('servicePortNameFromComment reads every comment shape kube-proxy writes', () => {
  const cases: Array<[string, ReturnType<typeof servicePortNameFromComment>]> = [
    ['default/kubernetes:https cluster IP', { servicePortName: 'default/kubernetes:https' }],
    ['kube-system/kube-dns:dns -> 10.244.0.2:53', { servicePortName: 'kube-system/kube-dns:dns', endpoint: '10.244.0.2:53' }],
    ['masquerade traffic for default/jtest external destinations', { servicePortName: 'default/jtest' }],
    ['pod traffic for ns-1/svc-2:http external destinations', { servicePortName: 'ns-1/svc-2:http' }],
    ['masquerade LOCAL traffic for ns-1/svc-2:http external destinations', { servicePortName: 'ns-1/svc-2:http' }],
    ['route LOCAL traffic for ns-1/svc-2:http external destinations', { servicePortName: 'ns-1/svc-2:http' }],
    ['other traffic to ns-1/svc-2:http will be dropped by KUBE-PROXY-FIREWALL', { servicePortName: 'ns-1/svc-2:http' }],
    ['ns-1/svc-2:http traffic not accepted by KUBE-FW-NPX46M4PTMTKRN6Y', { servicePortName: 'ns-1/svc-2:http' }],
    ['ns-1/svc-2:http has no local endpoints', { servicePortName: 'ns-1/svc-2:http' }],
    ['ns-1/svc-2:http has no endpoints', { servicePortName: 'ns-1/svc-2:http' }],
    ['ns-1/svc-2:http loadbalancer IP', { servicePortName: 'ns-1/svc-2:http' }],
    ['ns-1/svc-2:http health check node port', { servicePortName: 'ns-1/svc-2:http' }],
    ['default/my-nginx-service', { servicePortName: 'default/my-nginx-service' }],
    ['kubernetes service portals', undefined],
    ['kubernetes service nodeports; NOTE: this must be the last rule in this chain', undefined],
    ['block incoming localnet connections', undefined],
  ];
  for (const [comment, expected] of cases) assert.deepEqual(servicePortNameFromComment(comment), expected, comment);
});

const TABLE_HEADER = '# seed file\ttable\tchain\tprotocol\tservice port name\tendpoint';

function seedChainTable(): string {
  const rows: string[] = [TABLE_HEADER];
  for (const file of readdirSync(seedsDir).filter((f) => f.endsWith('.rules')).sort()) {
    const facts = extractKubeChainFacts(readFileSync(join(seedsDir, file), 'utf8'));
    facts.sort((a, b) => (a.table + a.chain < b.table + b.chain ? -1 : 1));
    for (const f of facts) {
      assert.deepEqual(f.conflicts, [], `${file} ${f.chain} contradicts itself`);
      rows.push([file, f.table, f.chain, f.protocol ?? '?', f.servicePortName ?? '?', f.endpoint ?? ''].join('\t'));
    }
  }
  return rows.join('\n') + '\n';
}

test('every hashed chain in the seed dumps recomputes from its comments', () => {
  const table = seedChainTable();
  if (process.env.UPDATE_EXPECTED === '1') writeFileSync(expectedTablePath, table);
  assert.ok(existsSync(expectedTablePath), 'missing seed-chain-hashes.expected.tsv (create it with UPDATE_EXPECTED=1)');
  assert.equal(table, readFileSync(expectedTablePath, 'utf8'), 'seed chains differ from seed-chain-hashes.expected.tsv');

  const rows = table.trimEnd().split('\n').slice(1).map((line) => line.split('\t'));
  assert.ok(rows.length >= 100, `expected the seeds to hold 100+ hashed chains, found ${rows.length}`);
  const kinds = new Set<string>();
  for (const [file, , chain, protocol, servicePortName, endpoint] of rows) {
    assert.notEqual(protocol, '?', `${file} ${chain}: no protocol found`);
    assert.notEqual(servicePortName, '?', `${file} ${chain}: no service port name found`);
    const check = verifyKubeChainName(chain, servicePortName, protocol, endpoint || undefined);
    assert.ok(check, `${file} ${chain}: not verifiable (SEP without endpoint?)`);
    assert.equal(check.expectedName, chain, `${file}: ${servicePortName} ${protocol} ${endpoint}`);
    kinds.add(check.kind);
  }
  assert.deepEqual([...kinds].sort(), ['endpoint', 'external', 'service']);
});

test('hashSuffixMatches reads the same 16 characters as base32(sha256) and rejects any other', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  for (let i = 0; i < 300; i++) {
    const input = `ns-${i % 17}/svc-${i}:p${i % 5}tcp${i % 3 ? `10.244.${i % 256}.${(i * 7) % 256}:${8000 + i}` : ''}${i % 11 === 0 ? 'ü€' : ''}`;
    const hash = createHash('sha256').update(input, 'utf8').digest();
    const expected = [...Array(16).keys()].map((k) => alphabet[Number((BigInt('0x' + hash.toString('hex')) >> BigInt(256 - 5 * (k + 1))) & 31n)]).join('');
    const prefix = i % 2 ? 'KUBE-SEP-' : 'KUBE-FW-';
    assert.equal(hashSuffixMatches(prefix + expected, prefix.length, input), true, input);
    // Each character matters: change one, anywhere, and the name no longer checks out.
    const k = i % 16;
    const other = alphabet[(alphabet.indexOf(expected[k]) + 1 + (i % 31)) % 32];
    assert.equal(hashSuffixMatches(prefix + expected.slice(0, k) + other + expected.slice(k + 1), prefix.length, input), false, `${input} at ${k}`);
    assert.equal(hashSuffixMatches(prefix + expected + 'A', prefix.length, input), false, 'one character too many');
    assert.equal(hashSuffixMatches(prefix + expected.slice(1), prefix.length, input), false, 'one character short');
  }
  assert.equal(hashSuffixMatches('KUBE-SVC-NPX46M4PTMTKRN6Y', 'KUBE-SVC-'.length, 'default/kubernetes:httpstcp'), true);
});
