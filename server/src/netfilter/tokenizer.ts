// Splits one rule line into arguments exactly as iptables-restore does (add_param_to_argv in
// iptables/xshared.c): spaces and tabs separate, double quotes group, and a backslash escapes the
// next character only inside quotes. Single quotes are ordinary characters.

import type { Token } from './model';

export interface TokenizedLine {
  tokens: Token[];
  /** offset of an opening quote that is never closed (restore takes the rest of the line) */
  unterminatedQuoteAt?: number;
}

const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;

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
      tokens.push({ text: text.slice(tokenStart, plainEnd), start: tokenStart, end: plainEnd });
      i = plainEnd;
      continue;
    }
    // Slow path: the token contains quotes somewhere.
    let value = text.slice(tokenStart, plainEnd);
    i = plainEnd;
    let inQuote = false;
    let quoteStart = -1;
    while (i < end) {
      c = text.charCodeAt(i);
      if (inQuote) {
        if (c === BACKSLASH && i + 1 < end) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (c === QUOTE) {
          // restore ends the argument at a closing quote: `a"b c"d` is two arguments, `ab c` and `d`
          inQuote = false;
          i++;
          break;
        }
        value += text[i];
        i++;
        continue;
      }
      if (c === QUOTE) {
        inQuote = true;
        quoteStart = i;
        i++;
        continue;
      }
      if (c === SPACE || c === TAB) break;
      value += text[i];
      i++;
    }
    if (inQuote) unterminatedQuoteAt = quoteStart;
    tokens.push({ text: value, start: tokenStart, end: i, quoted: true });
  }
  return { tokens, unterminatedQuoteAt };
}

/** Quote a value the way iptables-save does, for edits and quick fixes. */
export function quoteArgument(value: string): string {
  if (value !== '' && !/[\s"\\]/.test(value)) return value;
  return '"' + value.replace(/[\\"]/g, (ch) => '\\' + ch) + '"';
}
