// Shrink a failing input while it keeps failing the same way (delta debugging: chunks of lines,
// then tokens of the remaining lines, then characters of short inputs).
import { exercise, FuzzFailure } from './exercise';

export interface Minimized {
  text: string;
  failure: FuzzFailure;
  attempts: number;
}

/** The failure `text` produces (undefined when it passes). */
export function failureOf(text: string, seed: number): FuzzFailure | undefined {
  try {
    exercise(text, seed);
    return undefined;
  } catch (error) {
    if (error instanceof FuzzFailure) return error;
    const e = error instanceof Error ? error : new Error(String(error));
    return new FuzzFailure('harness', `${e.name}: ${e.message}`, e.stack);
  }
}

function shrinkParts(parts: string[], joiner: string, stillFails: (text: string) => boolean, budget: { left: number }): string[] {
  let chunk = Math.max(1, Math.floor(parts.length / 2));
  while (chunk >= 1 && budget.left > 0) {
    let removed = false;
    for (let start = 0; start < parts.length && budget.left > 0; ) {
      const candidate = parts.slice(0, start).concat(parts.slice(start + chunk));
      budget.left--;
      if (candidate.length < parts.length && stillFails(candidate.join(joiner))) {
        parts = candidate;
        removed = true;
      } else start += chunk;
    }
    if (!removed) chunk = Math.floor(chunk / 2);
  }
  return parts;
}

/** Minimise `text`, keeping the failure's signature; at most `maxAttempts` re-runs. */
export function minimize(text: string, seed: number, failure: FuzzFailure, maxAttempts = 1500): Minimized {
  const signature = failure.signature;
  let last = failure;
  const budget = { left: maxAttempts };
  const stillFails = (candidate: string) => {
    const f = failureOf(candidate, seed);
    if (f && f.signature === signature) {
      last = f;
      return true;
    }
    return false;
  };
  let lines = shrinkParts(text.split('\n'), '\n', stillFails, budget);
  // then the tokens of each remaining line
  for (let i = 0; i < lines.length && budget.left > 0; i++) {
    const words = lines[i].split(' ');
    if (words.length < 2) continue;
    const kept = shrinkParts(words, ' ', (lineText) => stillFails([...lines.slice(0, i), lineText, ...lines.slice(i + 1)].join('\n')), budget);
    lines = [...lines.slice(0, i), kept.join(' '), ...lines.slice(i + 1)];
  }
  let result = lines.join('\n');
  // characters, for inputs that are already small
  if (result.length <= 2000) result = shrinkParts([...result], '', stillFails, budget).join('');
  return { text: result, failure: last, attempts: maxAttempts - budget.left };
}
