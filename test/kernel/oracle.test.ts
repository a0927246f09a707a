// Tests of the kernel oracle itself: its parsers (no kernel needed) and the kernel behaviours the
// differential suite relies on (need the kernel; SKIPPED without it, failing under CI=true).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { repoRoot } from './cases';
import { lintText } from '../../server/src/netfilter/lint';
import { lineNumber } from '../../server/src/netfilter/analysis/context';
import {
  formatSteps, indexRuleset, kernelTraceDetailed, normalizeVerdict, oracleAvailable, parseRestoreOutput, parseTrace,
  restoreTest, restoreTestLegacy,
} from './oracle';

// ───────────── parsing (always runs) ─────────────

describe('oracle parsing', () => {
  test('restore output: every form of line blame seen from iptables 1.8.9', () => {
    const cases: Array<[string, number | undefined, string]> = [
      ['iptables-nft-restore v1.8.9 (nf_tables): unknown option "--frob"\nError occurred at line: 3\nTry `iptables-nft-restore -h\' or \'iptables-nft-restore --help\' for more information.\n', 3, 'unknown option "--frob"'],
      ['iptables-nft-restore: COMMIT expected at line 4\n', 4, 'COMMIT expected at line 4'],
      ['iptables-nft-restore: line 3 failed: No chain/target/match by that name.\n', 3, 'line 3 failed: No chain/target/match by that name.'],
      ["iptables-restore v1.8.9 (legacy): Can't set policy `FOO' on `INPUT' line 2: Bad policy name\n", 2, "Can't set policy `FOO' on `INPUT' line 2: Bad policy name"],
      ['iptables-nft-restore v1.8.9 (nf_tables): \nline 3: RULE_APPEND failed (Invalid argument): rule in chain INPUT\n', 3, 'line 3: RULE_APPEND failed (Invalid argument): rule in chain INPUT'],
      ['iptables-restore: line 1 failed\n', 1, 'line 1 failed'],
    ];
    for (const [output, line, message] of cases) {
      const verdict = parseRestoreOutput(1, output);
      assert.equal(verdict.accepted, false);
      assert.equal(verdict.errorLine, line, output);
      assert.equal(verdict.message, message);
    }
    assert.deepEqual(parseRestoreOutput(0, ''), { accepted: true, message: '', exitCode: 0 });
  });

  test('verdict words, including the hex ones xtables-monitor 1.8.9 has no name for', () => {
    assert.equal(normalizeVerdict('JUMP:KUBE-SERVICES'), 'JUMP KUBE-SERVICES');
    assert.equal(normalizeVerdict('GOTO:X'), 'GOTO X');
    assert.equal(normalizeVerdict('0xfffffffb'), 'RETURN');
    assert.equal(normalizeVerdict('0x30003'), 'QUEUE');
    assert.equal(normalizeVerdict('0x48003'), 'QUEUE');
    assert.equal(normalizeVerdict('ACCEPT'), 'ACCEPT');
  });

  test('trace parsing: handles → positions, our own table and other packets dropped, REJECT relabelled', () => {
    const listing = JSON.stringify({ nftables: [
      { metainfo: { version: '1.0.6' } },
      { table: { family: 'ip', name: 'filter', handle: 1 } },
      { chain: { family: 'ip', table: 'filter', name: 'INPUT', handle: 1 } },
      { chain: { family: 'ip', table: 'filter', name: 'CHECK', handle: 2 } },
      { rule: { family: 'ip', table: 'filter', chain: 'INPUT', handle: 4 } },
      { rule: { family: 'ip', table: 'filter', chain: 'INPUT', handle: 9 } },
      { rule: { family: 'ip', table: 'filter', chain: 'CHECK', handle: 5 } },
      { rule: { family: 'ip', table: 'filter', chain: 'CHECK', handle: 6 } },
    ] });
    const { handles, chains } = indexRuleset(listing, 'ipv4');
    assert.deepEqual(chains, ['filter:INPUT', 'filter:CHECK']);
    const output = [
      'PACKET: 2 0000aaaa IN=c0 SRC=10.0.0.9 DST=10.0.0.1 SYN',                               // someone else's packet
      ' TRACE: 2 0000aaaa filter:INPUT:rule:0x4:ACCEPT  -4 -t filter -A INPUT -j ACCEPT',
      ' TRACE: 2 74c5a16a iplens_trace:trace:rule:0x3:CONTINUE  -4 -t iplens_trace -A trace -j TRACE',
      ' TRACE: 2 74c5a16a iplens_trace:trace:policy:ACCEPT ',
      'PACKET: 2 74c5a16a IN=ipl0 SRC=192.168.50.9 DST=172.20.0.3 SYN',
      ' TRACE: 2 74c5a16a filter:INPUT:rule:0x9:JUMP:CHECK  -4 -t filter -A INPUT -j CHECK',
      ' TRACE: 2 74c5a16a filter:CHECK:rule:0x5:0xfffffffb  -4 -t filter -A CHECK -s 10.99.0.0/16 -j RETURN',
      ' TRACE: 2 74c5a16a filter:CHECK:rule:0x6:DROP  -4 -t filter -A CHECK -p tcp -j REJECT --reject-with tcp-reset',
      ' TRACE: 2 74c5a16a filter:INPUT:policy:DROP ',
    ].join('\n');
    const { steps, raw } = parseTrace(output, handles, 'ipv4');
    assert.equal(formatSteps(steps), [
      'filter:INPUT:rule:2:JUMP CHECK',
      'filter:CHECK:rule:1:RETURN',
      'filter:CHECK:rule:2:REJECT',
      'filter:INPUT:policy:-:DROP',
    ].join('\n'));
    assert.equal(raw.length, 7);
    assert.equal(steps[0].hook, 'INPUT');
  });
});

/** 1-based line of the dump's last `-A` line (the rule a placement case is about). */
function lineOfLastRule(dump: string): number {
  const lines = dump.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].startsWith('-A ')) return i + 1;
  return -1;
}

// ───────────── the kernel (root + namespaces) ─────────────

const available = oracleAvailable();
const dumps = resolve(repoRoot, 'test', 'kernel', 'dumps');

if (!available.ok) {
  test('kernel oracle self-test', () => {
    if (process.env.CI === 'true') assert.fail(`kernel oracle unavailable under CI: ${available.reason}`);
    console.log(`SKIPPED: kernel oracle self-test — ${available.reason}`);
  });
} else {
  describe('parser oracle (unshare -n iptables-*-restore)', () => {
    // [name, dump, nft --test, legacy --test, nft load] — each: accepted, or the blamed line
    type Outcome = true | number;
    const table: Array<[string, string, Outcome, Outcome, Outcome]> = [
      ['valid', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n', true, true, true],
      ['missing COMMIT', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n', 4, 4, 4],
      ['unknown table', '*foo\n:INPUT ACCEPT [0:0]\nCOMMIT\n', 1, 1, 1],
      ['unknown option', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT --frob -j ACCEPT\nCOMMIT\n', 3, 3, 3],
      ['missing argument', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s\nCOMMIT\n', 3, 3, 3],
      ['bad address', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 300.1.1.1 -j ACCEPT\nCOMMIT\n', 3, 3, 3],
      ['unknown match', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m nosuchmatch -j ACCEPT\nCOMMIT\n', 3, 3, 3],
      ['--dport without -p', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT --dport 80 -j ACCEPT\nCOMMIT\n', 3, 3, 3],
      ['DROP in nat', '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j DROP\nCOMMIT\n', 3, 3, 3],
      ['new table before COMMIT', '*filter\n:INPUT ACCEPT [0:0]\n*nat\nCOMMIT\n', 3, 3, 3],
      // the nft --test blind spots: only a real commit sees these, and it blames the COMMIT line
      ['-A to an undeclared chain', '*filter\n:INPUT ACCEPT [0:0]\n-A NOPE -j ACCEPT\nCOMMIT\n', true, 3, 3],
      ['jump to an undeclared chain', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NOPE\nCOMMIT\n', true, 3, 4],
      ['bad policy name', '*filter\n:INPUT FOO [0:0]\nCOMMIT\n', true, 2, 2],
      ['DNAT in filter', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -j DNAT --to-destination 1.2.3.4\nCOMMIT\n', true, true, 3],
    ];
    for (const [name, dump, nftTest, legacyTest, nftLoad] of table) {
      test(name, () => {
        const outcome = (v: ReturnType<typeof restoreTest>): Outcome => (v.accepted ? true : v.errorLine ?? -1);
        assert.equal(outcome(restoreTest(dump, 'ipv4')), nftTest, 'iptables-nft-restore --test');
        assert.equal(outcome(restoreTestLegacy(dump, 'ipv4')), legacyTest, 'iptables-legacy-restore --test');
        assert.equal(outcome(restoreTest(dump, 'ipv4', { mode: 'load' })), nftLoad, 'iptables-nft-restore (commit)');
      });
    }
    test('ipv6 dumps go to ip6tables', () => {
      assert.equal(restoreTest('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 2001:db8::/32 -j ACCEPT\nCOMMIT\n', 'ipv6').accepted, true);
      assert.equal(restoreTest('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.0/8 -j ACCEPT\nCOMMIT\n', 'ipv6').errorLine, 3);
    });
  });

  describe('match placement: place/match-table and place/match-hook agree with loading the rule', { concurrency: 4 }, () => {
    // [what, family, table, rules, which loader refuses it: both, only iptables-legacy, or none].
    // Every rule is loaded for real (iptables-nft-restore and iptables-legacy-restore, no --test,
    // in a throw-away namespace). The analysis must report an error exactly where the loader the
    // dump's header names refuses the rule, and without a header an error where both refuse it and
    // a warning where only iptables-legacy does.
    type Refusal = 'both' | 'legacy' | 'none';
    const cases: Array<[string, 'ipv4' | 'ipv6', string, string, Refusal]> = [
      ['owner in INPUT', 'ipv4', 'mangle', '-A INPUT -m owner --uid-owner 0 -j ACCEPT', 'both'],
      ['owner in FORWARD', 'ipv4', 'filter', '-A FORWARD -m owner --uid-owner 0 -j ACCEPT', 'both'],
      ['owner in OUTPUT', 'ipv4', 'filter', '-A OUTPUT -m owner --uid-owner 0 -j ACCEPT', 'none'],
      ['owner in nat POSTROUTING', 'ipv4', 'nat', '-A POSTROUTING -m owner --uid-owner 0 -j ACCEPT', 'none'],
      ['owner in nat INPUT', 'ipv4', 'nat', '-A INPUT -m owner --uid-owner 0 -j ACCEPT', 'both'],
      ['owner in a chain reached from INPUT', 'ipv4', 'filter', '-A INPUT -j X\n-A X -m owner --uid-owner 0 -j ACCEPT', 'both'],
      ['owner in a chain reached from OUTPUT and, through another, from INPUT', 'ipv4', 'filter', '-A OUTPUT -j X\n-A INPUT -j Y\n-A Y -j X\n-A X -m owner --uid-owner 0 -j ACCEPT', 'both'],
      ['owner in a chain reached from OUTPUT', 'ipv4', 'filter', '-A OUTPUT -j X\n-A X -m owner --uid-owner 0 -j ACCEPT', 'none'],
      ['owner in a chain nothing jumps to', 'ipv4', 'filter', '-A X -m owner --uid-owner 0 -j ACCEPT', 'none'],
      ['mac in OUTPUT', 'ipv4', 'filter', '-A OUTPUT -m mac --mac-source 00:11:22:33:44:55 -j ACCEPT', 'both'],
      ['mac in POSTROUTING', 'ipv4', 'mangle', '-A POSTROUTING -m mac --mac-source 00:11:22:33:44:55 -j ACCEPT', 'both'],
      ['mac in FORWARD', 'ipv4', 'filter', '-A FORWARD -m mac --mac-source 00:11:22:33:44:55 -j ACCEPT', 'none'],
      ['mac in a chain reached from OUTPUT (IPv6)', 'ipv6', 'filter', '-A OUTPUT -j X\n-A X -m mac --mac-source 00:11:22:33:44:55 -j ACCEPT', 'both'],
      ['socket in OUTPUT', 'ipv4', 'mangle', '-A OUTPUT -m socket -j ACCEPT', 'both'],
      ['socket in POSTROUTING', 'ipv4', 'mangle', '-A POSTROUTING -m socket -j ACCEPT', 'both'],
      ['socket in PREROUTING', 'ipv4', 'mangle', '-A PREROUTING -m socket -j ACCEPT', 'none'],
      ['socket in INPUT', 'ipv4', 'filter', '-A INPUT -m socket -j ACCEPT', 'none'],
      ['cgroup in FORWARD', 'ipv4', 'filter', '-A FORWARD -m cgroup --cgroup 1 -j ACCEPT', 'both'],
      ['cgroup in PREROUTING', 'ipv4', 'mangle', '-A PREROUTING -m cgroup --cgroup 1 -j ACCEPT', 'both'],
      ['cgroup in INPUT', 'ipv4', 'filter', '-A INPUT -m cgroup --cgroup 1 -j ACCEPT', 'none'],
      ['realm in PREROUTING', 'ipv4', 'mangle', '-A PREROUTING -m realm --realm 1 -j ACCEPT', 'both'],
      ['realm in FORWARD', 'ipv4', 'filter', '-A FORWARD -m realm --realm 1 -j ACCEPT', 'none'],
      ['rpfilter in filter INPUT', 'ipv4', 'filter', '-A INPUT -m rpfilter -j ACCEPT', 'both'],
      ['rpfilter in nat PREROUTING', 'ipv4', 'nat', '-A PREROUTING -m rpfilter -j ACCEPT', 'both'],
      ['rpfilter in mangle INPUT', 'ipv4', 'mangle', '-A INPUT -m rpfilter -j ACCEPT', 'both'],
      ['rpfilter in raw PREROUTING', 'ipv4', 'raw', '-A PREROUTING -m rpfilter --invert -j DROP', 'none'],
      ['rpfilter in a mangle chain reached from PREROUTING', 'ipv4', 'mangle', '-A PREROUTING -j X\n-A X -m rpfilter -j ACCEPT', 'none'],
      ['rpfilter in a mangle chain reached from INPUT', 'ipv4', 'mangle', '-A INPUT -j X\n-A X -m rpfilter -j ACCEPT', 'both'],
      ['rpfilter in ip6tables filter INPUT', 'ipv6', 'filter', '-A INPUT -m rpfilter -j ACCEPT', 'both'],
      ['eui64 in OUTPUT', 'ipv6', 'filter', '-A OUTPUT -m eui64 -j ACCEPT', 'both'],
      ['eui64 in INPUT', 'ipv6', 'filter', '-A INPUT -m eui64 -j ACCEPT', 'none'],
      ['policy --dir out in INPUT', 'ipv4', 'filter', '-A INPUT -m policy --dir out --pol none -j ACCEPT', 'both'],
      ['policy --dir out in PREROUTING', 'ipv4', 'mangle', '-A PREROUTING -m policy --dir out --pol ipsec -j ACCEPT', 'both'],
      ['policy --dir in in OUTPUT', 'ipv4', 'filter', '-A OUTPUT -m policy --dir in --pol none -j ACCEPT', 'both'],
      ['policy --dir in in nat POSTROUTING', 'ipv4', 'nat', '-A POSTROUTING -m policy --dir in --pol ipsec -j ACCEPT', 'both'],
      ['policy in FORWARD, both directions', 'ipv4', 'filter', '-A FORWARD -m policy --dir in --pol ipsec -j ACCEPT\n-A FORWARD -m policy --dir out --pol ipsec -j ACCEPT', 'none'],
      ['policy --dir out in nat POSTROUTING', 'ipv4', 'nat', '-A POSTROUTING -s 10.0.0.0/24 -m policy --dir out --pol ipsec -j ACCEPT', 'none'],
      ['policy --dir out in a chain reached from INPUT', 'ipv4', 'filter', '-A INPUT -j X\n-A X -m policy --dir out --pol none -j ACCEPT', 'legacy'],
      ['policy --dir out in ip6tables INPUT', 'ipv6', 'filter', '-A INPUT -m policy --dir out --pol none -j ACCEPT', 'both'],
      ['addrtype --limit-iface-out in INPUT', 'ipv4', 'filter', '-A INPUT -m addrtype --dst-type LOCAL --limit-iface-out -j ACCEPT', 'both'],
      ['addrtype --limit-iface-in in OUTPUT', 'ipv4', 'filter', '-A OUTPUT -m addrtype --dst-type LOCAL --limit-iface-in -j ACCEPT', 'both'],
      ['addrtype --limit-iface-in in FORWARD', 'ipv4', 'filter', '-A FORWARD -m addrtype --dst-type LOCAL --limit-iface-in -j ACCEPT', 'none'],
      ['addrtype --limit-iface-out in a chain reached from INPUT', 'ipv4', 'filter', '-A INPUT -j X\n-A X -m addrtype --dst-type LOCAL --limit-iface-out -j ACCEPT', 'legacy'],
      ['physdev --physdev-out in OUTPUT', 'ipv4', 'filter', '-A OUTPUT -m physdev --physdev-out eth0 -j ACCEPT', 'both'],
      ['physdev ! --physdev-is-out in OUTPUT', 'ipv4', 'filter', '-A OUTPUT -m physdev ! --physdev-is-out -j ACCEPT', 'both'],
      ['physdev --physdev-out in OUTPUT of bridged traffic', 'ipv4', 'filter', '-A OUTPUT -m physdev --physdev-is-bridged --physdev-out eth0 -j ACCEPT', 'none'],
      ['physdev --physdev-out in OUTPUT, ! --physdev-is-bridged', 'ipv4', 'filter', '-A OUTPUT -m physdev ! --physdev-is-bridged --physdev-out eth0 -j ACCEPT', 'both'],
      ['physdev --physdev-in in OUTPUT', 'ipv4', 'filter', '-A OUTPUT -m physdev --physdev-in eth0 -j ACCEPT', 'none'],
      ['physdev --physdev-out in FORWARD', 'ipv4', 'filter', '-A FORWARD -m physdev --physdev-out eth0 -j ACCEPT', 'none'],
      ['physdev --physdev-out in a chain reached from OUTPUT', 'ipv4', 'filter', '-A OUTPUT -j X\n-A X -m physdev --physdev-out eth0 -j ACCEPT', 'legacy'],
      ['devgroup --src-group in POSTROUTING', 'ipv4', 'mangle', '-A POSTROUTING -m devgroup --src-group 1 -j ACCEPT', 'both'],
      ['devgroup --dst-group in INPUT', 'ipv4', 'filter', '-A INPUT -m devgroup --dst-group 1 -j ACCEPT', 'both'],
      ['devgroup both groups in FORWARD', 'ipv4', 'filter', '-A FORWARD -m devgroup --src-group 1 --dst-group 2 -j ACCEPT', 'none'],
      ['devgroup --dst-group in a chain reached from INPUT', 'ipv4', 'filter', '-A INPUT -j X\n-A X -m devgroup --dst-group 1 -j ACCEPT', 'legacy'],
    ];
    const CHAINS: Record<string, string[]> = {
      raw: ['PREROUTING', 'OUTPUT'],
      mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
      nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
      filter: ['INPUT', 'FORWARD', 'OUTPUT'],
    };
    const dumpOf = (header: string, table: string, rules: string) =>
      `${header}*${table}\n${CHAINS[table].map((c) => `:${c} ACCEPT [0:0]\n`).join('')}:X - [0:0]\n:Y - [0:0]\n${rules}\nCOMMIT\n`;
    const findings = (dump: string, family: 'ipv4' | 'ipv6') => {
      const { ruleset, problems } = lintText(dump, { family });
      assert.deepEqual(problems.filter((p) => p.code.startsWith('parse/')).map((p) => p.message), [], 'the parser accepts the dump, as restore --test does');
      return problems.filter((p) => p.code.startsWith('place/match-hook') || p.code === 'place/match-table').map((p) => `${lineNumber(ruleset, p.span.start)} ${p.severity}`);
    };
    for (const [what, family, table, rules, refusal] of cases) {
      test(what, () => {
        const save = family === 'ipv6' ? 'ip6tables' : 'iptables';
        const nftDump = dumpOf(`# Generated by ${save}-nft-save v1.8.9 (nf_tables)\n`, table, rules);
        const legacyDump = dumpOf(`# Generated by ${save}-legacy-save v1.8.9\n`, table, rules);
        const nft = restoreTest(nftDump, family, { mode: 'load' });
        const legacy = restoreTestLegacy(legacyDump, family, { mode: 'load' });
        const kernel: Refusal = !nft.accepted && !legacy.accepted ? 'both' : !legacy.accepted ? 'legacy' : nft.accepted ? 'none' : ('nft only' as Refusal);
        assert.equal(kernel, refusal, `the kernel's refusal (nft: ${nft.message || 'loaded'}; legacy: ${legacy.message || 'loaded'})`);
        // The line the analysis blames is the rule nft blames (legacy blames the table's COMMIT).
        const ruleLine = nft.accepted ? lineOfLastRule(nftDump) : nft.errorLine;
        assert.deepEqual(findings(nftDump, family), nft.accepted ? [] : [`${ruleLine} error`], 'iptables-nft-save header');
        assert.deepEqual(findings(legacyDump, family), legacy.accepted ? [] : [`${lineOfLastRule(legacyDump)} error`], 'iptables-legacy-save header');
        const bare = dumpOf('', table, rules);
        const expected = refusal === 'both' ? ['error'] : refusal === 'legacy' ? ['warning'] : [];
        assert.deepEqual(findings(bare, family), expected.map((severity) => `${lineOfLastRule(bare)} ${severity}`), 'no header');
      });
    }
  });

  test('hashlimit names: place/match-value exactly on the rule the kernel refuses (a name shared across --hashlimit-rate-match)', () => {
    const text = readFileSync(resolve(repoRoot, 'test', 'analysis', 'cases', 'hashlimit-shared-name.rules'), 'utf8');
    const without = (...patterns: string[]) => text.split('\n').filter((line) => !patterns.some((p) => line.includes(p))).join('\n');
    // the case file; without its first refused rule; without both (loads)
    for (const dump of [text, without('--dport 2223'), without('--dport 2223', 'hashlimit-name fwd -j MARK')]) {
      const nft = restoreTest(dump, 'ipv4', { mode: 'load' });
      const legacy = restoreTestLegacy(dump, 'ipv4', { mode: 'load' });
      assert.equal(nft.accepted, legacy.accepted, `both loaders agree (nft: ${nft.message}; legacy: ${legacy.message})`);
      const { ruleset, problems } = lintText(dump, { family: 'ipv4' });
      const flagged = problems.filter((p) => p.code === 'place/match-value').map((p) => lineNumber(ruleset, p.span.start));
      if (nft.accepted) assert.deepEqual(flagged, []);
      else assert.equal(flagged[0], nft.errorLine, 'the first flagged rule is the one iptables-nft-restore blames');
    }
  });

  describe('trace oracle: kernel behaviours the simulator must reproduce', { concurrency: 3 }, () => {
    const gotos = readFileSync(resolve(dumps, 'gotos-and-returns.rules'), 'utf8');
    const node = '172.20.0.3';
    const trace = async (dump: string, packet: Parameters<typeof kernelTraceDetailed>[1]) => formatSteps((await kernelTraceDetailed(dump, packet)).steps);

    test('a goto-ed chain that falls off its end returns to the caller of the chain that did the goto; no return lines', async () => {
      assert.equal(await trace(gotos, { src: '192.168.50.9', dst: node, proto: 'tcp', dport: 22, nodeAddresses: [node] }), [
        'filter:INPUT:rule:2:JUMP EMPTY',
        'filter:INPUT:rule:3:JUMP CHECK-A',
        'filter:CHECK-A:rule:2:GOTO GOTO-TARGET',
        'filter:GOTO-TARGET:rule:1:CONTINUE',
        'filter:INPUT:rule:8:ACCEPT',
      ].join('\n'));
    });

    test('-j RETURN is a rule line with verdict RETURN', async () => {
      assert.equal(await trace(gotos, { src: '192.168.50.9', dst: node, proto: 'udp', dport: 5353, nodeAddresses: [node] }), [
        'filter:INPUT:rule:2:JUMP EMPTY',
        'filter:INPUT:rule:4:JUMP RET',
        'filter:RET:rule:1:RETURN',
        'filter:INPUT:rule:5:ACCEPT',
      ].join('\n'));
    });

    test('a packet the node sends to itself is traced through OUTPUT and back in through lo', async () => {
      const fw = readFileSync(resolve(dumps, 'interface-firewall.rules'), 'utf8');
      assert.equal(await trace(fw, { src: '198.51.100.10', dst: '198.51.100.10', proto: 'tcp', dport: 22, fromLocal: true, nodeAddresses: ['198.51.100.10'] }), [
        'filter:OUTPUT:rule:1:ACCEPT',
        'filter:INPUT:rule:1:ACCEPT',
      ].join('\n'));
    });

  });

  describe('trace oracle cleanup', () => {
    test('no namespace is left behind, even when the dump does not load', async () => {
      const node = '172.20.0.3';
      await assert.rejects(kernelTraceDetailed('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NOPE\nCOMMIT\n', { src: '192.168.50.9', dst: node, proto: 'tcp', dport: 1, nodeAddresses: [node] }), /kernel setup failed/);
      const left = (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '').split('\n').filter((l) => l.startsWith(`ipl${process.pid}x`));
      assert.deepEqual(left, []);
    });
  });
}
