// Index for long chains (kube-proxy's KUBE-SERVICES and KUBE-NODEPORTS hold one rule per service
// port): instead of testing every rule, jump to the next rule that could match this packet.
// A rule is filed under its exact destination address (`-d X/32`), or else its exact destination
// port (`--dport N`), or else as a wildcard. The index only skips rules that cannot match, so it
// never changes an answer (test/netfilter/dispatch.property.test.ts checks this on random dumps).

import type { Chain, Family, Rule } from '../model';
import type { Packet } from '../packet';
import type { CompiledRule } from './compile';
import { canonicalAddress } from './net';
import { cheapDispatchKey } from '../parser';
import { lowerBound } from '../positions';

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
  void family;
  const byDestination = new Map<string, number[]>();
  const byPort = new Map<number, number[]>();
  const wildcard: number[] = [];
  chain.rules.forEach((rule, index) => {
    // A rule not parsed yet (cold CLI trace) is filed from its text, so that only the candidates
    // for a packet get parsed; anything unusual there files it as a wildcard.
    const cheap = cheapDispatchKey(rule);
    if (cheap) {
      const cheapKey = cheap.dst !== undefined ? canonicalAddress(cheap.dst) : undefined;
      if (cheapKey !== undefined) {
        let list = byDestination.get(cheapKey);
        if (!list) byDestination.set(cheapKey, (list = []));
        list.push(index);
      } else if (cheap.dport !== undefined) {
        let list = byPort.get(cheap.dport);
        if (!list) byPort.set(cheap.dport, (list = []));
        list.push(index);
      } else wildcard.push(index);
      return;
    }
    const compiled = compile(rule);
    const key = compiled.exactDestination !== undefined ? canonicalAddress(compiled.exactDestination) : undefined;
    if (key !== undefined) {
      let list = byDestination.get(key);
      if (!list) byDestination.set(key, (list = []));
      list.push(index);
      return;
    }
    const port = exactDestinationPort(rule);
    if (port !== undefined) {
      let list = byPort.get(port);
      if (!list) byPort.set(port, (list = []));
      list.push(index);
      return;
    }
    wildcard.push(index);
  });
  const length = chain.rules.length;
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

function firstAtOrAfter(sorted: number[], from: number, none: number): number {
  const at = lowerBound(sorted, from);
  return at < sorted.length ? sorted[at] : none;
}
