// The server's open documents: what vscode-languageserver-textdocument's TextDocument does (LSP
// line breaks `\n`, `\r\n` and `\r`; incremental edits; positions clamped to the line), plus one
// thing it cannot do: take its line offsets from the parse of the same text (adoptLineStarts).
// Computed again they cost ~0.1 s in one block on a 17 MB dump — a hover sent then waits for it.
// test/lsp/text-document.test.ts checks every method against vscode-languageserver-textdocument.

import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

const LF = 10;
const CR = 13;

export class LensTextDocument implements TextDocument {
  /** start offset of every line (LSP's numbering); undefined until first needed */
  private lineOffsets: number[] | undefined;
  /** lineOffsets is someone else's array (adopted): copied before the first edit changes it */
  private sharedLineOffsets = false;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    public version: number,
    private content: string,
  ) {}

  static create(uri: string, languageId: string, version: number, content: string): LensTextDocument {
    return new LensTextDocument(uri, languageId, version, content);
  }

  static update(document: LensTextDocument, changes: TextDocumentContentChangeEvent[], version: number): LensTextDocument {
    document.update(changes, version);
    return document;
  }

  get lineCount(): number {
    return this.getLineOffsets().length;
  }

  getText(range?: Range): string {
    if (!range) return this.content;
    return this.content.substring(this.offsetAt(range.start), this.offsetAt(range.end));
  }

  /**
   * Use the parser's line starts of `text` as this document's line offsets, when `text` is this
   * document's content and the two numberings agree (the parser breaks lines at `\n` only: a lone
   * `\r` makes them differ). The array is shared until an edit, never changed. True when adopted.
   */
  adoptLineStarts(text: string, lineStarts: readonly number[]): boolean {
    if (this.lineOffsets !== undefined || text !== this.content || hasLoneCarriageReturn(text)) return false;
    this.lineOffsets = lineStarts as number[];
    this.sharedLineOffsets = true;
    return true;
  }

  update(changes: TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (!('range' in change)) {
        this.content = change.text;
        this.lineOffsets = undefined;
        this.sharedLineOffsets = false;
        continue;
      }
      const range = wellFormed(change.range);
      const startOffset = this.offsetAt(range.start);
      const endOffset = this.offsetAt(range.end);
      this.content = this.content.substring(0, startOffset) + change.text + this.content.substring(endOffset);
      const offsets = this.ownLineOffsets();
      const startLine = Math.max(range.start.line, 0);
      const endLine = Math.max(range.end.line, 0);
      const added = lineOffsetsOf(change.text, false, startOffset);
      if (endLine - startLine === added.length) {
        for (let i = 0; i < added.length; i++) offsets[startLine + 1 + i] = added[i];
      } else if (added.length < 10_000) {
        offsets.splice(startLine + 1, endLine - startLine, ...added);
      } else {
        // (a splice with that many arguments overflows the stack)
        this.lineOffsets = offsets.slice(0, startLine + 1).concat(added, offsets.slice(endLine + 1));
      }
      const diff = change.text.length - (endOffset - startOffset);
      if (diff !== 0) {
        const all = this.lineOffsets!;
        for (let i = startLine + 1 + added.length; i < all.length; i++) all[i] += diff;
      }
    }
    this.version = version;
  }

  positionAt(offset: number): Position {
    offset = Math.max(Math.min(offset, this.content.length), 0);
    const offsets = this.getLineOffsets();
    let low = 0;
    let high = offsets.length;
    if (high === 0) return { line: 0, character: offset };
    while (low < high) {
      const mid = (low + high) >> 1;
      if (offsets[mid] > offset) high = mid;
      else low = mid + 1;
    }
    const line = low - 1;
    return { line, character: this.beforeLineBreak(offset, offsets[line]) - offsets[line] };
  }

  offsetAt(position: Position): number {
    const offsets = this.getLineOffsets();
    if (position.line >= offsets.length) return this.content.length;
    if (position.line < 0) return 0;
    const lineOffset = offsets[position.line];
    if (position.character <= 0) return lineOffset;
    const nextLineOffset = position.line + 1 < offsets.length ? offsets[position.line + 1] : this.content.length;
    return this.beforeLineBreak(Math.min(lineOffset + position.character, nextLineOffset), lineOffset);
  }

  private getLineOffsets(): readonly number[] {
    return (this.lineOffsets ??= lineOffsetsOf(this.content, true, 0));
  }

  private ownLineOffsets(): number[] {
    const offsets = this.getLineOffsets() as number[];
    if (!this.sharedLineOffsets) return offsets;
    this.sharedLineOffsets = false;
    return (this.lineOffsets = offsets.slice());
  }

  /** A position inside a line break is moved before it (as TextDocument does). */
  private beforeLineBreak(offset: number, lineOffset: number): number {
    while (offset > lineOffset && isLineBreak(this.content.charCodeAt(offset - 1))) offset--;
    return offset;
  }
}

/** A `\r` not followed by `\n`: a line break for LSP, not for iptables-restore (the line numberings differ). */
export function hasLoneCarriageReturn(text: string): boolean {
  for (let at = text.indexOf('\r'); at >= 0; at = text.indexOf('\r', at + 1)) if (text.charCodeAt(at + 1) !== LF) return true;
  return false;
}

function isLineBreak(c: number): boolean {
  return c === CR || c === LF;
}

/** Offsets where lines start in `text` (plus `base`), LSP's way: after `\n`, `\r\n` or a lone `\r`. */
function lineOffsetsOf(text: string, atLineStart: boolean, base: number): number[] {
  const offsets = atLineStart ? [base] : [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== CR && c !== LF) continue;
    if (c === CR && i + 1 < text.length && text.charCodeAt(i + 1) === LF) i++;
    offsets.push(base + i + 1);
  }
  return offsets;
}

function wellFormed(range: Range): Range {
  const { start, end } = range;
  return start.line > end.line || (start.line === end.line && start.character > end.character) ? { start: end, end: start } : range;
}

/** For TextDocuments: `new TextDocuments(LENS_TEXT_DOCUMENTS)`. */
export const LENS_TEXT_DOCUMENTS = { create: LensTextDocument.create, update: LensTextDocument.update };
