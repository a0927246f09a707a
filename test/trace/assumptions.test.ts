// What a trace says it assumed where the engine cannot know (the node's addresses, a set's contents,
// the sending process …): both branches read as plain statements, and one path never assumes a fact
// both ways. The property runs over the shared real-world and seed dumps with no node addresses
// given, so that routing and addrtype LOCAL are open questions on every path.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allUndecided, negateAssumption, negateIf, undecided, type UndecidedOutcome } from '../../server/src/netfilter/extensions/common';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { tracePacket, type TraceRequest } from '../../server/src/netfilter/trace/simulate';

test('negateAssumption: "matches (why)" becomes "does not match (why)"; other texts say "not:"', () => {
  assert.equal(negateAssumption('assumed -m time --timestart 09:00 matches (the arrival time is unknown)'), 'assumed -m time --timestart 09:00 does not match (the arrival time is unknown)');
  assert.equal(negateAssumption('assumed -m statistic --mode random --probability 0.5 matched (random, p=0.5)'), 'assumed -m statistic --mode random --probability 0.5 did not match (random, p=0.5)');
  assert.equal(negateAssumption('assumed -m frob --x (a (b)) matches'), 'assumed -m frob --x (a (b)) does not match');
  assert.equal(negateAssumption('assumed the packet is fine'), 'assumed not: the packet is fine');
});

test('negateIf swaps the two branches (texts, probability and the fact each one settles)', () => {
  const outcome = undecided('assumed A', { negated: 'assumed not A', probability: 0.25, fact: { key: 'k', ifMatches: true } });
  const negated = negateIf(true, outcome) as UndecidedOutcome;
  assert.deepEqual(negated, { undecided: true, assumption: 'assumed not A', negatedAssumption: 'assumed A', probability: 0.75, fact: { key: 'k', ifMatches: false } });
  assert.deepEqual(negateIf(true, negated), outcome);
});

test('allUndecided: one fork for several open questions, both branches readable, no fact kept', () => {
  const both = allUndecided([undecided('assumed A (why)', { fact: { key: 'a', ifMatches: true } }), undecided('assumed B', { probability: 0.5 })]);
  assert.deepEqual(both, { undecided: true, assumption: 'assumed A (why) and B', negatedAssumption: 'assumed not all of: A (why); B' });
});

const SHARED = resolve(__dirname, '..', '..', '..', 'shared', 'fixtures');

/** Every shared real-world and seed dump, with its family. */
function sharedDumps(): Array<{ name: string; text: string; v6: boolean }> {
  const dumps: Array<{ name: string; text: string; v6: boolean }> = [];
  for (const dir of ['real-world', 'seeds']) {
    for (const file of readdirSync(join(SHARED, dir)).sort()) {
      if (file.endsWith('.md')) continue;
      dumps.push({ name: `${dir}/${file}`, text: readFileSync(join(SHARED, dir, file), 'utf8'), v6: file.endsWith('.v6') });
    }
  }
  return dumps;
}

/** Packets that meet the usual open questions: inbound to the node or through it, and sent by it. */
function packetsFor(v6: boolean): TraceRequest[] {
  const [client, node, outside] = v6 ? ['2001:db8:1::9', '2001:db8::2', '2001:db8:2::7'] : ['192.168.50.9', '172.20.0.3', '203.0.113.7'];
  return [
    { src: client, dst: node, proto: 'tcp', dport: 22, inIface: 'eth0' },
    { src: client, dst: node, proto: 'tcp', dport: 80, inIface: 'eth0' },
    { src: client, dst: outside, proto: 'udp', dport: 53, inIface: 'eth0' },
    { src: node, dst: outside, proto: 'tcp', dport: 443, fromLocal: true },
  ];
}

test('property: over the shared dumps, no path assumes a fact both ways or reads "not (assumed …)"', () => {
  const problems: string[] = [];
  let localityAssumptions = 0;
  let paths = 0;
  for (const dump of sharedDumps()) {
    const ruleset = parseRuleset(dump.text, { fileName: dump.name });
    for (const request of packetsFor(dump.v6)) {
      for (const path of tracePacket(ruleset, request).paths) {
        paths++;
        const where = `${dump.name} ${request.src} -> ${request.dst}:${request.dport}`;
        const locality = new Map<string, boolean>();
        const members = new Map<string, boolean>();
        const assumed = new Set(path.assumptions);
        for (const assumption of path.assumptions) {
          if (/not \(assumed|assumed not \(|not: assumed/.test(assumption)) problems.push(`${where}: nested negation "${assumption}"`);
          const local = /^assumed (\S+) is (not )?one of the node's addresses/.exec(assumption);
          if (local) {
            localityAssumptions++;
            if (locality.get(local[1]) === !!local[2]) problems.push(`${where}: ${local[1]} assumed local and not local`);
            locality.set(local[1], !local[2]);
          }
          const member = /^assumed (\S+) is (not )?in ipset (\S+) /.exec(assumption);
          if (member) {
            const key = `${member[1]} ${member[3]}`;
            if (members.get(key) === !!member[2]) problems.push(`${where}: ${key} assumed in and not in the set`);
            members.set(key, !member[2]);
          }
          // A stateless question asked twice (the same match text) is answered once.
          if (/ matches \((the sending process|the arrival time)/.test(assumption) && assumed.has(negateAssumption(assumption))) problems.push(`${where}: "${assumption}" both ways`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
  // The property is about something: the dumps do raise these questions.
  assert.ok(localityAssumptions > 50, `only ${localityAssumptions} locality assumptions over ${paths} paths`);
});
