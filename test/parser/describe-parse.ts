// Everything a parse says, as lines of text: two parses are the same parse when these are equal.
// Reads each rule the way the analyses do (outline and option reads first, then the model) and
// checks on the way that those quick reads agree with the model. Used by checked-parse.test.ts
// (fast parse = reference parse) and reparse.test.ts (edited line re-read = whole parse).

import assert from 'node:assert/strict';
import type { Chain, MatchUse, OptionUse, Rule, Span, TargetUse, Token } from '../../server/src/netfilter/model';
import { optionText, ruleOutline, type ParsedRuleset } from '../../server/src/netfilter/parser';

const span = (s: Span | undefined) => (s ? `${s.start}-${s.end}` : '-');
const token = (t: Token | undefined) => (t ? `${JSON.stringify(t.text)}${t.quoted ? 'q' : ''}@${span(t)}` : '-');
const option = (o: OptionUse) => `${o.negated ? `!${span(o.negationSpan)}` : ''}${o.name}:${token(o.written)}(${o.args.map(token).join(' ')})${span(o.span)}`;
const match = (m: MatchUse) => `${m.implicit ? 'implicit ' : ''}${m.known ? '' : '?'}${m.module} ${token(m.flagToken)} ${token(m.moduleToken)} ${span(m.span)} {${m.options.map(option).join(' ')}}`;
const target = (t: TargetUse | undefined) => (t ? `${t.goto ? 'goto' : 'jump'} ${t.kind} ${t.name} ${token(t.flagToken)} ${token(t.token)} ${span(t.span)} {${t.options.map(option).join(' ')}}` : 'no target');

/** Everything a rule model says, read in an order that exercises the lazy paths (target first). */
/** Option reads the lazy rule answers from its line (optionText), checked against its model below. */
const OPTION_QUERIES: Array<[owner: string, name: string]> = [
  ['', 'source'], ['', 'destination'], ['', 'protocol'], ['', 'in-interface'], ['', 'out-interface'],
  ['comment', 'comment'], ['*', 'comment'], ['*', 'dport'], ['tcp', 'dport'], ['udp', 'dport'], ['*', 'mark'], ['statistic', 'probability'], ['*', 'dports'], ['conntrack', 'ctstate'],
];

function optionFromModel(rule: Rule, owner: string, name: string): { text: string | undefined; negated: boolean } | null {
  const options = owner === '' ? rule.genericOptions : rule.matches.filter((m) => owner === '*' || m.module === owner).flatMap((m) => {
    const option = m.options.find((o) => o.name === name);
    return option ? [option] : [];
  });
  const option = options.find((o) => o.name === name);
  return option ? { text: option.args[0]?.text, negated: option.negated } : null;
}

export function describeRule(rule: Rule): string {
  const outline = ruleOutline(rule);
  const reads = OPTION_QUERIES.map(([owner, name]) => optionText(rule, owner, name));
  // Read first what the lazy rule answers without its model.
  const head = [target(rule.target), token(rule.chainToken), `broken=${rule.broken}`, `otherFamily=${!!rule.otherFamily}`, `${rule.table}/${rule.chain} #${rule.position} line ${rule.line} ${span(rule.span)} ${rule.command}`];
  const criteria = Object.entries(rule.criteria).map(([key, o]) => `${key}=${o ? option(o) : '-'}`).sort();
  const body = [
    token(rule.commandToken),
    token(rule.chainToken),
    rule.counters ? `[${rule.counters.packets}:${rule.counters.bytes}]@${span(rule.counters.span)}` : 'no counters',
    `criteria{${criteria.join(' ')}}`,
    `generic{${rule.genericOptions.map(option).join(' ')}}`,
    `matches{${rule.matches.map(match).join(' | ')}}`,
  ];
  if (outline) {
    // The outline (read without the model) must say what the model says.
    assert.equal(outline.genericOptions, rule.genericOptions.length);
    assert.deepEqual(outline.modules, rule.matches.map((m) => m.module));
    assert.deepEqual(outline.generic, rule.genericOptions.map((o) => ({ owner: '', name: o.name, negated: o.negated })));
    assert.deepEqual(outline.matchOptions, rule.matches.flatMap((m) => m.options.map((o) => ({ owner: m.module, name: o.name, negated: o.negated }))));
  }
  OPTION_QUERIES.forEach(([owner, name], i) => {
    if (reads[i] !== undefined) assert.deepEqual(reads[i], optionFromModel(rule, owner, name), `optionText(${owner}, ${name}) on line ${rule.line + 1}`);
  });
  return [...head, ...body].join(' ');
}

function describeChain(chain: Chain): string[] {
  const counters = chain.counters ? `[${chain.counters.packets}:${chain.counters.bytes}]@${span(chain.counters.span)}` : '';
  return [`chain ${chain.table}/${chain.name} builtin=${chain.builtin} policy=${chain.policy ?? '-'}@${span(chain.policySpan)} decl=${span(chain.declSpan)} name=${span(chain.nameSpan)} ${counters} rules=${chain.rules.length}`, ...chain.rules.map(describeRule)];
}

export function describe(ruleset: ParsedRuleset): string[] {
  const lines = [`family ${ruleset.family} (${ruleset.familyReason}) lines=${ruleset.lineStarts.length}`];
  for (const table of ruleset.tables) {
    lines.push(`table ${table.name} ${span(table.headerSpan)} name=${span(table.nameSpan)} commit=${span(table.commitSpan)} span=${span(table.span)}`);
    for (const chain of table.chains.values()) lines.push(...describeChain(chain));
  }
  for (const command of ruleset.commands) lines.push(`command ${command.command} ${span(command.span)} ${token(command.chain)}`);
  for (const problem of ruleset.problems) lines.push(`problem ${JSON.stringify(problem)}`);
  return lines;
}

