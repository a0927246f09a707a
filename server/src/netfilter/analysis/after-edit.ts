// Re-analysis after an edit inside one rule line (parser.ts reparseAfterLineEdit): instead of
// every pass over every rule, only the checks that read the edited rule run again — on both
// versions, so that exactly the findings they made before are replaced by what they find now.
//
// Why that is enough: the re-read keeps the chains, the jumps and the broken rules as they were
// (else it declines), so the jump graph, the unused/empty/loop/depth findings and the placements
// cannot change, but for the edited rule's own matches (place/match-family, place/match-value,
// place/match-table, place/match-hook: re-run on it).
// What reads a rule's contents is its own chain's reachability and kube-proxy checks, the hash
// check of the chain it jumps to, and — through "does this chain always end in a verdict" and
// "which fields may it change" — the reachability of every chain that jumps to it:
// when the edited rule's part in those two facts changes, this gives up and the whole analysis runs.
// test/analysis/after-edit.test.ts holds it equal to the whole analysis on random edits.

import type { Chain, Problem, Rule, Ruleset, Span } from '../model';
import { lineEditOf, type ParsedRuleset } from '../parser';
import { createContext, sortProblems, TableFacts, type AnalysisContext, type AnalysisSteps } from './context';
import { checkReachability } from './reachability';
import { checkHash, checkKubeChain, hashChecked } from './kube';
import { checkMatchPlacement, checkMatchValues } from './placement';
import { movedProblem, type ChangedRegion } from '../text-diff';
import { runToEnd } from '../steps';

/** A finished analysis: its findings and what it knew (kept to re-analyse the next version). */
export interface CompletedAnalysis {
  ruleset: Ruleset;
  context: AnalysisContext;
  /** sorted, as analyzeRuleset returns them */
  problems: Problem[];
}

/**
 * The analysis of `ruleset` when it came from reparseAfterLineEdit of `previous.ruleset`; undefined
 * when the edit may change more than the checks re-run here (then analyse the whole ruleset).
 */
export function analyzeAfterLineEdit(previous: CompletedAnalysis, ruleset: ParsedRuleset): CompletedAnalysis | undefined {
  return runToEnd(analyzeAfterLineEditInSteps(previous, ruleset));
}

/** analyzeAfterLineEdit() a slice at a time (a few milliseconds per next() on a 100k-rule dump). */
export function* analyzeAfterLineEditInSteps(previous: CompletedAnalysis, ruleset: ParsedRuleset): Generator<void, CompletedAnalysis | undefined, void> {
  const edit = lineEditOf(ruleset);
  if (!edit || edit.previous.deref() !== previous.ruleset) return undefined;
  const oldTable = previous.ruleset.tables[edit.table];
  const newTable = ruleset.tables[edit.table];
  const oldChain = oldTable?.chains.get(edit.chain);
  const newChain = newTable?.chains.get(edit.chain);
  if (!oldChain || !newChain) return undefined;
  const oldFacts = previous.context.table(oldTable);
  const context = createContext(ruleset);
  const facts = yield* TableFacts.rebased(oldFacts, newTable, context, edit.chain);
  if (!facts) return undefined;
  context.useFacts(newTable, facts);
  for (const [k, table] of ruleset.tables.entries()) {
    if (k === edit.table) continue;
    yield;
    // Other tables are the same rules at moved offsets: their facts too are rebased.
    const rebased = yield* TableFacts.rebased(previous.context.table(previous.ruleset.tables[k]), table, context);
    if (!rebased) return undefined;
    context.useFacts(table, rebased);
  }
  yield;

  const oldRule = oldChain.rules[edit.index];
  const newRule = newChain.rules[edit.index];
  if (!oldRule || !newRule || oldRule.broken !== newRule.broken || previous.context.usable(oldRule) !== context.usable(newRule)) return undefined;
  // (hashlimit names are checked across the whole ruleset: checkHashlimitNames)
  if ([oldRule, newRule].some((rule) => rule.matches.some((m) => m.module === 'hashlimit'))) return undefined;
  // What callers of the chain see of it must not have changed (then all the old facts hold).
  if (!facts.editKeepsChainFacts(oldFacts, oldRule, newRule, edit.index)) return undefined;
  yield;

  // The checks that read the edited rule: its chain's, and the hash check of the chain it jumps to.
  const target = newRule.target?.kind === 'chain' ? newRule.target.name : undefined;
  function* recheck(ctx: AnalysisContext, tableFacts: TableFacts, chain: Chain, rule: Rule, found: Problem[]): AnalysisSteps {
    checkMatchValues(ctx, rule, found);
    const id = tableFacts.graph.ids.get(chain.name);
    if (id !== undefined) checkMatchPlacement(ctx, tableFacts, id, rule, found);
    yield* checkReachability(ctx, tableFacts, chain, found);
    checkKubeChain(ctx, tableFacts, chain, found);
    for (const name of new Set([chain.name, ...(target ? [target] : [])])) {
      yield;
      const hashed = tableFacts.chain(name);
      if (hashed && hashChecked(tableFacts, name)) checkHash(ctx, tableFacts, hashed, found);
    }
  }
  const before: Problem[] = [];
  yield* recheck(previous.context, oldFacts, oldChain, oldRule, before);
  const after: Problem[] = [];
  yield* recheck(context, facts, newChain, newRule, after);
  yield;

  // Every other finding stays, at its place in the new text.
  const replaced = new Map<string, number>();
  for (const problem of before) {
    const key = JSON.stringify(problem);
    replaced.set(key, (replaced.get(key) ?? 0) + 1);
  }
  const kept: Problem[] = [];
  for (const problem of previous.problems) {
    const key = JSON.stringify(problem);
    const count = replaced.get(key);
    if (count) {
      replaced.set(key, count - 1);
      continue;
    }
    kept.push(problem);
  }
  if ([...replaced.values()].some((count) => count > 0)) return undefined; // not what the analysis found before
  const moved = moveThroughEdit(edit.region, kept);
  if (!moved) return undefined;
  return { ruleset, context, problems: sortProblems([...moved, ...after]) };
}

/**
 * Findings on the old text placed on the new one: the edit is inside one line, so offsets before it
 * stay and offsets after it move by the change in length. A finding with an offset inside the
 * replaced characters cannot be placed: undefined.
 */
function moveThroughEdit(region: ChangedRegion, problems: Problem[]): Problem[] | undefined {
  const delta = region.newEnd - region.oldEnd;
  let inside = false;
  const move = (offset: number): number => {
    if (offset < region.start) return offset;
    if (offset >= region.oldEnd) return offset + delta;
    inside = true;
    return offset;
  };
  const moved = problems.map((problem) => movedProblem(problem, (span: Span): Span => ({ start: move(span.start), end: move(span.end) })));
  return inside ? undefined : moved;
}
