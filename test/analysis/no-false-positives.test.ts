// Zero warnings and errors on dumps that real tools generated (the seven kube-proxy / flannel /
// Docker / kind seeds) and on the real-world rules files — except the true findings listed below,
// each checked by hand and confirmed with the simulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { analyzeRuleset } from '../../server/src/netfilter/analysis/index';
import { lineOf } from './render';
import { confirmMartianSource, confirmNeverReached, ruleAt } from './confirm';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = resolve(repo, '..', 'shared', 'fixtures');

/**
 * True findings, by file: `LINE CODE`.
 * - ciscosrapps rules.v4: libvirt inserted its virbr0 rules (INPUT dns/dhcp, FORWARD virbr0,
 *   OUTPUT dhcp, nat/mangle ones) again on every restart of libvirtd and the dump was saved with
 *   four copies; every copy after the first is an exact duplicate of an earlier terminal rule.
 * - dmitrii-fediuk rules.v4 line 8: `-A FORWARD -i tun+ -o eth0 -m state --state RELATED,ESTABLISHED -j ACCEPT`
 *   comes after `-A FORWARD -i tun+ -j ACCEPT` (line 7), which accepts every packet from tun+.
 * - ds82 rules.v4 line 116: `-i br0 -o eth0 -j ACCEPT` after `-i br0 -j ACCEPT` (line 112); line 120:
 *   `-m state --state RELATED,ESTABLISHED -j ACCEPT` right after the same test with `-m conntrack --ctstate` (line 119).
 * - ffulm rules.v6 line 26: `-i bat0 -m state --state ESTABLISHED,RELATED -j ACCEPT` after
 *   `-m state --state RELATED,ESTABLISHED -j ACCEPT` on any interface (line 6).
 * - csmale kpntv rules.v4 line 6: `-A INPUT -s 224.0.0.0/4 -j ACCEPT` (an IPTV box's firewall): no
 *   packet from a multicast source reaches INPUT, routing drops it (a martian); line 7 `-d 224.0.0.0/4`
 *   is the rule that lets the multicast streams in.
 */
const TRUE_FINDINGS: Record<string, string[]> = {
  'dmitrii-fediuk__5.9.188.84__etc__iptables__rules.v4': ['8 reach/shadowed'],
  'ds82__iptables__rules.v4': ['116 reach/shadowed', '120 reach/shadowed'],
  'ffulm__server-config__etc__iptables__rules.v6': ['26 reach/shadowed'],
  'csmale__kpntv__etc__iptables__rules.v4': ['6 reach/martian-source'],
  'ciscosrapps__testbed_configs__etc__iptables__rules.v4': [
    ...[11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 45, 46, 47].map((l) => `${l} reach/shadowed`),
    ...[62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76].map((l) => `${l} reach/shadowed`),
  ],
};

const files = [
  ...readdirSync(join(shared, 'seeds')).filter((f) => f.endsWith('.rules')).map((f) => join(shared, 'seeds', f)),
  ...readdirSync(join(shared, 'real-world')).filter((f) => /\.v[46]$/.test(f)).map((f) => join(shared, 'real-world', f)),
];

test('fixture corpus is present (7 seeds, 20 real-world files)', () => assert.equal(files.length, 27));

for (const path of files) {
  const name = path.split('/').pop()!;
  test(`no false positives: ${name}`, () => {
    const ruleset = parseRuleset(readFileSync(path, 'utf8'), { fileName: name });
    const findings = analyzeRuleset(ruleset).filter((p) => p.severity === 'error' || p.severity === 'warning');
    const actual = findings.map((p) => `${lineOf(ruleset, p.span.start)} ${p.code}`);
    const expected = TRUE_FINDINGS[name] ?? [];
    assert.deepEqual(actual, expected);
    for (const p of findings) {
      if (!p.code.startsWith('reach/')) continue;
      const rule = ruleAt(ruleset, p.span.start)!;
      const confirmation = p.code === 'reach/martian-source' ? confirmMartianSource(ruleset, rule) : confirmNeverReached(ruleset, rule);
      assert.ok(confirmation.ok, `${name}:${rule.line + 1} not confirmed: ${confirmation.ok ? '' : confirmation.reason}`);
    }
  });
}

test('no false positives: generated kube-proxy dumps (test/bench/generate-kube-dump.ts)', async () => {
  const { generateKubeDump } = await import('../bench/generate-kube-dump');
  for (const options of [
    { services: 80, endpointsPerService: 1, seed: 1 },
    { services: 80, endpointsPerService: 3, seed: 2 },
    { services: 40, endpointsPerService: 7, seed: 3, largeClusterMode: true },
  ]) {
    const ruleset = parseRuleset(generateKubeDump(options));
    const findings = analyzeRuleset(ruleset).filter((p) => p.severity === 'error' || p.severity === 'warning');
    assert.deepEqual(findings.map((p) => `${lineOf(ruleset, p.span.start)} ${p.code} ${p.message}`), [], JSON.stringify(options));
  }
});
