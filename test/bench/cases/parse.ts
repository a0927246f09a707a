// The engine's parser on the dump text (already in memory; reading is the "read file" case).
// The parser is loaded by path at setup, so this case reports "unavailable" until it exists.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineBenchCase, unavailable } from '../api';

type ParseRuleset = (text: string, options?: { family?: 'ipv4' | 'ipv6'; fileName?: string }) => {
  tables: Array<{ chains: Map<string, { rules: unknown[] }> }>;
  problems: unknown[];
};

export default defineBenchCase<ParseRuleset>({
  name: 'parse',
  target: { ratioToRestore: 1 },
  async setup(ctx) {
    const candidates = ['parser.ts', join('parser', 'index.ts')].map((p) => join(ctx.repoRoot, 'server', 'src', 'netfilter', p));
    const file = candidates.find((p) => existsSync(p));
    if (!file) return unavailable('server/src/netfilter/parser not available yet');
    const module = (await import(pathToFileURL(file).href)) as { parseRuleset?: ParseRuleset; default?: { parseRuleset?: ParseRuleset } };
    const parseRuleset = module.parseRuleset ?? module.default?.parseRuleset;
    if (typeof parseRuleset !== 'function') return unavailable(`${file} exports no parseRuleset`);
    void ctx.dumpText; // read the file now, untimed
    return parseRuleset;
  },
  run(ctx, parseRuleset) {
    const ruleset = parseRuleset(ctx.dumpText, { family: 'ipv4', fileName: ctx.dumpPath });
    let rules = 0;
    for (const table of ruleset.tables) for (const chain of table.chains.values()) rules += chain.rules.length;
    if (rules !== ctx.rules) throw new Error(`parsed ${rules} rules, the dump has ${ctx.rules}`);
    return { note: `${rules.toLocaleString('en-US')} rules, ${ruleset.problems.length} problems` };
  },
});
