// The engine's parser on the dump text (already in memory; reading is the "read file" case).
import { defineBenchCase } from '../api';
import { parseRuleset } from '../../../server/src/netfilter/parser';

export default defineBenchCase({
  name: 'parse',
  target: { ratioToRestore: 0.25 },
  setup(ctx) {
    void ctx.dumpText; // read the file now, untimed
  },
  run(ctx) {
    const start = performance.now();
    const ruleset = parseRuleset(ctx.dumpText, { family: 'ipv4', fileName: ctx.dumpPath });
    const parseMs = performance.now() - start;
    // Checked after the timing: reading chain.rules makes the rule objects of a checked parse (113k
    // at 10k services), which is a reader's work (the analyses and the index read rows instead).
    let rules = 0;
    for (const table of ruleset.tables) for (const chain of table.chains.values()) rules += chain.rules.length;
    if (rules !== ctx.rules) throw new Error(`parsed ${rules} rules, the dump has ${ctx.rules}`);
    return { samplesMs: [parseMs], note: `${rules.toLocaleString('en-US')} rules, ${ruleset.problems.length} problems` };
  },
});
