// prepareLensFacts: the language server gathers, in slices, what every lens packet reads about the
// whole dump (who jumps where, the pod CIDR, the node's addresses) before its first lens packet. It
// must pause on a big dump, keep what it found, and change no packet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKubeDump } from '../bench/generate-kube-dump';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { findPodCidr, prepareLensFacts, synthesizePacketForRule } from '../../server/src/netfilter/ide/code-lens';
import { inferLocalAddresses } from '../../server/src/netfilter/trace/simulate';

const DUMP = generateKubeDump({ services: 800, endpointsPerService: 3, seed: 5 });

test('prepareLensFacts pauses, is done once per ruleset, and every lens packet is the same as without it', () => {
  const prepared = parseRuleset(DUMP);
  const pauses = [...prepareLensFacts(prepared)].length;
  assert.ok(pauses >= 3, `${pauses} pauses over ${DUMP.split('\n').length} lines`);
  assert.equal([...prepareLensFacts(prepared)].length, 0, 'a second preparation has nothing left to do');

  const fresh = parseRuleset(DUMP);
  assert.equal(findPodCidr(prepared), findPodCidr(fresh));
  assert.equal(findPodCidr(prepared), '10.244.0.0/16');
  assert.deepEqual(inferLocalAddresses(prepared), inferLocalAddresses(fresh));
  const nat = (r: typeof prepared) => r.tables.find((t) => t.name === 'nat')!;
  let compared = 0;
  for (const name of ['KUBE-SERVICES', 'KUBE-NODEPORTS']) {
    const rules = nat(prepared).chains.get(name)!.rules;
    const freshRules = nat(fresh).chains.get(name)!.rules;
    for (const k of [0, rules.length >> 1, rules.length - 1]) {
      assert.deepEqual(synthesizePacketForRule(prepared, rules[k]), synthesizePacketForRule(fresh, freshRules[k]), `${name} #${k + 1}`);
      compared++;
    }
  }
  // and a rule that learns its ClusterIP through the callers index (a KUBE-SEP DNAT)
  const sep = [...nat(prepared).chains.values()].find((c) => c.name.startsWith('KUBE-SEP-'))!;
  const dnat = sep.rules.find((r) => r.target?.name === 'DNAT')!;
  const freshDnat = nat(fresh).chains.get(sep.name)!.rules.find((r) => r.target?.name === 'DNAT')!;
  const packet = synthesizePacketForRule(prepared, dnat);
  assert.deepEqual(packet, synthesizePacketForRule(fresh, freshDnat));
  assert.match(packet.packetLine ?? '', /->/);
  assert.ok(compared === 6);
});
