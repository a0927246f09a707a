// Which rules get "▶ Trace" lenses and which packet each one traces, on the seed dumps and on the
// small dumps in dumps/. Expectations are readable listings in expected/*.lenses.txt (one lens a
// line: line, kind, table chain, source role, packet line or what it asks, lens title);
// UPDATE_EXPECTED=1 rewrites them. A dump's `# settings: {...}` comment gives the node settings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseRuleset } from '../../server/src/netfilter/parser';
import type { Ruleset } from '../../server/src/netfilter/model';
import {
  findLensSites,
  findPodCidr,
  hostInCidr,
  ruleAtLine,
  suggestedPacketForHook,
  synthesizePacketForRule,
  type NodeSettings,
} from '../../server/src/netfilter/ide/code-lens';
import { parsePacketLine } from '../../server/src/netfilter/trace/packet-line';
import { tracePacket } from '../../server/src/netfilter/trace/simulate';

const here = import.meta.dirname;
const repoRoot = path.resolve(here, '..', '..');
const seedsDir = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'seeds');
const update = process.env.UPDATE_EXPECTED === '1';

/** Node addresses of the seed dumps (seeds/README.md); kind-single-node has none, so its lenses ask. */
const SEED_SETTINGS: Record<string, NodeSettings> = {
  'kind-worker1-after-nodeport.rules': { nodeAddresses: ['172.20.0.2'] },
  'kind-worker1-before-nodeport.rules': { nodeAddresses: ['172.20.0.2'] },
  'kind-worker2-after-nodeport.rules': { nodeAddresses: ['172.20.0.3'] },
  'kind-worker2-before-nodeport.rules': { nodeAddresses: ['172.20.0.3'] },
  'flannel-master.rules': { nodeAddresses: ['192.168.205.145'] },
  'flannel-worker1.rules': { nodeAddresses: ['192.168.205.146'] },
};

function settingsFromComment(text: string): NodeSettings {
  const match = /^# settings: (\{.*\})$/m.exec(text);
  return match ? (JSON.parse(match[1]) as NodeSettings) : {};
}

/** The readable listing of every lens of a dump. */
export function lensListing(ruleset: Ruleset, settings: NodeSettings): string {
  const lines: string[] = [`# pod CIDR ${findPodCidr(ruleset)}; family ${ruleset.family}`];
  for (const site of findLensSites(ruleset).sites) {
    const where = `L${String(site.line + 1).padEnd(4)} ${site.kind.padEnd(4)} ${site.table} ${site.chain}`;
    if (site.kind === 'hook') {
      lines.push(`${where} | ▶ Trace packet… | suggests: ${suggestedPacketForHook(ruleset, site.chain, settings)}`);
      continue;
    }
    const rule = ruleAtLine(ruleset, site.line);
    assert.ok(rule, `a rule on line ${site.line + 1}`);
    const packet = synthesizePacketForRule(ruleset, rule, settings);
    const what = packet.packetLine ?? `asks (${packet.missing}), suggests: ${packet.suggestion}`;
    lines.push(`${where} | ${packet.role} | ${what} | ${packet.title}`);
    lines.push(`      ${packet.explanation}`);
  }
  return lines.join('\n') + '\n';
}

function checkExpected(name: string, actual: string): void {
  const file = path.join(here, 'expected', `${name}.lenses.txt`);
  if (update || !existsSync(file)) {
    writeFileSync(file, actual);
    if (!update) assert.fail(`wrote missing expectation ${path.relative(repoRoot, file)}; review it and run again`);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `lenses of ${name} (UPDATE_EXPECTED=1 to accept)`);
}

const seedFiles = readdirSync(seedsDir).filter((f) => f.endsWith('.rules')).sort();
const dumpFiles = readdirSync(path.join(here, 'dumps')).filter((f) => f.endsWith('.rules')).sort();

test('the seed dumps are there', () => assert.equal(seedFiles.length, 7));

for (const file of seedFiles) {
  test(`lenses of seed ${file}`, () => {
    const ruleset = parseRuleset(readFileSync(path.join(seedsDir, file), 'utf8'));
    checkExpected(`seed-${file.replace(/\.rules$/, '')}`, lensListing(ruleset, SEED_SETTINGS[file] ?? {}));
  });
}

for (const file of dumpFiles) {
  test(`lenses of ${file}`, () => {
    const text = readFileSync(path.join(here, 'dumps', file), 'utf8');
    checkExpected(file.replace(/\.rules$/, ''), lensListing(parseRuleset(text, { fileName: file }), settingsFromComment(text)));
  });
}

test('every synthesized packet line parses and its trace passes through the lens rule', () => {
  // The lens promises "a matching packet": tracing it must reach the rule (on some path).
  let checked = 0;
  const dumps = [
    ...seedFiles.map((file) => ({ file, text: readFileSync(path.join(seedsDir, file), 'utf8'), settings: SEED_SETTINGS[file] ?? {} })),
    ...dumpFiles.map((file) => {
      const text = readFileSync(path.join(here, 'dumps', file), 'utf8');
      return { file, text, settings: settingsFromComment(text) };
    }),
  ];
  for (const { file, text, settings } of dumps) {
    const ruleset = parseRuleset(text, { fileName: file });
    for (const site of findLensSites(ruleset).sites) {
      if (site.kind !== 'rule') continue;
      const rule = ruleAtLine(ruleset, site.line)!;
      const packet = synthesizePacketForRule(ruleset, rule, settings);
      if (!packet.packetLine) continue;
      // Said so in the lens: the destination is not a node address (or a group it has not joined),
      // routing will not deliver it locally. For a group, the lens says what to add: with it, the trace gets there.
      const group = /has joined multicast group (\S+) /.exec(packet.explanation)?.[1];
      if (/reached only from INPUT/.test(packet.explanation) && !group) {
        assert.equal(file, 'plain-firewall.rules', `unexpected INPUT caveat at ${file}:${site.line + 1}`);
        continue;
      }
      const parsed = parsePacketLine(packet.packetLine, settings.nodeAddresses ?? []);
      assert.ok(parsed.request, `${file}:${site.line + 1}: ${packet.packetLine}: ${parsed.error}`);
      const localAddresses = group ? [...(settings.nodeAddresses ?? []), group] : settings.nodeAddresses;
      const result = tracePacket(ruleset, { ...parsed.request, localAddresses });
      const reached = result.paths.some((p) => p.steps.some((s) => s.line === site.line + 1));
      assert.ok(reached, `${file}:${site.line + 1} (${site.chain}): the trace of '${packet.packetLine}' never evaluates the rule to a match`);
      checked++;
    }
  }
  assert.ok(checked > 100, `checked ${checked} lenses`);
});

test('NodePort lens: outside client to the node address from the settings', () => {
  const ruleset = parseRuleset(readFileSync(path.join(seedsDir, 'kind-worker2-after-nodeport.rules'), 'utf8'));
  const rule = ruleAtLine(ruleset, 88)!; // line 89: -A KUBE-NODEPORTS … --dport 30080
  assert.equal(rule.chain, 'KUBE-NODEPORTS');
  const withNode = synthesizePacketForRule(ruleset, rule, { nodeAddresses: ['172.20.0.3'] });
  assert.equal(withNode.packetLine, '192.168.50.9 -> 172.20.0.3:30080/tcp');
  assert.equal(withNode.role, 'external');
  assert.match(withNode.title, /outside client 192\.168\.50\.9 → node/);
  assert.match(withNode.explanation, /outside the pod CIDR 10\.244\.0\.0\/16/);
  const withoutNode = synthesizePacketForRule(ruleset, rule, {});
  assert.equal(withoutNode.packetLine, undefined, 'no node address: the lens asks');
  assert.equal(withoutNode.suggestion, '192.168.50.9 -> NODE-ADDRESS:30080/tcp');
});

test('ClusterIP lens: a pod inside the pod CIDR, and the KUBE-SEP DNAT learns the ClusterIP from KUBE-SERVICES', () => {
  const ruleset = parseRuleset(readFileSync(path.join(seedsDir, 'kind-worker2-after-nodeport.rules'), 'utf8'));
  const service = synthesizePacketForRule(ruleset, ruleAtLine(ruleset, 114)!); // -A KUBE-SERVICES -d 10.96.118.136/32 … --dport 80
  assert.equal(service.packetLine, '10.244.0.9 -> 10.96.118.136:80/tcp');
  assert.equal(service.role, 'pod');
  assert.match(service.title, /from pod 10\.244\.0\.9/);
  const endpoint = synthesizePacketForRule(ruleset, ruleAtLine(ruleset, 101)!); // KUBE-SEP-S4QG… DNAT 10.244.2.2:80
  assert.equal(endpoint.packetLine, '10.244.0.9 -> 10.96.118.136:80/tcp');
  // The masquerade rule `! -s 10.244.0.0/16 -d 10.96.118.136 …` needs a source outside the pod CIDR.
  const masq = synthesizePacketForRule(ruleset, ruleAtLine(ruleset, 124)!);
  assert.equal(masq.packetLine, '192.168.50.9 -> 10.96.118.136:80/tcp');
  assert.match(masq.explanation, /outside 10\.244\.0\.0\/16/);
});

test('lens sites are capped on huge dumps, hook lenses always kept', () => {
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 0; i < 100_000; i++) lines.push(`-A INPUT -d 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 -p tcp -m tcp --dport ${1 + (i % 60000)} -j ACCEPT`);
  lines.push('COMMIT', '');
  const ruleset = parseRuleset(lines.join('\n'));
  const { sites, capped } = findLensSites(ruleset, { maxRuleLenses: 2000 });
  assert.equal(sites.filter((s) => s.kind === 'hook').length, 3);
  assert.equal(sites.filter((s) => s.kind === 'rule').length, 2000);
  assert.equal(capped, true);
  // The first 2,000 in file order.
  assert.deepEqual(sites.filter((s) => s.kind === 'rule').map((s) => s.line).slice(-2), [2002, 2003]);
  assert.equal(findLensSites(ruleset, { maxRuleLenses: 200_000 }).capped, false);
  // A lens deep in the dump resolves (its cost is measured by `npm run bench`, lsp editor requests).
  const packet = synthesizePacketForRule(ruleset, ruleAtLine(ruleset, 50_003)!);
  assert.match(packet.packetLine ?? '', /-> 10\.0\.195\.79:\d+\/tcp$/);
});

test('hostInCidr picks an address inside the range', () => {
  const cases: Array<[string, number, string | undefined]> = [
    ['10.244.0.0/16', 9, '10.244.0.9'],
    ['10.96.0.10/32', 1, '10.96.0.10'],
    ['10.0.0.0/24', 1, '10.0.0.1'],
    ['192.168.1.4/31', 9, '192.168.1.5'],
    ['2001:db8:2::/64', 1, '2001:db8:2::1'],
    ['fd00::/8', 9, 'fd00::9'],
    ['not-an-address', 1, undefined],
  ];
  for (const [cidr, offset, expected] of cases) assert.equal(hostInCidr(cidr, offset), expected, cidr);
});

test('a rule no packet matches: the lens says so instead of promising a matching packet', () => {
  const text = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
    '-A FORWARD -d 10.0.0.5/32 -p tcp -m tcp --dport 80 -m multiport --dports 443,8443 -j ACCEPT',
    '-A FORWARD -d 10.0.0.5/32 -p tcp -m tcp --dport 80 -j ACCEPT', 'COMMIT', ''].join('\n');
  const ruleset = parseRuleset(text);
  const never = synthesizePacketForRule(ruleset, ruleAtLine(ruleset, 4)!);
  assert.match(never.title, /^▶ Trace a packet \(.*; no packet matches this rule\)$/);
  assert.match(never.explanation, /No packet matches this rule: no destination port satisfies `-m tcp --dport 80` and `-m multiport --dports 443,8443`\./);
  const plain = synthesizePacketForRule(ruleset, ruleAtLine(ruleset, 5)!);
  assert.match(plain.title, /^▶ Trace a matching packet \(/);
  assert.doesNotMatch(plain.explanation, /No packet matches/);
});
