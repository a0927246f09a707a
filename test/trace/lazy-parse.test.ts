// parseRulesetForTrace (the CLI's cold trace) must give exactly the traces of the full parse:
// compared on every trace case, every seed dump, and a file with -I/-D (which forces the full parse).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseRuleset, parseRulesetForTrace } from '../../server/src/netfilter/parser';
import { tracePacket, type TraceRequest } from '../../server/src/netfilter/trace/simulate';
import { parsePacketLine } from '../../server/src/netfilter/trace/packet-line';
import { resolveDump } from './dumps';

const dir = join(__dirname, 'cases');

test('lazy trace parse gives the same traces as the full parse on every trace case', () => {
  let compared = 0;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.trace'))) {
    const content = readFileSync(join(dir, name), 'utf8');
    const header = content.slice(0, content.indexOf('\n---\n'));
    const fields = new Map(header.split('\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]));
    const text = readFileSync(resolveDump(fields.get('dump') ?? '', dir), 'utf8');
    const local = fields.get('local')?.split(',').map((s) => s.trim()).filter(Boolean);
    const request: TraceRequest = { ...parsePacketLine(fields.get('packet') ?? '', local).request!, localAddresses: local };
    assert.deepEqual(tracePacket(parseRulesetForTrace(text), request), tracePacket(parseRuleset(text), request), name);
    compared++;
  }
  assert.ok(compared >= 10, `compared ${compared} cases`);
});

test('lazy trace parse reads only the chains the packet visits', () => {
  const text = readFileSync(resolve(__dirname, '..', '..', 'examples', 'kube-nodeport.rules'), 'utf8');
  const ruleset = parseRulesetForTrace(text);
  tracePacket(ruleset, { src: '10.244.1.9', dst: '10.96.0.10', proto: 'udp', dport: 53, localAddresses: ['172.20.0.3'] });
  const nat = ruleset.tables.find((t) => t.name === 'nat')!;
  const materialised = (name: string) => (nat.chains.get(name) as unknown as { isMaterialized: boolean }).isMaterialized;
  assert.equal(materialised('KUBE-SERVICES'), true);
  assert.equal(materialised('KUBE-SEP-AVE2LRPBNW6AJSYV'), false, 'the kubernetes API endpoint chain is never entered');
});

test('a file with -I or -D falls back to the full parse (positions depend on them)', () => {
  const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-I INPUT 1 -p tcp --dport 22 -j DROP\nCOMMIT\n';
  const request: TraceRequest = { src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', dport: 22, localAddresses: ['10.0.0.2'] };
  const lazy = tracePacket(parseRulesetForTrace(text), request);
  assert.deepEqual(lazy, tracePacket(parseRuleset(text), request));
  assert.equal(lazy.paths[0].verdict, 'DROP');
});

test('property: on long chains (dispatch index from line text) the lazy parse traces exactly like the full parse', () => {
  const fc = require('fast-check') as typeof import('fast-check');
  const hosts = ['10.0.0.1', '10.0.0.2', '8.0.0.1', '192.168.1.1'];
  const ports = [22, 53, 80, 443];
  const ruleArb = fc.oneof(
    fc.constantFrom(...hosts).map((h) => `-d ${h}/32`),
    fc.constantFrom(...hosts).map((h) => `-d ${h}`),
    fc.constantFrom(...hosts).map((h) => `! -d ${h}/32`),
    fc.constant('-d 010.0.0.1/32'),
    fc.constant('-d 10.0.0.0/24'),
    fc.constantFrom(...ports).map((p) => `-p tcp -m tcp --dport ${p}`),
    fc.constantFrom(...ports).map((p) => `-p udp --dport ${p}`),
    fc.constantFrom(...ports).map((p) => `-p tcp -m tcp ! --dport ${p}`),
    fc.constantFrom(...ports).map((p) => `-p tcp -m comment --comment "-d 10.0.0.1 --dport ${p}"`),
    fc.constant('-p tcp -m multiport --dports 22,80'),
    fc.constant('-d 10.0.0.1/32 -p tcp -m tcp --dport 443'),
    fc.constant(''),
  );
  const targetArb = fc.constantFrom('-j ACCEPT', '-j DROP', '-j RETURN', '-j LOGME', '');
  fc.assert(
    fc.property(fc.array(fc.tuple(ruleArb, targetArb), { minLength: 50, maxLength: 90 }), fc.constantFrom(...hosts), fc.constantFrom(...ports), fc.constantFrom('tcp', 'udp'), (rules, dst, dport, proto) => {
      const text = `*filter\n:INPUT ACCEPT [0:0]\n:LOGME - [0:0]\n-A LOGME -j LOG\n${rules.map(([m, t]) => `-A INPUT ${m} ${t}`.replace(/\s+$/, '')).join('\n')}\nCOMMIT\n`;
      const request: TraceRequest = { src: '1.1.1.1', dst, dport, proto, localAddresses: [dst] };
      assert.deepEqual(tracePacket(parseRulesetForTrace(text), request), tracePacket(parseRuleset(text), request));
    }),
    { seed: 4242, numRuns: 150 },
  );
});
