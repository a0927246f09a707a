// Renders analysis findings as one line each: `LINE SEVERITY CODE MESSAGE` (1-based line), the
// format of the *.expected files next to the cases.
import type { Problem, Ruleset } from '../../server/src/netfilter/model';
import { lineOf as lineOfOffset } from '../../server/src/netfilter/positions';

/** 1-based line of an offset. */
export function lineOf(ruleset: Ruleset, offset: number): number {
  return lineOfOffset(ruleset.lineStarts, offset) + 1;
}

export function renderProblem(ruleset: Ruleset, p: Problem): string {
  let line = `${lineOf(ruleset, p.span.start)} ${p.severity} ${p.code} ${p.message}`;
  for (const r of p.related ?? []) line += `\n    related ${lineOf(ruleset, r.span.start)}: ${r.message}`;
  for (const f of p.fixes ?? []) line += `\n    fix: ${f.title} (${f.edits.length} edit${f.edits.length > 1 ? 's' : ''})`;
  return line;
}
