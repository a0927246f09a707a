// Everything `iptables-lens lint` and the editor's diagnostics report for one file: parse problems
// plus every analysis, in file order. Pure.

import type { Problem } from './model';
import { parseRuleset, type ParseOptions, type ParsedRuleset } from './parser';
import { analyzeRuleset } from './analysis';

export interface LintResult {
  ruleset: ParsedRuleset;
  problems: Problem[];
}

export function lintText(text: string, options: ParseOptions & { cancelled?: () => boolean } = {}): LintResult {
  const ruleset = parseRuleset(text, options);
  let analysis: Problem[] = [];
  try {
    analysis = analyzeRuleset(ruleset, { cancelled: options.cancelled });
  } catch (error) {
    analysis = [{ severity: 'error', code: 'internal/analysis', message: `internal analysis error (please report): ${error instanceof Error ? error.message : error}`, span: { start: 0, end: Math.min(1, text.length) } }];
  }
  const problems = [...ruleset.problems, ...analysis].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { ruleset, problems };
}

export { positionOf } from './positions';
