// Confirms a reach/* finding with the simulator: packets built from the flagged rule's own
// criteria (packetsForRule) are traced through its chain, run as the entry chain of a hook.
// Control: with the flagged rule alone in the chain, some packet must reach it (otherwise the
// confirmation proves nothing). Then, with the whole chain, no packet may reach it.

import { BUILTIN_CHAINS, type Chain, type Rule, type Ruleset, type Table } from '../../server/src/netfilter/model';
import { packetsForRule } from '../../server/src/netfilter/analysis/packet-for-rule';
import { ruleShape } from '../../server/src/netfilter/analysis/constraints';
import { tracePacket, type Hook, type TraceRequest } from '../../server/src/netfilter/trace/simulate';
import { negateAssumption } from '../../server/src/netfilter/extensions/common';

export type Confirmation = { ok: true } | { ok: false; reason: string };

function hookFor(table: Table, chain: Chain, rule: Rule, family: Ruleset['family']): Hook {
  if (chain.builtin) return chain.name as Hook;
  const hooks = BUILTIN_CHAINS[table.name as keyof typeof BUILTIN_CHAINS] ?? [];
  const shape = ruleShape(rule, family);
  const needsIn = shape.interfaces.some((i) => i.dir === 'in');
  const needsOut = shape.interfaces.some((i) => i.dir === 'out');
  const prefer: Hook[] = needsIn && needsOut ? ['FORWARD'] : needsOut ? ['FORWARD', 'POSTROUTING', 'OUTPUT'] : ['FORWARD', 'PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'];
  return (prefer.find((h) => hooks.includes(h)) ?? hooks[0]) as Hook;
}

/** A copy of the ruleset with only `table`, whose `hook` chain runs `rules` and whose other built-in chains are empty. */
function withEntryChain(ruleset: Ruleset, table: Table, hook: Hook, rules: Rule[]): Ruleset {
  const chains = new Map<string, Chain>();
  for (const [name, chain] of table.chains) chains.set(name, chain.builtin ? { ...chain, rules: [], declSpan: undefined } : chain);
  chains.set(hook, { name: hook, table: table.name, builtin: true, policy: 'ACCEPT', declSpan: { start: 0, end: 0 }, rules });
  return { ...ruleset, tables: [{ ...table, chains }] };
}

function reaches(ruleset: Ruleset, request: TraceRequest, rule: Rule): boolean {
  const result = tracePacket(ruleset, request);
  for (const path of result.paths) {
    // A path keeps what it assumed about one fact (the sending process, an address being local …),
    // but stateful matches (recent, limit) fork afresh each time: skip paths that assumed both ways.
    const assumed = new Set(path.assumptions);
    if (path.assumptions.some((a) => assumed.has(negateAssumption(a)))) continue;
    if (path.steps.some((s) => s.kind === 'rule' && s.table === rule.table && s.line === rule.line + 1)) return true;
  }
  return false;
}

export function confirmNeverReached(ruleset: Ruleset, rule: Rule): Confirmation {
  const table = ruleset.tables.find((t) => t.name === rule.table);
  const chain = table?.chains.get(rule.chain);
  if (!table || !chain) return { ok: false, reason: 'chain not found' };
  const hook = hookFor(table, chain, rule, ruleset.family);
  const requests = packetsForRule(rule, ruleset.family).map((r) => ({
    ...r,
    startHook: hook,
    fromLocal: hook === 'OUTPUT',
    localAddresses: ['203.0.113.250'],
    inIface: hook === 'OUTPUT' ? undefined : r.inIface ?? 'eth0',
    outIface: r.outIface ?? (hook === 'PREROUTING' || hook === 'INPUT' ? undefined : 'eth1'),
  }));
  if (requests.length === 0) return { ok: false, reason: 'no packet satisfies the rule' };
  const alone = withEntryChain(ruleset, table, hook, [rule]);
  const whole = withEntryChain(ruleset, table, hook, chain.rules);
  let controlled = false;
  for (const request of requests) {
    if (!reaches(alone, request, rule)) continue;
    controlled = true;
    if (reaches(whole, request, rule)) return { ok: false, reason: `packet ${JSON.stringify(request)} reaches line ${rule.line + 1} through ${hook}` };
  }
  return controlled ? { ok: true } : { ok: false, reason: `no generated packet matches line ${rule.line + 1} even alone (${JSON.stringify(requests[0])})` };
}

/** The rule whose line starts at `offset`. */
export function ruleAt(ruleset: Ruleset, offset: number): Rule | undefined {
  for (const table of ruleset.tables) for (const chain of table.chains.values()) for (const rule of chain.rules) if (rule.span.start === offset) return rule;
  return undefined;
}
