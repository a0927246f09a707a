// Regression guard for the analyses' fast path (analysis/context.ts ruleClass): on a dump read by
// the checked parse they read most rules from the parser's rows and a class worked out once per
// rule template, making a rule object only when that does not tell. On random dumps whose rules
// hit every part of a class — universal or not (comments only, `-s 0.0.0.0/0`, `-p all`, `! -s`,
// `-f`, stateful matches), matching no packet or some (`! -s 0.0.0.0/0`, two marks, `-s` and iprange), usable or not (broken values, `-4`/`-6`), every kind of target (verdicts,
// RETURN, jumps and gotos, NAT targets in and out of nat, extensions the kernel places, unknown
// targets) and kube-proxy's chains (hashes, shares, endpoint DNATs, "must be the last rule") —
// the findings must be exactly those of the same analyses on the reference parse, whose rules are
// all objects. fast-check with a fixed seed: the same dumps every run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRuleset, parseRulesetEagerly } from '../../server/src/netfilter/parser';
import { analyzeRuleset } from '../../server/src/netfilter/analysis';
import { kubeChainName } from '../../server/src/netfilter/kube/hash';

const SEED = 20261123;
const RUNS = 150;

const criteria = fc.oneof(
  // matching every packet, plainly or by their values
  { weight: 3, arbitrary: fc.constantFrom('', '-m comment --comment "plain"', '-s 0.0.0.0/0', '-d 0.0.0.0/0', '-i +', '-p all') },
  // never every packet: by the template (negation, fragment, stateful) or by the line's values
  { weight: 3, arbitrary: fc.constantFrom('-s 10.0.0.1/32', '-d 10.1.0.0/16', '! -s 10.0.0.2/32', '-f', '-p tcp', '-p tcp --dport 80', '-p tcp -m tcp --dport 80', '-p udp --dport 53', '-i eth0', '! -o eth1') },
  { weight: 1, arbitrary: fc.constantFrom('-m statistic --mode random --probability 0.5', '-m limit --limit 1/s', '-m conntrack --ctstate NEW', '-m mark --mark 0x4000/0x4000', '-m addrtype --dst-type LOCAL') },
  // no packet at all (reach/never-matches) or some, in the same templates: a negated address or
  // interface read from the row only on a line with `/0` or `+`, two tests of one field
  { weight: 2, arbitrary: fc.constantFrom('! -s 0.0.0.0/0', '! -d 0/0', '! -i +', '! -i eth+', '-m mark --mark 0x1/0x1 -m mark --mark 0x0/0x1', '-m mark --mark 0x1/0x1 -m mark --mark 0x2/0x2',
    '-s 10.0.0.0/8 -m iprange --src-range 192.168.0.1-192.168.0.9', '-s 10.0.0.0/8 -m iprange --src-range 10.0.0.1-10.0.0.9', '-p tcp -m tcp ! --dport 0:65535', '-p tcp -m tcp ! --dport 80', '-f -p tcp -m tcp --dport 80') },
  // broken (sharing a template with a good line above) or for the other family
  { weight: 1, arbitrary: fc.constantFrom('-s 10.0.0.300/32', '-i eth0eth0eth0eth0eth0', '-p tcp --dport 99999', '-4', '-6') },
);
const userChains = ['A', 'B', 'C', 'KUBE-MARK-MASQ'];
const target = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('-j ACCEPT', '-j DROP', '-j RETURN', '-j REJECT', '-j LOG --log-prefix "x "', '-j MARK --set-xmark 0x4000/0x4000', '') },
  { weight: 4, arbitrary: fc.constantFrom(...userChains).chain((c) => fc.constantFrom(`-j ${c}`, `-g ${c}`)) },
  { weight: 2, arbitrary: fc.constantFrom('-j DNAT --to-destination 10.0.0.9:80', '-j MASQUERADE', '-j SNAT --to-source 10.0.0.1', '-j REDIRECT --to-ports 8080', '-j CT --notrack', '-j NOTRACK', '-j FOOBAR', '-j NFQUEUE --queue-num 1') },
);
const rule = fc.tuple(fc.constantFrom('A', 'A', 'B', 'C', 'PREROUTING', 'OUTPUT', 'POSTROUTING', 'INPUT'), criteria, target).map(([chain, c, t]) => ({ chain, line: [c, t].filter(Boolean).join(' ') }));

/** A kube-proxy service with `endpoints` endpoints, its hashes right or (`wrongHash`) not, its shares equal or not. */
const kubeService = fc.record({
  name: fc.constantFrom('ns/web:http', 'ns/db:sql', 'kube-system/dns:dns'),
  endpoints: fc.integer({ min: 1, max: 3 }),
  wrongHash: fc.boolean(),
  unequal: fc.boolean(),
  noDnat: fc.boolean(),
  // broken lines that share a good line's template: what they state must not count
  brokenServiceRule: fc.boolean(),
  brokenShare: fc.boolean(),
});

function kubeLines(service: { name: string; endpoints: number; wrongHash: boolean; unequal: boolean; noDnat: boolean; brokenServiceRule: boolean; brokenShare: boolean }, k: number): { declarations: string[]; rules: string[] } {
  const svc = service.wrongHash ? `KUBE-SVC-WRONGHASH${'ABCDEFG'[k]}ZZZZZZ` : kubeChainName('service', service.name, 'tcp');
  const declarations = [`:${svc} - [0:0]`];
  const rules = [`-A KUBE-SERVICES -d 10.96.0.${service.brokenServiceRule ? 300 : k + 1}/32 -p tcp -m comment --comment "${service.name} cluster IP" -m tcp --dport 80 -j ${svc}`];
  for (let e = 0; e < service.endpoints; e++) {
    const endpoint = `10.244.${k}.${e + 1}:8080`;
    const sep = kubeChainName('endpoint', service.name, 'tcp', endpoint);
    declarations.push(`:${sep} - [0:0]`);
    const left = service.endpoints - e;
    const statistic = left > 1 ? ` -m statistic --mode random --probability ${service.brokenShare ? '1.50000000000' : service.unequal ? '0.30000000000' : (1 / left).toFixed(11)}` : '';
    rules.push(`-A ${svc} -m comment --comment "${service.name} -> ${endpoint}"${statistic} -j ${sep}`);
    rules.push(`-A ${sep} -s 10.244.${k}.${e + 1}/32 -m comment --comment "${service.name}" -j KUBE-MARK-MASQ`);
    if (!service.noDnat || e > 0) rules.push(`-A ${sep} -p tcp -m comment --comment "${service.name}" -m tcp -j DNAT --to-destination ${endpoint}`);
  }
  return { declarations, rules };
}

function dump(natRules: Array<{ chain: string; line: string }>, filterRules: Array<{ chain: string; line: string }>, services: Array<Parameters<typeof kubeLines>[0]>, lastRuleMisplaced: boolean): string {
  const kube = services.map(kubeLines);
  const nodePorts = '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS';
  const servicesRules = kube.flatMap((k) => k.rules.filter((r) => r.startsWith('-A KUBE-SERVICES ')));
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
    ':A - [0:0]', ':B - [0:0]', ':C - [0:0]', ':KUBE-MARK-MASQ - [0:0]', ':KUBE-SERVICES - [0:0]', ':KUBE-NODEPORTS - [0:0]',
    ...kube.flatMap((k) => k.declarations),
    '-A PREROUTING -j KUBE-SERVICES',
    '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
    ...(lastRuleMisplaced ? [nodePorts, ...servicesRules] : [...servicesRules, nodePorts]),
    ...kube.flatMap((k) => k.rules.filter((r) => !r.startsWith('-A KUBE-SERVICES '))),
    ...natRules.map((r) => `-A ${r.chain} ${r.line}`.trimEnd()),
    'COMMIT',
    '*filter',
    ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
    ':A - [0:0]', ':B - [0:0]', ':C - [0:0]', ':KUBE-MARK-MASQ - [0:0]',
    ...filterRules.filter((r) => r.chain !== 'PREROUTING' && r.chain !== 'POSTROUTING').map((r) => `-A ${r.chain} ${r.line}`.trimEnd()),
    'COMMIT',
    '',
  ].join('\n');
}

test('the analyses find the same on the fast parse (rules read from rows) as on the reference parse (rule objects)', () => {
  let findings = 0;
  fc.assert(
    fc.property(
      fc.array(rule, { minLength: 1, maxLength: 40 }),
      fc.array(rule, { maxLength: 25 }),
      fc.array(kubeService, { maxLength: 4 }),
      fc.boolean(),
      fc.constantFrom('ipv4', 'ipv6'),
      (natRules, filterRules, services, lastRuleMisplaced, family) => {
        // Rules repeated further down: most lines of a real dump share a template with others.
        const text = dump([...natRules, ...natRules.slice(0, 10)], [...filterRules, ...filterRules], services, lastRuleMisplaced);
        const fast = analyzeRuleset(parseRuleset(text, { family }));
        const reference = analyzeRuleset(parseRulesetEagerly(text, { family }));
        assert.deepEqual(fast, reference, text);
        findings += fast.length;
      },
    ),
    { seed: SEED, numRuns: RUNS },
  );
  // The dumps are meant to have findings of every kind: a generator that stopped producing them would make this test hollow.
  assert.ok(findings > RUNS * 3, `only ${findings} findings in ${RUNS} dumps`);
});

/** Chains whose verdict for every packet depends on one class bit each (the random dumps rarely line these up). */
const HAND_WRITTEN: Record<string, string[]> = {
  'a RETURN before a verdict for every packet: the chain does not always decide': ['-A A -p tcp -j RETURN', '-A A -j ACCEPT'],
  'a broken rule (sharing a good line\'s template) stops the walk': ['-A A -s 10.0.0.3/32 -j ACCEPT', '-A A -s 10.0.0.300/32 -j ACCEPT', '-A A -j ACCEPT'],
  'a rule for the other family stops the walk': ['-A A -6 -j DROP', '-A A -j ACCEPT'],
  'a universal verdict by its values': ['-A A -s 0.0.0.0/0 -j ACCEPT'],
  'a goto to a chain that does not always decide': ['-A A -g B', '-A A -j ACCEPT', '-A B -p tcp -j ACCEPT'],
  'a goto to a chain that does': ['-A A -p tcp -g B', '-A A -j ACCEPT', '-A B -j DROP'],
  'a jump for every packet to a chain that always decides': ['-A A -m comment --comment "x" -j B', '-A B -i + -j DROP'],
  'a NAT target outside nat decides nothing': ['-A A -j DNAT --to-destination 10.0.0.1', '-A A -p udp -j ACCEPT'],
};

test('the same on hand-written chains where one class bit decides', () => {
  for (const [name, lines] of Object.entries(HAND_WRITTEN)) {
    const text = ['*filter', ':INPUT ACCEPT [0:0]', ':A - [0:0]', ':B - [0:0]', '-A INPUT -j A', '-A INPUT -p tcp -j ACCEPT', ...lines, 'COMMIT', ''].join('\n');
    const fast = analyzeRuleset(parseRuleset(text, { family: 'ipv4' }));
    assert.deepEqual(fast, analyzeRuleset(parseRulesetEagerly(text, { family: 'ipv4' })), name);
  }
});

test('every kind of finding the fast path decides occurs in the random dumps', () => {
  const codes = new Set<string>();
  fc.assert(
    fc.property(fc.array(rule, { minLength: 5, maxLength: 40 }), fc.array(kubeService, { minLength: 1, maxLength: 4 }), fc.boolean(), (natRules, services, lastRuleMisplaced) => {
      for (const p of analyzeRuleset(parseRuleset(dump(natRules, natRules, services, lastRuleMisplaced), { family: 'ipv4' }))) codes.add(p.code);
    }),
    { seed: SEED, numRuns: RUNS },
  );
  for (const code of ['reach/unreachable', 'reach/shadowed', 'graph/unused-chain', 'place/target-table', 'place/target-hook', 'kube/hash-mismatch', 'kube/unequal-shares', 'kube/sep-without-dnat', 'kube/not-last']) {
    assert.ok(codes.has(code), `no ${code} in the random dumps (found: ${[...codes].sort().join(', ')})`);
  }
});
