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
