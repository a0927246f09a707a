// prepareDispatch: the language server builds the long chains' dispatch indexes in slices before
// its first trace of a big dump. A trace afterwards must use them and answer exactly as a trace that
// builds its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKubeDump } from '../bench/generate-kube-dump';
import { podToLastClusterIp, externalToLastNodePort } from '../bench/kube-targets';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { buildDispatch, chainDispatch, DISPATCH_MIN_RULES, prepareDispatch } from '../../server/src/netfilter/trace/dispatch';
import { compileRule } from '../../server/src/netfilter/trace/compile';
import { packetFromRequest, tracePacket } from '../../server/src/netfilter/trace/simulate';
import { formatTrace } from '../../server/src/netfilter/trace/format';

// 1,500 services: KUBE-SERVICES has more rules than one step of the builder files, so it pauses inside it.
const DUMP = generateKubeDump({ services: 1500, endpointsPerService: 3, seed: 11 });

test('prepareDispatch pauses in steps, caches an index for every long chain, and traces answer as without it', () => {
  const prepared = parseRuleset(DUMP);
  let pauses = 0;
  for (const _ of prepareDispatch(prepared)) pauses++;
  const nat = prepared.tables.find((t) => t.name === 'nat')!;
  const services = nat.chains.get('KUBE-SERVICES')!;
  assert.ok(services.rules.length > 1000, `KUBE-SERVICES has ${services.rules.length} rules`);
  assert.ok(pauses > services.rules.length / 500, `${pauses} pauses`);
  // Every long chain has its index in the cache (the trace's own lookup finds it, builds nothing).
  const long = [...nat.chains.values()].filter((c) => c.rules.length >= DISPATCH_MIN_RULES);
  assert.ok(long.length >= 2, 'KUBE-SERVICES and KUBE-NODEPORTS at least');
  for (const chain of long) {
    // (a cache hit does not read the chain's rules; building an index would)
    Object.defineProperty(chain, 'rules', { configurable: true, get: () => assert.fail(`${chain.name}: the trace built an index prepareDispatch should have made`) });
    assert.ok(chainDispatch(chain, prepared.family, (r) => compileRule(r, prepared.family)), chain.name);
    delete (chain as { rules?: unknown }).rules;
  }
  // A second preparation of the same ruleset has nothing left to do.
  assert.equal([...prepareDispatch(prepared)].length, 0);

  // The same candidates as an index built in one go, and the same traces as a ruleset never prepared.
  const fresh = parseRuleset(DUMP);
  const freshServices = fresh.tables.find((t) => t.name === 'nat')!.chains.get('KUBE-SERVICES')!;
  const whole = buildDispatch(freshServices, fresh.family, (r) => compileRule(r, fresh.family));
  const preparedIndex = chainDispatch(services, prepared.family, (r) => compileRule(r, prepared.family))!;
  for (const target of [podToLastClusterIp(DUMP), externalToLastNodePort(DUMP)]) {
    const packet = packetFromRequest(target.request, prepared.family);
    for (const from of [0, 1, 10, 500, 501, services.rules.length - 1]) {
      assert.equal(preparedIndex.nextCandidate(from, packet), whole.nextCandidate(from, packet), `${target.describe}, from rule ${from}`);
    }
    const withPrepared = formatTrace(tracePacket(prepared, target.request));
    assert.equal(withPrepared, formatTrace(tracePacket(fresh, target.request)), target.describe);
    assert.match(withPrepared, new RegExp(target.expectChain));
  }
});
