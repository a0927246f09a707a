// The TRACE_REQUEST / VALIDATE_PACKET_REQUEST handlers (server/src/features/trace.ts) without a
// connection: the NodePort example of the issue, settings defaults, start hook, ipset file, errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { traceInRuleset, validatePacket } from '../../server/src/features/trace';

const seeds = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'seeds');
const worker2 = parseRuleset(readFileSync(path.join(seeds, 'kind-worker2-after-nodeport.rules'), 'utf8'));

test('NodePort 30080 on kind-worker2: two 50% paths, DNAT to each endpoint, forwarded', () => {
  const response = traceInRuleset(worker2, { uri: 'file:///w2.rules', packet: '192.168.50.9 -> 172.20.0.3:30080/tcp in eth0', localAddresses: ['172.20.0.3'] });
  assert.equal(response.error, undefined);
  assert.equal(response.packet, '192.168.50.9 -> 172.20.0.3:30080/tcp in eth0');
  const paths = response.result!.paths;
  assert.equal(paths.length, 2);
  const endpoints = paths.map((p) => `${p.packet.dst}:${p.packet.dport}`).sort();
  assert.deepEqual(endpoints, ['10.244.1.2:80', '10.244.2.2:80']);
  for (const p of paths) {
    assert.equal(p.probability, 0.5);
    assert.equal(p.verdict, 'ACCEPT');
    assert.ok(p.steps.some((s) => s.chain.startsWith('KUBE-SEP-') && s.rewrite?.dst === p.packet.dst), 'the DNAT step rewrites dst');
  }
  assert.match(response.text!, /2 paths: ACCEPT 100%/);
  assert.match(response.text!, /DNAT 172\.20\.0\.3:30080 → 10\.244\.1\.2:80/);
});

test('settings: default in interface applies when the line has none; from local takes the node address', () => {
  const arriving = traceInRuleset(worker2, { uri: 'u', packet: '10.244.1.2 -> 10.96.0.10:53/udp', defaultInInterface: 'veth123' });
  assert.equal(arriving.result!.input.inIface, 'veth123');
  const local = traceInRuleset(worker2, { uri: 'u', packet: 'from local -> 10.96.0.1:443', localAddresses: ['172.20.0.3'] });
  assert.equal(local.result!.input.src, '172.20.0.3');
  assert.equal(local.result!.paths[0].steps[0].hook, 'OUTPUT');
});

test('start hook from a built-in chain lens', () => {
  const response = traceInRuleset(worker2, { uri: 'u', packet: '10.244.0.9 -> 8.8.8.8:443/tcp in eth0', startHook: 'POSTROUTING', localAddresses: ['172.20.0.3'] });
  assert.ok(response.result!.paths.every((p) => p.steps.every((s) => s.hook === 'POSTROUTING')));
  assert.match(traceInRuleset(worker2, { uri: 'u', packet: '1.2.3.4 -> 5.6.7.8', startHook: 'SIDEWAYS' }).error ?? '', /unknown hook/);
});

test('ipset file: read through the dependency, an unreadable one becomes a note', () => {
  const read = traceInRuleset(worker2, { uri: 'u', packet: '1.2.3.4 -> 5.6.7.8:80', ipsetFile: '/sets.txt' }, { readFile: () => 'create allow hash:ip family inet\nadd allow 1.2.3.4\n' });
  assert.ok(read.result!.notes.some((n) => n.startsWith('ipset contents from /sets.txt (1 set)')), JSON.stringify(read.result!.notes));
  const missing = traceInRuleset(worker2, { uri: 'u', packet: '1.2.3.4 -> 5.6.7.8:80', ipsetFile: '/nope' }, { readFile: () => { throw new Error('ENOENT'); } });
  assert.ok(missing.result!.notes.some((n) => /could not read the ipset file \/nope: ENOENT/.test(n)));
});

test('a bad packet line is an error, not a trace; validation says what is wrong', () => {
  assert.match(traceInRuleset(worker2, { uri: 'u', packet: '10.0.0.1 10.0.0.2' }).error ?? '', /missing '->'/);
  assert.deepEqual(validatePacket({ packet: '10.244.0.9 -> 10.96.0.10:53/udp in eth0' }), { normalized: '10.244.0.9 -> 10.96.0.10:53/udp in eth0' });
  assert.match(validatePacket({ packet: '10.0.0.1 -> 10.0.0.300' }).error ?? '', /not an IPv4 or IPv6 address/);
  assert.deepEqual(validatePacket({ packet: 'from local -> 10.96.0.1:443' }), {}, 'valid (the node address comes later), no normalized form yet');
});
