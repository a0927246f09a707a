// Splits one rule line into arguments exactly as iptables-restore does (add_param_to_argv in
// iptables/xshared.c): spaces and tabs separate, double quotes group, and a backslash escapes the
// next character only inside quotes. Single quotes are ordinary characters.

import type { Token } from './model';

/** A token as a class: fixed layout, the smallest object V8 can make for it (millions exist). */
class SourceToken implements Token {
  constructor(
    public text: string,
    public start: number,
    public end: number,
    public quoted: boolean,
  ) {}
}

/** A token made outside tokenizeLine (same object layout as the tokenizer's). */
export function makeToken(text: string, start: number, end: number, quoted: boolean): Token {
  return new SourceToken(quoted ? text : intern(text, 0, text.length), start, end, quoted);
}

export interface TokenizedLine {
  tokens: Token[];
  /** offset of an opening quote that is never closed (restore takes the rest of the line) */
  unterminatedQuoteAt?: number;
}

const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;

/**
 * Short tokens repeat endlessly in a dump (`-A`, `-m`, `tcp`, `--comment`, `ACCEPT`): share one
 * string per distinct value. The lookup hashes the characters in place and compares with
 * startsWith, so a hit allocates nothing.
 */
const INTERN_SLOTS = 8192;
const internStrings: Array<string | undefined> = new Array(INTERN_SLOTS);
function intern(text: string, start: number, end: number): string {
  const length = end - start;
  if (length > 16) return text.slice(start, end);
  let hash = length;
  for (let k = start; k < end; k++) hash = (Math.imul(hash, 31) + text.charCodeAt(k)) | 0;
  const slot = (hash >>> 0) & (INTERN_SLOTS - 1);
  const candidate = internStrings[slot];
  if (candidate !== undefined && candidate.length === length && text.startsWith(candidate, start)) return candidate;
  const value = ownCopy(text.slice(start, end));
  internStrings[slot] = value;
  return value;
}

/**
 * The string, not attached to a larger one. V8 makes a slice of 13 or more characters a view into
 * the string it was cut from: kept in a table that outlives the text (the interned tokens above, a
 * chain name or template a re-read version shares), it would keep a 17 MB text of an older version
 * alive. Flattening a concatenation copies the characters.
 */
export function ownCopy(slice: string): string {
  return slice.length < 13 ? slice : (' ' + slice).slice(1);
}

export function tokenizeLine(text: string, start: number, end: number): TokenizedLine {
  const tokens: Token[] = [];
  let unterminatedQuoteAt: number | undefined;
  let i = start;
  while (i < end) {
    let c = text.charCodeAt(i);
    if (c === SPACE || c === TAB) {
      i++;
      continue;
    }
    const tokenStart = i;
    // Fast path: a token without quotes is a plain slice of the source.
    let plainEnd = i;
    while (plainEnd < end) {
      c = text.charCodeAt(plainEnd);
      if (c === SPACE || c === TAB || c === QUOTE) break;
      plainEnd++;
    }
    if (plainEnd >= end || c !== QUOTE) {
      tokens.push(new SourceToken(intern(text, tokenStart, plainEnd), tokenStart, plainEnd, false));
      i = plainEnd;
      continue;
    }
    // Slow path: the token contains quotes somewhere. Collect slices (not char-by-char
    // concatenation, which leaves a rope of tiny strings alive in every token).
    const parts: string[] = [text.slice(tokenStart, plainEnd)];
    i = plainEnd;
    let inQuote = false;
    let quoteStart = -1;
    let runStart = i;
    while (i < end) {
      c = text.charCodeAt(i);
      if (inQuote) {
        if (c === BACKSLASH && i + 1 < end) {
          parts.push(text.slice(runStart, i));
          runStart = i + 1; // keep the escaped character, drop the backslash
          i += 2;
          continue;
        }
        if (c === QUOTE) {
          // restore ends the argument at a closing quote: `a"b c"d` is two arguments, `ab c` and `d`
          parts.push(text.slice(runStart, i));
          inQuote = false;
          i++;
          runStart = i;
          break;
        }
        i++;
        continue;
      }
      if (c === QUOTE) {
        parts.push(text.slice(runStart, i));
        inQuote = true;
        quoteStart = i;
        i++;
        runStart = i;
        continue;
      }
      if (c === SPACE || c === TAB) break;
      i++;
    }
    if (runStart < i && (inQuote || runStart < i)) parts.push(text.slice(runStart, i));
    // Flatten into one sequential string so the token does not pin the source text or a rope.
    const value = parts.join('');
    if (inQuote) unterminatedQuoteAt = quoteStart;
    tokens.push(new SourceToken(value, tokenStart, i, true));
  }
  return { tokens, unterminatedQuoteAt };
}

/** Quote a value the way iptables-save does, for edits and quick fixes. */
export function quoteArgument(value: string): string {
  if (value !== '' && !/[\s"\\]/.test(value)) return value;
  return '"' + value.replace(/[\\"]/g, (ch) => '\\' + ch) + '"';
}
