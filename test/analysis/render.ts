// Renders analysis findings as one line each: `LINE SEVERITY CODE MESSAGE` (1-based line), the
// format of the *.expected files next to the cases.
import type { Problem, Ruleset } from '../../server/src/netfilter/model';

export function lineOf(ruleset: Ruleset, offset: number): number {
  const starts = ruleset.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export function renderProblem(ruleset: Ruleset, p: Problem): string {
  let line = `${lineOf(ruleset, p.span.start)} ${p.severity} ${p.code} ${p.message}`;
  for (const r of p.related ?? []) line += `\n    related ${lineOf(ruleset, r.span.start)}: ${r.message}`;
  for (const f of p.fixes ?? []) line += `\n    fix: ${f.title} (${f.edits.length} edit${f.edits.length > 1 ? 's' : ''})`;
  return line;
}
