// Entry point of the ruleset analyses: diagnostics for rules that can never match, broken jump
// graphs, misplaced targets and broken kube-proxy invariants. Parse problems are not included
// (the caller merges ruleset.problems). Zero false positives is the rule: an analysis that cannot
// decide says nothing.

import type { Problem, Ruleset } from '../model';
import { Cancelled, createContext } from './context';
import { checkReachability } from './reachability';
import { checkJumpGraph } from './jump-graph';
import { checkPlacement } from './placement';
import { checkKube } from './kube';

export { ANALYSIS_CODES, type AnalysisCode } from './codes';
export { packetsForRule } from './packet-for-rule';

export interface AnalyzeOptions {
  /** polled every few thousand rules; when it returns true the analysis stops and returns what it has */
  cancelled?: () => boolean;
}

export function analyzeRuleset(ruleset: Ruleset, options: AnalyzeOptions = {}): Problem[] {
  const problems: Problem[] = [];
  const context = createContext(ruleset, options.cancelled);
  const steps: Array<(table: Ruleset['tables'][number]) => void> = [
    (table) => {
      const facts = context.table(table);
      for (const chain of table.chains.values()) checkReachability(context, facts, chain, problems);
    },
    (table) => checkJumpGraph(context, context.table(table), problems),
    (table) => checkPlacement(context, context.table(table), problems),
    (table) => checkKube(context, context.table(table), problems),
  ];
  for (const table of ruleset.tables) {
    for (const step of steps) {
      try {
        step(table);
      } catch (error) {
        if (error instanceof Cancelled) return problems;
        problems.push({
          severity: 'error',
          code: 'internal/analysis',
          message: `internal analysis error (please report): ${error instanceof Error ? error.message : String(error)}`,
          span: { start: table.headerSpan.start, end: table.headerSpan.end },
        });
      }
    }
  }
  problems.sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
  return problems;
}
