// What the analyses, the navigation index and the hovers a user makes first on a big dump cost in rule
// objects: a checked parse keeps rules as rows (parser.ts chainRows), and a chain's rule objects are
// made when something reads chain.rules — 113k of them at 10k services, so a request that reads them
// all blocks the server. Counted here (chains whose rules have been made), not timed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { analyzeRuleset } from '../../server/src/netfilter/analysis';
import { IdeDocument } from '../../server/src/netfilter/ide/ide-document';
import { hover } from '../../server/src/netfilter/ide/hover';
import type { Ruleset } from '../../server/src/netfilter/model';
import { generateKubeDump } from '../bench/generate-kube-dump';

const SERVICES = 300;
const text = generateKubeDump({ services: SERVICES, endpointsPerService: 3, seed: 11 });

/** Chains with rules whose rule objects exist (LazyChain.isMaterialized), of all chains. */
function madeChains(ruleset: Ruleset): { made: number; chains: number } {
  let made = 0;
  let chains = 0;
  for (const table of ruleset.tables) {
    for (const chain of table.chains.values()) {
      chains++;
      // (an empty chain's rules are an empty array: nothing made)
      if ((chain as unknown as { isMaterialized: boolean }).isMaterialized && chain.rules.length > 0) made++;
    }
  }
  return { made, chains };
}

test('the analyses make rule objects only for the chains where they report or compare shapes', () => {
  const ruleset = parseRuleset(text, { family: 'ipv4' });
  analyzeRuleset(ruleset);
  const { made, chains } = madeChains(ruleset);
  assert.ok(chains > SERVICES * 4, `the dump has ${chains} chains`);
  // (kube-proxy's dump: the few chains with an earlier terminal rule, the small built-in ones)
  assert.ok(made <= 20, `the analyses made the rule objects of ${made} of ${chains} chains`);
});

test('the navigation index and the first hovers after opening make no rule objects for the whole dump', () => {
  const doc = new IdeDocument(parseRuleset(text, { family: 'ipv4' }), 'file:///kube.rules');
  void doc.index;
  assert.equal(madeChains(doc.ruleset).made, 0, 'the navigation index made rule objects');

  // A table header counts the table's rules; KUBE-MARK-MASQ is jumped to from every endpoint chain.
  const natHeader = text.indexOf('*nat') + 1;
  assert.match(hover(doc, natHeader)!.markdown, /rules/);
  assert.equal(madeChains(doc.ruleset).made, 0, 'the table hover made rule objects');

  const markMasq = text.indexOf('-j KUBE-MARK-MASQ') + 5;
  const markdown = hover(doc, markMasq)!.markdown;
  assert.match(markdown, /Jumped to from \d+ rules: .*… and \d+ more/);
  // The ten callers it lists, each in a chain of its own, plus the chain itself at most.
  const made = madeChains(doc.ruleset).made;
  assert.ok(made <= 11, `hovering KUBE-MARK-MASQ made the rule objects of ${made} chains`);
});
