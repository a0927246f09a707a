// The random rulesets `npm run test:kernel` runs on every run (seeds of random-rulesets.ts), so the
// generator and the simulator are held to the kernel on every CI run; `npm run kernel:campaign`
// runs thousands more. What a campaign found is kept as a hand-written dump in dumps/ (a seed's
// dump changes whenever the generator does).
export const RANDOM_SAMPLE_SEEDS: readonly number[] = Array.from({ length: 30 }, (_, i) => 9001 + i);
