// Work over a whole dump (a re-read, an index, the outline of 41k chains) is written as a generator
// that pauses every few thousand items: a language server runs it in slices and answers requests
// between them (server/src/slicing.ts runGeneratorSliced); everyone else runs it to its end at once.

/** A computation that pauses (yields) between steps and returns T at its end. */
export type Steps<T> = Generator<void, T, void>;

/** Run `steps` to its end without pausing; its result. */
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}
