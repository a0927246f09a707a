// parseRuleset's fast path (rule-line templates, lazy rule models) must give exactly the reference
// parse (parseRulesetEagerly): the same problems in the same order, and the same model down to every
// token's span — on every fixture, on mutated dumps from the fuzzer, on a generated kube-proxy dump,
// and on lines made to trap templates (a shape learnt from a clean line, then reused with bad values).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { optionText, parseRuleset, parseRulesetEagerly, ruleOutline } from '../../server/src/netfilter/parser';
import { describe, describeRule } from './describe-parse';
import { loadCorpus } from '../fuzz/corpus';
import { generateInput } from '../fuzz/generate';
import { generateKubeDump } from '../bench/generate-kube-dump';

const repo = resolve(__dirname, '..', '..');

function assertSameParse(name: string, text: string): void {
  const reference = describe(parseRulesetEagerly(text));
  const fast = describe(parseRuleset(text));
  if (fast.length === reference.length && fast.every((line, i) => line === reference[i])) return;
  const i = fast.findIndex((line, k) => line !== reference[k]);
  assert.fail(`${name}: the fast parse differs from the reference parse at item ${i}:\n  reference: ${reference[i]}\n  fast:      ${fast[i]}`);
}

test('fast parse = reference parse on the shared fixtures and the parser cases', () => {
  let files = 0;
  for (const entry of loadCorpus()) {
    assertSameParse(entry.name, entry.text);
    files++;
  }
  for (const dir of [join(repo, 'test', 'parser', 'cases'), join(repo, 'test', 'fuzz', 'regressions'), join(repo, 'examples')]) {
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.rules')).sort()) {
      assertSameParse(name, readFileSync(join(dir, name), 'utf8'));
      files++;
    }
  }
  assert.ok(files >= 50, `only ${files} files compared`);
});

test('fast parse = reference parse on 600 mutated dumps (fuzzer inputs)', () => {
  for (let i = 0; i < 600; i++) {
    const input = generateInput(20261122, i);
    assertSameParse(`fuzz input ${i} (${input.base}: ${input.ops.join(', ')})`, input.text);
  }
});

test('fast parse = reference parse on a generated kube-proxy dump, and templates do the checking there', () => {
  const text = generateKubeDump({ services: 300, endpointsPerService: 3, seed: 7 });
  assertSameParse('kube dump, 300 services', text);
  // Almost every rule line is checked by a template (the point of the fast path).
  const ruleset = parseRuleset(text);
  let rules = 0;
  let outlined = 0;
  for (const table of ruleset.tables) {
    for (const chain of table.chains.values()) {
      for (const rule of chain.rules) {
        rules++;
        if (ruleOutline(rule)) outlined++;
      }
    }
  }
  assert.ok(outlined / rules > 0.95, `${outlined} of ${rules} rules have a template`);
});

// Each trap: clean lines that teach a template, then lines of the same shape whose values (or
// surroundings) make the full parse report something or read the line differently.
const TRAPS: Record<string, string> = {
  'bad values in a learnt shape': [
    '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':USER - [0:0]',
    '-A INPUT -s 10.0.0.1/32 -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A INPUT -s 10.0.0.2/32 -p tcp -m tcp --dport 70000 -j ACCEPT',
    '-A INPUT -s 10.0.0.300/32 -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A INPUT -s 2001:db8::1 -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A INPUT -s host.example -p tcp -m tcp --dport ssh -j ACCEPT',
    '-A INPUT -s 10.0.0.3/33 -p tcp -m tcp --dport 080 -j ACCEPT',
    '-A INPUT -s 010.0.0.1/8 -p tcp -m tcp --dport 0x16 -j ACCEPT',
    '-A INPUT -s 10.0.0.1,10.0.0.999 -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 22 -s 10.0.0.1/32 -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 080 -s 10.0.0.300/32 -j ACCEPT',
    '-A INPUT -i eth0 -j ACCEPT',
    '-A INPUT -i averyveryverylonginterfacename -j ACCEPT',
    '-A INPUT -i "" -j ACCEPT',
    '-A INPUT -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A INPUT -m mark --mark 0x4000/zz -j ACCEPT',
    '-A INPUT -m comment --comment "a \\"quoted\\" comment" -j ACCEPT',
    '-A INPUT -m comment --comment "' + 'x'.repeat(300) + '" -j ACCEPT',
    '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A INPUT -m conntrack --ctstate RELATED,BOGUS -j ACCEPT',
    '-A INPUT -p tcp -m multiport --dports 80,443 -j USER',
    '-A INPUT -p tcp -m multiport --dports 80,443,70000 -j USER',
    '-A INPUT -p tcp -m multiport --dports ' + Array.from({ length: 16 }, (_, i) => 1000 + i).join(',') + ' -j USER',
    'COMMIT', '',
  ].join('\n'),
  'statistic and LOG values are whole-rule checks': [
    '*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ':A - [0:0]', ':B - [0:0]',
    '-A A -m statistic --mode random --probability 0.5 -j B',
    '-A A -m statistic --mode random --probability 1.5 -j B',
    '-A A -m statistic --mode random --probability -0.5 -j B',
    '-A A -m statistic --mode nth --probability 0.5 -j B',
    '-A A -m statistic --mode random --probability 0.25 -j B',
    '-A A -j LOG --log-prefix "x "',
    '-A A -j LOG --log-prefix "' + 'y'.repeat(40) + '"',
    '-A A -j LOG --log-level 4',
    '-A A -j LOG --log-level 99',
    'COMMIT', '',
  ].join('\n'),
  'NAT ports with and without a port protocol': [
    '*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ':SEP - [0:0]',
    '-A SEP -p tcp -m tcp -j DNAT --to-destination 10.244.0.1:80',
    '-A SEP -p tcp -m tcp -j DNAT --to-destination 10.244.0.2:8o',
    '-A SEP -p tcp -m tcp -j DNAT --to-destination 10.244.0.300:80',
    '-A SEP -j DNAT --to-destination 10.244.0.1',
    '-A SEP -j DNAT --to-destination 10.244.0.1:80',
    '-A SEP -p all -j DNAT --to-destination 10.244.0.3',
    '-A SEP -p all -j DNAT --to-destination 10.244.0.3:90',
    '-A POSTROUTING -j MASQUERADE --to-ports 1000-2000',
    '-A POSTROUTING -p udp -j MASQUERADE --to-ports 1000-2000',
    '-A POSTROUTING -p udp -j MASQUERADE --to-ports 1000-x',
    'COMMIT', '',
  ].join('\n'),
  'jumps: declared, declared later, undeclared, named like targets and built-ins': [
    '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':C1 - [0:0]', ':C2 - [0:0]', ':MARK - [0:0]',
    '-A INPUT -s 10.0.0.1/32 -j C1',
    '-A INPUT -s 10.0.0.2/32 -j C2',
    '-A INPUT -s 10.0.0.3/32 -j C3',
    '-A INPUT -s 10.0.0.4/32 -j MARK',
    '-A INPUT -s 10.0.0.5/32 -j ACCEPT',
    '-A INPUT -s 10.0.0.6/32 -j FORWARD',
    '-A INPUT -s 10.0.0.7/32 -g C1',
    '-A INPUT -s 10.0.0.8/32 -g ACCEPT',
    '-A INPUT -s 10.0.0.9/32 -g MARK',
    '-A C4 -s 10.0.0.10/32 -j C1',
    '-A C4 -s 10.0.0.11/32 -j C4',
    '-A DNAT -s 10.0.0.12/32 -j DNAT',
    ':C3 - [0:0]',
    '-A C3 -s 10.0.0.13/32 -j C3',
    '-A OUTPUT -o eth0 -j C1',
    '-A INPUT -o eth0 -j C1',
    '-A C1 -o eth0 -j C2',
    'COMMIT', '',
  ].join('\n'),
  'odd lines: counters, quotes, abbreviations, --opt=value, two targets': [
    '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':USER - [0:0]',
    '[1:2] -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
    '[3:4] -A INPUT -p tcp -m tcp --dport 23 -j ACCEPT',
    '[99999999999999999999:1] -A INPUT -p tcp -m tcp --dport 24 -j ACCEPT',
    '[x:1] -A INPUT -p tcp -m tcp --dport 25 -j ACCEPT',
    '-A INPUT -p tcp --dpo 26 -j ACCEPT',
    '-A INPUT -p tcp --dpo 27 -j ACCEPT',
    '-A INPUT -p tcp --dport=28 -j ACCEPT',
    '--append INPUT --protocol tcp --match tcp --destination-port 29 --jump ACCEPT',
    '--append INPUT --proto tcp --destination-port 30 --jump ACCEPT',
    '--append INPUT --proto udp --destination-port 31 --jump ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 32 -j ACCEPT -j DROP',
    '-A INPUT -p tcp -m tcp --dport 33 -j ACCEPT -j DROP',
    '-A INPUT "-p" tcp -j ACCEPT',
    '-A INPUT -m comment --comment "unterminated -j ACCEPT',
    '-A INPUT -m comment --comment a"b"c -j ACCEPT',
    '-A INPUT ! -s 10.0.0.1 ! -d 10.0.0.2 -j ACCEPT',
    '-A INPUT -s ! 10.0.0.1 -j ACCEPT',
    '-A INPUT ! ! -s 10.0.0.1 -j ACCEPT',
    '-A INPUT -p tcp ! --dport 34 -j ACCEPT',
    '-A INPUT -p tcp ! --dport 35 -j ACCEPT',
    '-A INPUT -p udp ! --dport 36 -j ACCEPT',
    '-A INPUT -m foo --bar 1 -j ACCEPT',
    '-A INPUT -j ACCEPT !',
    '-A INPUT -x -j ACCEPT',
    'COMMIT', '',
  ].join('\n'),
  'jump targets the shape does not read as names (found by the differential fuzzer)': [
    '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
    '-A INPUT -p tcp -m tcp --dport 2 -j !',
    '-A INPUT -p tcp -m tcp --dport 2 -j !',
    '-A INPUT -p tcp -m tcp --dport 3 -j -x',
    '-A INPUT -p tcp -m tcp --dport 4 -j -x',
    'COMMIT', '',
  ].join('\n'),
  'quoted targets, modules and protocols': [
    '*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ':C1 - [0:0]',
    '-A PREROUTING -s 10.0.0.1/32 -j "C1"',
    '-A PREROUTING -s 10.0.0.2/32 -j "DNAT"',
    '-A PREROUTING -s 10.0.0.3/32 -j "FOO"',
    '-A PREROUTING -s 10.0.0.4/32 -j "ACCEPT"',
    '-A PREROUTING -s 10.0.0.5/32 -j ACCEPT',
    '-A PREROUTING -s 10.0.0.6/32 -j "ACCEPT"',
    '-A PREROUTING -p "tcp" -m "tcp" --dport 80 -j C1',
    '-A PREROUTING -p "udp" -m "tcp" --dport 80 -j C1',
    '-A PREROUTING -p tcp -m tcp --dport "80" -j C1',
    '-A PREROUTING -p tcp -m tcp --dport "8x" -j C1',
    'COMMIT', '',
  ].join('\n'),
  'a user chain named INPUT in the raw table': [
    '*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':INPUT - [0:0]', ':OTHER - [0:0]',
    '-A OTHER -o eth0 -j ACCEPT',
    '-A INPUT -o eth0 -j ACCEPT',
    '-A OUTPUT -i eth0 -j ACCEPT',
    '-A OTHER -i eth0 -j ACCEPT',
    'COMMIT', '',
  ].join('\n'),
  'rules of the other family: skipped by restore, read no further, their chain not checked': [
    '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':USER - [0:0]',
    '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A INPUT -6 -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 99999 -6 -j ACCEPT',
    '-A INPUT -6 -p tcp -m tcp --dport 99999 -j NOPE',
    '-A NOCHAIN -6 -j USER',
    '-A USER -6 -j USER',
    '-A INPUT -4 -p tcp -m tcp --dport 23 -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 24 -j USER',
    'COMMIT', '',
  ].join('\n'),
  'IPv6 shapes': [
    '# Generated by ip6tables-save v1.8.9', '*filter', ':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
    '-A INPUT -s 2001:db8::1/128 -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A INPUT -s 2001:db8::2/129 -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A INPUT -s 10.0.0.1/32 -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A INPUT -s fe80::/10 -p ipv6-icmp -j ACCEPT',
    '-A INPUT -s fe80::/10 -p icmp -j ACCEPT',
    'COMMIT', '',
  ].join('\n'),
};

// matchPredicted() tries the template that followed the previous line's template last time: each
// variant comes right after the line that was followed by the clean shape, so it is scanned against
// that shape. One dump per variant: a line the fast path cannot file sends the whole dump to the
// reference parse.
function predictedShapeTraps(): string[] {
  const lead = '-A INPUT -s 10.0.0.1/32 -j C1';
  const families: Array<[clean: string, variants: string[]]> = [
    [
      '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
      [
        '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT extra',
        '-A INPUT -p tcp -m tcp --dport 22 -j',
        '-A INPUT -p tcp -m tcp --dport -22 -j ACCEPT',
        '-A INPUT -p tcp -m tcp --dport ! -j ACCEPT',
        '-A INPUT -p tcp -m tcpx --dport 22 -j ACCEPT',
        '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPTED',
        '-A INPUT -p tcp -m tcp --dport "22 -j ACCEPT',
        '-A INPUT -p tcp -m tcp --dport 2"2 -j ACCEPT',
        '-A INPUT -p tcp -m tcp --dport22 -j ACCEPT',
        '-A INPUT -p tcp -m tcp --dport "!" -j ACCEPT',
        '-A INPUT -p tcp -m tcp --dport "-22" -j ACCEPT',
        '-A INPUT -p tcp -m tcp --dport "\\"22" -j ACCEPT',
        '-A INPUT -p tcp -m tcp --dport 22 -j "ACCEPT"',
        '-A FORWARD -p tcp -m tcp --dport 22 -j ACCEPT',
        '-A  INPUT\t-p tcp -m tcp --dport 22 -j ACCEPT ',
      ],
    ],
    [
      '-A C1 -p tcp -m tcp --dport 22 -j C2',
      [
        '-A OUTPUT -p tcp -m tcp --dport 22 -j C2',
        '-A "C1" -p tcp -m tcp --dport 22 -j C2',
        '-A -x -p tcp -m tcp --dport 22 -j C2',
        '-A C1 -p tcp -m tcp --dport 22 -j C9',
        '-A C1 -p tcp -m tcp --dport 22 -j MARK',
        '-A C1 -p tcp -m tcp --dport 22 -j "C2"',
        '-A C1 -p tcp -m tcp --dport 22 -j -C2',
        '-A C1 -p tcp -m tcp --dport 22 -j !',
        '-A C2 -p tcp -m tcp --dport 22 -j C1',
      ],
    ],
    // -i is refused in OUTPUT, -o in INPUT: a built-in chain's name is part of the shape
    ['-A C1 -i eth0 -j C2', ['-A OUTPUT -i eth0 -j C2', '-A INPUT -i eth0 -j C2']],
    ['-A C1 -o eth0 -j C2', ['-A INPUT -o eth0 -j C2', '-A OUTPUT -o eth0 -j C2']],
    [
      '-A INPUT -m comment --comment "abc" -j ACCEPT',
      [
        '-A INPUT -m comment --comment "-abc" -j ACCEPT',
        '-A INPUT -m comment --comment "!abc" -j ACCEPT',
        '-A INPUT -m comment --comment "\\"abc" -j ACCEPT',
        '-A INPUT -m comment --comment "" -j ACCEPT',
        '-A INPUT -m comment --comment "abc"x -j ACCEPT',
        '-A INPUT -m comment --comment "' + 'z'.repeat(300) + '" -j ACCEPT',
        '-A INPUT -m comment --comment -abc -j ACCEPT',
      ],
    ],
  ];
  const head = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':C1 - [0:0]', ':C2 - [0:0]', ':MARK - [0:0]'];
  return families.flatMap(([clean, variants]) => variants.map((variant) => [...head, lead, clean, lead, variant, lead, clean, 'COMMIT', ''].join('\n')));
}

test('fast parse = reference parse: predicted shapes, a line like the one that followed last time but not quite', () => {
  const dumps = predictedShapeTraps();
  for (const text of dumps) assertSameParse(`predicted shape trap: ${text.split('\n')[10]}`, text);
  // Most variants stay on the fast path (where the prediction is tried) rather than sending the dump to the reference parse.
  const fast = dumps.filter((text) => parseRuleset(text).tables[0].chains.get('INPUT')!.rules.some((rule) => ruleOutline(rule)));
  assert.ok(fast.length >= dumps.length - 5, `only ${fast.length} of ${dumps.length} dumps parsed on the fast path`);
});

for (const [name, text] of Object.entries(TRAPS)) {
  test(`fast parse = reference parse: ${name}`, () => {
    assertSameParse(name, text);
    // The trap must really trap: the reference parse has something to report.
    if (!name.startsWith('IPv6') && !name.startsWith('a user chain')) assert.ok(parseRulesetEagerly(text).problems.length > 0, `${name}: no problem to find`);
  });
}

test('a rule model read, dropped from the parser cache and read again is the same', () => {
  const text = generateKubeDump({ services: 2000, endpointsPerService: 3, seed: 3 });
  const ruleset = parseRuleset(text);
  const nat = ruleset.tables.find((t) => t.name === 'nat')!;
  const first = [...nat.chains.values()].flatMap((c) => c.rules).slice(0, 50);
  const before = first.map(describeRule);
  // Reading every rule's matches pushes the first ones out of the parser's model cache.
  let modules = 0;
  for (const chain of nat.chains.values()) for (const rule of chain.rules) modules += rule.matches.length;
  assert.ok(modules > 20_000);
  assert.deepEqual(first.map(describeRule), before);
});

test('indented rule lines (with and without counters) read the same through the quick paths', () => {
  // Found by the re-read test: the chain token of an indented `-A` line was placed on the `-A`.
  const text = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':A - [0:0]',
    '  -A INPUT -p tcp -m tcp --dport 22 -j A',
    '\t[3:180] -A INPUT -p tcp -m tcp --dport 23 -m comment --comment "telnet" -j A',
    ' -A A -s 10.0.0.0/8 -j ACCEPT',
    'COMMIT',
    '',
  ].join('\n');
  assertSameParse('indented lines', text);
});
