// Random edits of one rule line, as a person makes them (a digit of a port, a character typed or
// deleted, a token swapped): the inputs of the re-read and re-analysis property tests.

/** Small deterministic PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Edit = { kind: string; text: string };


const INSERTIONS = ['1', '9', 'x', ' ', '!', '"', '-', '/', ':', ',', '0x', ' --dport 80', ' -m comment --comment "a b"', ' -s 10.0.0.1', ' -j ACCEPT', '--'];

/** An edit of one character range inside line `line` (never touching its line break). */
export function editLine(text: string, line: number, next: () => number): Edit | undefined {
  const starts: number[] = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const start = starts[line];
  const end = line + 1 < starts.length ? starts[line + 1] - 1 : text.length;
  if (end <= start) return undefined;
  const content = text.slice(start, end);
  const at = start + Math.floor(next() * content.length);
  const choice = next();
  if (choice < 0.35) {
    // A digit of a value becomes another digit (ports, addresses, probabilities, marks — not the
    // digits of a chain name, which make another chain).
    const digits: number[] = [];
    for (const token of content.matchAll(/\S+/g)) {
      if (/[A-Z]/.test(token[0])) continue;
      for (let i = 0; i < token[0].length; i++) if (/\d/.test(token[0][i])) digits.push(token.index! + i);
    }
    if (!digits.length) return undefined;
    const i = start + digits[Math.floor(next() * digits.length)];
    const digit = String((Number(text[i]) + 1 + Math.floor(next() * 9)) % 10);
    return { kind: 'digit', text: text.slice(0, i) + digit + text.slice(i + 1) };
  }
  if (choice < 0.6) {
    const insert = INSERTIONS[Math.floor(next() * INSERTIONS.length)];
    return { kind: 'insert', text: text.slice(0, at) + insert + text.slice(at) };
  }
  if (choice < 0.8) {
    const length = 1 + Math.floor(next() * 6);
    return { kind: 'delete', text: text.slice(0, at) + text.slice(Math.min(end, at + length)) };
  }
  // A whole token replaced by another token of the line.
  const tokens = [...content.matchAll(/\S+/g)];
  if (tokens.length < 2) return undefined;
  const a = tokens[Math.floor(next() * tokens.length)];
  const b = tokens[Math.floor(next() * tokens.length)];
  return { kind: 'token', text: text.slice(0, start + a.index!) + b[0] + text.slice(start + a.index! + a[0].length) };
}

export function ruleLines(text: string): number[] {
  const lines: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (/^(\[\d+:\d+\] )?-A /.test(line)) lines.push(i);
  });
  return lines;
}


/** An edit of a rule line of `text` chosen at random; undefined when there is none to make. */
export function editRandomRuleLine(text: string, next: () => number): Edit | undefined {
  const lines = ruleLines(text);
  return lines.length ? editLine(text, lines[Math.floor(next() * lines.length)], next) : undefined;
}
