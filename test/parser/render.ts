// Renders a parsed Ruleset as plain text a reviewer can read next to the input dump:
// one line per table / chain / rule, every token shown with its line:column so spans are checked too.

import type { OptionUse, Problem, Rule, Span, Token } from '../../server/src/netfilter/model';
import type { ParsedRuleset } from '../../server/src/netfilter/parser';
import { positionOf } from '../../server/src/netfilter/positions';

export function renderRuleset(ruleset: ParsedRuleset): string {
  const at = (span: Span) => {
    const p = positionOf(ruleset.lineStarts, span.start);
    return `${p.line + 1}:${p.column + 1}`;
  };
  const token = (t: Token) => `${JSON.stringify(t.text)}@${at(t)}`;
  const option = (o: OptionUse) => `${o.negated ? '!' : ''}${o.name}(${o.args.map(token).join(' ')})`;
  const lines: string[] = [`family ${ruleset.family} (${ruleset.familyReason})`];
  for (const table of ruleset.tables) {
    lines.push(`table ${table.name} @${at(table.headerSpan)}${table.commitSpan ? ` commit@${at(table.commitSpan)}` : ' (no COMMIT)'}`);
    for (const chain of table.chains.values()) {
      const declared = chain.declSpan ? `@${at(chain.declSpan)}` : '(not declared)';
      const counters = chain.counters ? ` [${chain.counters.packets}:${chain.counters.bytes}]` : '';
      lines.push(`  chain ${chain.name} ${chain.builtin ? `policy ${chain.policy}` : 'user'} ${declared}${counters}`);
      for (const rule of chain.rules) lines.push(`    ${renderRule(rule, token, option)}`);
    }
  }
  for (const problem of ruleset.problems) lines.push(renderProblem(problem, at));
  return lines.join('\n') + '\n';
}

function renderRule(rule: Rule, token: (t: Token) => string, option: (o: OptionUse) => string): string {
  const parts = [`#${rule.position} line ${rule.line + 1}${rule.counters ? ` [${rule.counters.packets}:${rule.counters.bytes}]` : ''}${rule.broken ? ' BROKEN' : ''}${rule.otherFamily ? ' SKIPPED (other family)' : ''}:`];
  for (const generic of rule.genericOptions) parts.push(option(generic));
  for (const match of rule.matches) parts.push(`${match.implicit ? '(implicit)' : ''}${match.known ? '' : '?'}m:${match.module}{${match.options.map(option).join(' ')}}`);
  if (rule.target) parts.push(`${rule.target.goto ? 'goto' : 'jump'}:${rule.target.kind}:${token(rule.target.token)}{${rule.target.options.map(option).join(' ')}}`);
  return parts.join(' ');
}

export function renderProblem(problem: Problem, at: (span: Span) => string): string {
  return `${problem.severity} ${problem.code} @${at(problem.span)}: ${problem.message}`;
}
