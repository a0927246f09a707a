// Entry point of the ruleset analyses: diagnostics for rules that can never match, broken jump
// graphs, misplaced targets and broken kube-proxy invariants. Parse problems are not included
// (the caller merges ruleset.problems). Zero false positives is the rule: an analysis that cannot
// decide says nothing.

import type { Problem, Ruleset } from '../model';
import { Cancelled, createContext, sortProblems, type AnalysisSteps } from './context';
import type { CompletedAnalysis } from './after-edit';
import { checkTableReachability } from './reachability';
import { checkJumpGraph } from './jump-graph';
import { checkHashlimitNames, checkPlacement, type HashlimitUse } from './placement';
import { checkKube } from './kube';

export { ANALYSIS_CODES, type AnalysisCode } from './codes';
export { packetsForRule } from './packet-for-rule';
export { analyzeAfterLineEdit, analyzeAfterLineEditInSteps, type CompletedAnalysis } from './after-edit';

export interface AnalyzeOptions {
  /** polled every few thousand rules; when it returns true the analysis stops and returns what it has */
  cancelled?: () => boolean;
}

export function analyzeRuleset(ruleset: Ruleset, options: AnalyzeOptions = {}): Problem[] {
  const analysis = createIncrementalAnalysis(ruleset, options);
  while (!analysis.step());
  return analysis.problems();
}

/** A slice that runs an analysis pass a part at a time: false while the pass has more to do. */
function resumable(start: () => AnalysisSteps): () => boolean {
  let steps: AnalysisSteps | undefined;
  return () => !!(steps ??= start()).next().done;
}

export interface IncrementalAnalysis {
  /** run the next slice (a few thousand rules' worth of one pass, or several small chains); true when all is done */
  step(): boolean;
  /** the findings so far, sorted (complete once step() returned true) */
  problems(): Problem[];
  /** once step() returned true: the findings with what the analysis knew, for analyzeAfterLineEdit */
  completed(): CompletedAnalysis;
}

/**
 * The same analyses in slices, so the language server can yield between them on a 100k-rule dump
 * and abandon the work when the document changes.
 */
export function createIncrementalAnalysis(ruleset: Ruleset, options: AnalyzeOptions = {}): IncrementalAnalysis {
  const problems: Problem[] = [];
  const context = createContext(ruleset, options.cancelled);
  /** a slice of work; returns false when it has more to do (it is run again) */
  type Slice = () => boolean | void;
  const slices: Array<{ table: Ruleset['tables'][number] | undefined; run: Slice }> = [];
  const hashlimits: HashlimitUse[] = [];
  for (const table of ruleset.tables) {
    // The table's facts are read a few thousand rules at a time; every pass pauses every few
    // hundred rules' worth of work.
    slices.push({ table, run: () => context.prepareTable(table) });
    slices.push({ table, run: resumable(() => checkTableReachability(context, context.table(table), problems)) });
    slices.push({ table, run: resumable(() => checkJumpGraph(context, context.table(table), problems)) });
    slices.push({ table, run: resumable(() => checkPlacement(context, context.table(table), problems, hashlimits)) });
    slices.push({ table, run: resumable(() => checkKube(context, context.table(table), problems)) });
  }
  // (hashlimit tables are shared across tables: once every table's placement pass has met them)
  slices.push({ table: undefined, run: () => checkHashlimitNames(context, hashlimits, problems) });
  let next = 0;
  let stopped = false;
  let sorted = false;
  const failedTables = new Set<unknown>();
  return {
    step() {
      if (stopped || next >= slices.length) return true;
      // Run small slices together: one call does at least a few thousand rules' worth of work.
      const deadline = next + 64;
      while (next < slices.length && next < deadline) {
        const slice = slices[next];
        try {
          if (slice.run() === false) return false; // partly done: run it again in the next step
          next++;
        } catch (error) {
          next++;
          if (error instanceof Cancelled) {
            stopped = true;
            return true;
          }
          // One report per table is enough; the other slices still run.
          if (failedTables.has(slice.table)) continue;
          failedTables.add(slice.table);
          problems.push({
            severity: 'error',
            code: 'internal/analysis',
            message: `internal analysis error (please report): ${error instanceof Error ? error.message : String(error)}`,
            span: slice.table ? { start: slice.table.headerSpan.start, end: slice.table.headerSpan.end } : { start: 0, end: Math.min(1, ruleset.text.length) },
          });
        }
      }
      sorted = false;
      return next >= slices.length;
    },
    problems() {
      if (!sorted) {
        sortProblems(problems);
        sorted = true;
      }
      return problems;
    },
    completed() {
      return { ruleset, context, problems: this.problems() };
    },
  };
}
