// Where two versions of a text differ: one region, found from the common prefix and suffix. An
// editor sends one edit at a time, so this is the edit (reparseAfterLineEdit, diagnostics carried
// over to a new version while it is analysed).

import type { Problem, Span } from './model';

export interface ChangedRegion {
  /** first offset that differs (same in both texts) */
  start: number;
  /** end of the replaced text in the old version */
  oldEnd: number;
  /** end of the replacement in the new version */
  newEnd: number;
}

/** Compared this many characters at a time (substring equality is a memory comparison in V8). */
const CHUNK = 4096;

/** The region that differs, or undefined when the texts are equal. Linear; ~5 ms for 17 MB. */
export function changedRegion(before: string, after: string): ChangedRegion | undefined {
  if (before === after) return undefined;
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start + CHUNK <= shorter && before.slice(start, start + CHUNK) === after.slice(start, start + CHUNK)) start += CHUNK;
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  // The common suffix may not overlap the common prefix.
  const room = shorter - start;
  let suffix = 0;
  while (suffix + CHUNK <= room && before.slice(before.length - suffix - CHUNK, before.length - suffix) === after.slice(after.length - suffix - CHUNK, after.length - suffix)) suffix += CHUNK;
  while (suffix < room && before.charCodeAt(before.length - suffix - 1) === after.charCodeAt(after.length - suffix - 1)) suffix++;
  return { start, oldEnd: before.length - suffix, newEnd: after.length - suffix };
}

/** Every span of a problem: where it is, its related locations, its fixes' edits. */
export function problemSpans(problem: Problem): Span[] {
  const spans = [problem.span];
  for (const related of problem.related ?? []) spans.push(related.span);
  for (const fix of problem.fixes ?? []) for (const edit of fix.edits) spans.push(edit.span);
  return spans;
}

/** A copy of the problem with every span (see problemSpans) replaced by `move(span)`. */
export function movedProblem(problem: Problem, move: (span: Span) => Span): Problem {
  const moved: Problem = { ...problem, span: move(problem.span) };
  if (problem.related) moved.related = problem.related.map((related) => ({ ...related, span: move(related.span) }));
  if (problem.fixes) moved.fixes = problem.fixes.map((fix) => ({ ...fix, edits: fix.edits.map((edit) => ({ ...edit, span: move(edit.span) })) }));
  return moved;
}

/**
 * Problems found on `before`, placed on `after` (`known`: their changedRegion, when the caller has it): those with any span on a line the edit touched are
 * dropped (they may no longer hold), the others move with the text around them.
 */
export function moveProblemsThroughEdit(before: string, after: string, problems: readonly Problem[], known?: ChangedRegion): Problem[] {
  if (problems.length === 0) return [];
  const region = known ?? changedRegion(before, after);
  if (!region) return [...problems];
  const firstLineStart = region.start === 0 ? 0 : before.lastIndexOf('\n', region.start - 1) + 1;
  const lineBreak = before.indexOf('\n', region.oldEnd);
  const lastLineEnd = lineBreak < 0 ? before.length : lineBreak;
  const delta = region.newEnd - region.oldEnd;
  const touched = (span: Span) => span.start <= lastLineEnd && span.end >= firstLineStart;
  const move = (span: Span): Span => (span.start < region.start ? span : { start: span.start + delta, end: span.end + delta });
  const moved: Problem[] = [];
  for (const problem of problems) {
    if (problemSpans(problem).some(touched)) continue;
    moved.push(delta === 0 ? problem : movedProblem(problem, move));
  }
  return moved;
}
