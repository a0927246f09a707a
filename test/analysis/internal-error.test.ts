// An internal error while analysing one chain is reported once for its table and costs only that
// chain: the other chains of the table still get their findings (the analysis is one pass over
// 41k chains on a kube dump, so one bad chain must not silence the rest).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRuleset } from '../../server/src/netfilter/analysis';
import { parseRuleset } from '../../server/src/netfilter/parser';
import type { Rule } from '../../server/src/netfilter/model';

const DUMP = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A INPUT -j B
-A INPUT -j A
-A A -s 10.0.0.1/32 -j ACCEPT
-A A -j DROP
-A B -p tcp -j ACCEPT
-A B -p tcp -m tcp --dport 22 -j DROP
COMMIT
`;

/** `rule`, except that reading its matches or options throws (what ruleShape reads, not the jump graph). */
function failingOnMatches(rule: Rule): Rule {
  return new Proxy(rule, {
    get(target, property) {
      if (property === 'matches' || property === 'genericOptions' || property === 'criteria') throw new Error('boom');
      if (property === 'outline' || property === 'optionText') return undefined; // no shortcut around the model
      return Reflect.get(target, property, target);
    },
  });
}

test('an internal error in one chain leaves the findings of the chains after it', () => {
  const ruleset = parseRuleset(DUMP);
  const chainA = ruleset.tables[0].chains.get('A')!;
  chainA.rules = chainA.rules.map((rule, index) => (index === 0 ? failingOnMatches(rule) : rule));
  const problems = analyzeRuleset(ruleset);
  const found = problems.map((p) => `${p.code} line ${ruleset.text.slice(0, p.span.start).split('\n').length}`);
  assert.deepEqual(found, ['internal/analysis line 1', 'reach/shadowed line 12']);
});

test('the same dump without the failure: the second rule of chain B is shadowed, chain A is fine', () => {
  const ruleset = parseRuleset(DUMP);
  const found = analyzeRuleset(ruleset).map((p) => `${p.code} line ${ruleset.text.slice(0, p.span.start).split('\n').length}`);
  assert.deepEqual(found, ['reach/shadowed line 12']);
});
