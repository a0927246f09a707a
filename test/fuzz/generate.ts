// Input i of a campaign, from (seed, i) alone: a corpus entry (a window of it for big files),
// sometimes crossed with another, then mutated.
import { loadCorpus, type CorpusEntry } from './corpus';
import { mutate, window } from './mutate';
import { Rng, inputSeed } from './rng';

export interface FuzzInput {
  index: number;
  /** corpus entry the input was derived from */
  base: string;
  ops: string[];
  text: string;
  /** seed of the exercise choices (offsets, packets) */
  exerciseSeed: number;
}

export function generateInput(seed: number, index: number, grown: readonly CorpusEntry[] = [], maxLines = 400): FuzzInput {
  const rng = new Rng(inputSeed(seed, index));
  const corpus = loadCorpus();
  const base = grown.length && rng.chance(0.3) ? rng.pick(grown) : rng.pick(corpus);
  let text = window(base.text, rng, maxLines);
  const ops: string[] = [];
  if (rng.chance(0.05)) {
    const other = window(rng.pick(corpus).text, rng, 100).split('\n');
    const lines = text.split('\n');
    text = [...lines.slice(0, rng.int(lines.length + 1)), ...other.slice(rng.int(other.length + 1))].join('\n');
    ops.push('crossover');
  }
  const mutant = rng.chance(0.03) ? { text, ops: [] } : mutate(text, rng);
  return { index, base: base.name, ops: [...ops, ...mutant.ops], text: mutant.text, exerciseSeed: (inputSeed(seed, index) ^ 0x5bd1e995) >>> 0 };
}
