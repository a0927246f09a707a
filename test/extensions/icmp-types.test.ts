// --icmp-type / --icmpv6-type values as iptables reads them (resolveIcmpType, probed against
// iptables-restore 1.8.9 — test/parser/restore-agreement.test.ts holds the probes): the parser's
// errors, the simulator's matching and the analysis all read a value the same way.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ICMP_TYPES, resolveIcmpType } from '../../server/src/netfilter/extensions/matches/icmp';
import { ICMPV6_TYPES } from '../../server/src/netfilter/extensions/matches/icmp6';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { tracePacket } from '../../server/src/netfilter/trace/simulate';
import { analyzeRuleset } from '../../server/src/netfilter/analysis';

test('resolveIcmpType: unique case-insensitive name prefixes, TYPE[/CODE] in 0–255, what restore says otherwise', () => {
  const v4 = (text: string) => resolveIcmpType(text, ICMP_TYPES, 'ICMP');
  assert.deepEqual(v4('echo-req'), { type: 8, codeMin: 0, codeMax: 255 });
  assert.deepEqual(v4('ECHO-REQUEST'), { type: 8, codeMin: 0, codeMax: 255 });
  assert.deepEqual(v4('an'), { type: 255, codeMin: 0, codeMax: 255 });
  assert.deepEqual(v4('port-unreachable'), { type: 3, codeMin: 3, codeMax: 3 });
  assert.deepEqual(v4('0x8'), { type: 8, codeMin: 0, codeMax: 255 });
  assert.deepEqual(v4('010'), { type: 8, codeMin: 0, codeMax: 255 });
  assert.deepEqual(v4('8/0x3'), { type: 8, codeMin: 3, codeMax: 3 });
  assert.deepEqual(v4('echo'), { error: "Ambiguous ICMP type `echo': `echo-reply' or `echo-request'?" });
  assert.deepEqual(v4('po'), { error: "Ambiguous ICMP type `po': `pong' or `port-unreachable'?" });
  assert.deepEqual(v4('256'), { error: "Unknown ICMP type `256'" });
  assert.deepEqual(v4('08'), { error: "Unknown ICMP type `08'" });
  assert.deepEqual(v4('8/300'), { error: "Unknown ICMP code `8/300'" });
  assert.deepEqual(v4('/3'), { error: "Unknown ICMP type `/3'" });
  const v6 = (text: string) => resolveIcmpType(text, ICMPV6_TYPES, 'ICMPv6');
  assert.deepEqual(v6('neighbor-s'), { type: 135, codeMin: 0, codeMax: 255 });
  assert.deepEqual(v6('echo'), { error: "Ambiguous ICMPv6 type `echo': `echo-request' or `echo-reply'?" });
  assert.deepEqual(v6('any'), { error: "Unknown ICMPv6 type `any'" });
  // resolveIcmpType answers a whole name without the prefix walk: right only while no name is
  // another's prefix (iptables would call such a name ambiguous).
  for (const table of [ICMP_TYPES, ICMPV6_TYPES]) {
    const names = Object.keys(table).map((name) => name.toLowerCase());
    for (const a of names) for (const b of names) assert.ok(a === b || !b.startsWith(a), `${a} is a prefix of ${b}`);
  }
});

test('the parser reports what restore rejects, on its line; mld-listener-* names (iptables ≥ 1.8.10) are a warning', () => {
  const v6 = parseRuleset(
    '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type router -j ACCEPT\n-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type mld-listener-query -j ACCEPT\n-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type echo-req -j ACCEPT\nCOMMIT\n',
    { family: 'ipv6' },
  );
  const lineOf = (offset: number) => v6.text.slice(0, offset).split('\n').length;
  assert.deepEqual(
    v6.problems.map((p) => `${lineOf(p.span.start)} ${p.severity} ${p.message}`),
    [
      "3 error Ambiguous ICMPv6 type `router': `router-solicitation' or `router-advertisement'?",
      "4 warning ip6tables-restore knows this ICMPv6 type name from v1.8.10 on; older versions reject the rule (Unknown ICMPv6 type `mld-listener-query'): type 130 loads everywhere",
    ],
  );
});

test('the simulator matches a name prefix as the kernel does (echo-req is echo-request)', () => {
  const ruleset = parseRuleset('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p icmp -m icmp --icmp-type echo-req -j DROP\nCOMMIT\n');
  const ping = tracePacket(ruleset, { src: '10.0.0.1', dst: '10.0.0.2', proto: 'icmp', icmpType: 8, localAddresses: ['10.0.0.2'] });
  assert.deepEqual(ping.paths.map((p) => p.verdict), ['DROP']);
  const reply = tracePacket(ruleset, { src: '10.0.0.1', dst: '10.0.0.2', proto: 'icmp', icmpType: 0, localAddresses: ['10.0.0.2'] });
  assert.deepEqual(reply.paths.map((p) => p.verdict), ['ACCEPT']);
});

test('the analysis reads a name prefix as its type (a shadowed rule behind `echo-req`)', () => {
  const ruleset = parseRuleset('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p icmp -m icmp --icmp-type echo-req -j DROP\n-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT\nCOMMIT\n');
  assert.deepEqual(analyzeRuleset(ruleset).map((p) => `${ruleset.text.slice(0, p.span.start).split('\n').length} ${p.code}`), ['4 reach/shadowed']);
});
