// What messages, hovers and symbols quote of a dump: a megabyte word (a pasted blob, a runaway
// number) or a list of thousands (a jump loop, a service's endpoints) is shown by its ends, so the
// answer stays readable and small. Spans and related locations still cover all of it.

/** Cut every word of `longWord` or more characters in `message` to its ends and its length. */
export function elideLongWords(message: string, longWord = 200): string {
  if (message.length <= longWord + 100) return message;
  return message.replace(new RegExp(`\\S{${longWord},}`, 'g'), (word) => `${word.slice(0, 80)}…${word.slice(-20)} (${word.length.toLocaleString('en-US')} characters)`);
}

/** `text` when at most `max` characters, else its first `head` and last `tail` characters (and its length, when `withLength`). */
export function elideMiddle(text: string, max: number, head: number, tail: number, withLength = false): string {
  if (text.length <= max) return text;
  return `${text.slice(0, head)}…${text.slice(-tail)}${withLength ? ` (${text.length.toLocaleString('en-US')} characters)` : ''}`;
}

/** `items` when at most `max`, else the first `head`, a "… N more …" item and the last `tail`. */
export function keepEnds(items: readonly string[], max: number, head: number, tail: number): string[] {
  if (items.length <= max) return [...items];
  return [...items.slice(0, head), `… ${items.length - head - tail} more …`, ...items.slice(-tail)];
}
