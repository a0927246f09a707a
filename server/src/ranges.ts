// THE one place that converts engine offsets (UTF-16 code units into the text, as JavaScript
// indexes strings, which is also LSP's default position encoding) to LSP positions and ranges,
// using the parser's lineStarts (binary search, no text scan).

import type { Position, Range } from 'vscode-languageserver';
import type { Span } from './netfilter/model';
import { lineOf } from './netfilter/positions';

/** 0-based line of an offset (the engine's binary search over lineStarts). */
export const lineOfOffset = lineOf;

export function positionAt(lineStarts: readonly number[], offset: number): Position {
  const line = lineOfOffset(lineStarts, Math.max(0, offset));
  return { line, character: Math.max(0, offset - lineStarts[line]) };
}

/** Offset of an LSP position, clamped to the line (and to the text length when given). */
export function offsetAt(lineStarts: readonly number[], position: Position, textLength?: number): number {
  if (lineStarts.length === 0) return 0;
  const line = Math.min(Math.max(0, position.line), lineStarts.length - 1);
  const lineEnd = line + 1 < lineStarts.length ? lineStarts[line + 1] - 1 : (textLength ?? Number.MAX_SAFE_INTEGER);
  return Math.min(lineStarts[line] + Math.max(0, position.character), Math.max(lineStarts[line], lineEnd));
}

export function rangeOf(lineStarts: readonly number[], span: Span): Range {
  return { start: positionAt(lineStarts, span.start), end: positionAt(lineStarts, span.end) };
}

export function spanOfRange(lineStarts: readonly number[], range: Range, textLength?: number): Span {
  return { start: offsetAt(lineStarts, range.start, textLength), end: offsetAt(lineStarts, range.end, textLength) };
}
