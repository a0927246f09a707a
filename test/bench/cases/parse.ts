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
    const ruleset = parseRuleset(ctx.dumpText, { family: 'ipv4', fileName: ctx.dumpPath });
    let rules = 0;
    for (const table of ruleset.tables) for (const chain of table.chains.values()) rules += chain.rules.length;
    if (rules !== ctx.rules) throw new Error(`parsed ${rules} rules, the dump has ${ctx.rules}`);
    return { note: `${rules.toLocaleString('en-US')} rules, ${ruleset.problems.length} problems` };
  },
});
