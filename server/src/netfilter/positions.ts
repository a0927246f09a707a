// Offset ↔ line/column arithmetic over a ruleset's line starts (binary search, no scanning).

/** 0-based line and UTF-16 column of an offset. */
export function positionOf(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, column: offset - lineStarts[lo] };
}

/** 0-based line of an offset. */
export function lineOf(lineStarts: readonly number[], offset: number): number {
  return positionOf(lineStarts, offset).line;
}

/** First index whose value is >= `value` in a non-decreasing list (its length when there is none). */
export function lowerBound(values: readonly number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
