// Index for long chains (kube-proxy's KUBE-SERVICES and KUBE-NODEPORTS hold one rule per service
// port): instead of testing every rule, jump to the next rule that could match this packet.
// A rule is filed under its exact destination address (`-d X/32`), or else its exact destination
// port (`--dport N`), or else as a wildcard. The index only skips rules that cannot match, so it
// never changes an answer (test/netfilter/dispatch.property.test.ts checks this on random dumps).

import type { Chain, Family, Rule, Ruleset } from '../model';
import type { Packet } from '../packet';
import { compileRule, type CompiledRule } from './compile';
import { canonicalAddress } from './net';
import { cheapDispatchKey } from '../parser';
import { lowerBound } from '../positions';
import { runToEnd, type Steps } from '../steps';

/** Chains shorter than this are scanned linearly: the index would cost more than it saves. */
export const DISPATCH_MIN_RULES = 48;

export interface ChainDispatch {
  /** index of the first rule at or after `from` that may match `packet` (rules.length when none) */
  nextCandidate(from: number, packet: Packet): number;
}

const cache = new WeakMap<Chain, ChainDispatch | null>();

export function chainDispatch(chain: Chain, family: Family, compile: (rule: Rule) => CompiledRule): ChainDispatch | undefined {
  let dispatch = cache.get(chain);
  if (dispatch === undefined) {
    dispatch = chain.rules.length >= DISPATCH_MIN_RULES ? buildDispatch(chain, family, compile) : null;
    cache.set(chain, dispatch);
  }
  return dispatch ?? undefined;
}

/** The single non-negated exact --dport of a tcp/udp/sctp match, if the rule has one. */
export function exactDestinationPort(rule: Rule): number | undefined {
  for (const match of rule.matches) {
    if (match.module !== 'tcp' && match.module !== 'udp' && match.module !== 'sctp') continue;
    for (const option of match.options) {
      if (option.name !== 'dport' || option.negated) continue;
      const text = option.args[0]?.text ?? '';
      if (/^\d+$/.test(text)) return Number(text);
    }
  }
  return undefined;
}

export function buildDispatch(chain: Chain, family: Family, compile: (rule: Rule) => CompiledRule): ChainDispatch {
  return runToEnd(dispatchSteps(chain, family, compile));
}

/** Rules filed between two pauses of dispatchSteps (a few milliseconds of work). */
const DISPATCH_STEP_RULES = 500;

/** buildDispatch, pausing every DISPATCH_STEP_RULES rules (KUBE-SERVICES of a 10k-service dump: ≈ 0.1 s). */
function* dispatchSteps(chain: Chain, family: Family, compile: (rule: Rule) => CompiledRule): Steps<ChainDispatch> {
  void family;
  const byDestination = new Map<string, number[]>();
  const byPort = new Map<number, number[]>();
  const wildcard: number[] = [];
  const file = <K>(map: Map<K, number[]>, key: K, index: number) => {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(index);
  };
  const rules = chain.rules;
  for (let index = 0; index < rules.length; index++) {
    if (index > 0 && index % DISPATCH_STEP_RULES === 0) yield;
    const rule = rules[index];
    // A rule not parsed yet (cold CLI trace) is filed from its text, so that only the candidates
    // for a packet get parsed; anything unusual there files it as a wildcard.
    const cheap = cheapDispatchKey(rule);
    if (cheap) {
      const cheapKey = cheap.dst !== undefined ? canonicalAddress(cheap.dst) : undefined;
      if (cheapKey !== undefined) file(byDestination, cheapKey, index);
      else if (cheap.dport !== undefined) file(byPort, cheap.dport, index);
      else wildcard.push(index);
      continue;
    }
    const compiled = compile(rule);
    const key = compiled.exactDestination !== undefined ? canonicalAddress(compiled.exactDestination) : undefined;
    if (key !== undefined) {
      file(byDestination, key, index);
      continue;
    }
    const port = exactDestinationPort(rule);
    if (port !== undefined) file(byPort, port, index);
    else wildcard.push(index);
  }
  const length = rules.length;
  return {
    nextCandidate(from: number, packet: Packet): number {
      let best = firstAtOrAfter(wildcard, from, length);
      const key = canonicalAddress(packet.dst);
      const dstList = key !== undefined ? byDestination.get(key) : undefined;
      if (dstList) best = Math.min(best, firstAtOrAfter(dstList, from, length));
      const portList = packet.dport !== undefined ? byPort.get(packet.dport) : undefined;
      if (portList) best = Math.min(best, firstAtOrAfter(portList, from, length));
      return best;
    },
  };
}

/**
 * Build, a few hundred rules at a time, the index of every chain long enough to have one, so that
 * a language server's first trace of a big dump does not build them inside the request (≈ 0.1 s
 * at 10k services). A trace afterwards finds them in the cache, as if it had built them itself.
 */
export function* prepareDispatch(ruleset: Ruleset): Steps<void> {
  if (prepared.has(ruleset)) return;
  let looked = 0;
  for (const table of ruleset.tables) {
    for (const chain of table.chains.values()) {
      if (++looked % 1000 === 0) yield; // (41k chains at 10k services, nearly all short)
      if (cache.has(chain) || chain.rules.length < DISPATCH_MIN_RULES) continue;
      const dispatch = yield* dispatchSteps(chain, ruleset.family, (rule) => compileRule(rule, ruleset.family));
      // (a trace may have built it meanwhile: keep the one it uses)
      if (!cache.has(chain)) cache.set(chain, dispatch);
      yield;
    }
  }
  prepared.add(ruleset);
}

/** Rulesets whose long chains prepareDispatch has indexed. */
const prepared = new WeakSet<Ruleset>();

function firstAtOrAfter(sorted: number[], from: number, none: number): number {
  const at = lowerBound(sorted, from);
  return at < sorted.length ? sorted[at] : none;
}
