// What is under the cursor: the one place that turns an offset into a syntactic element of the
// model. Every feature (hover, definition, rename, highlights) starts here.

import type { Chain, MatchUse, OptionUse, Rule, Span, Table, TargetUse, Token } from '../model';
import { contains, tokenSpan, type DocumentIndex, type LineEntry } from './document-index';

export type CursorTarget =
  /** a chain name: declaration, `-A X`, `-j X`, `-g X`, `-P X`, `-N X` … */
  | { kind: 'chain'; table: Table; name: string; span: Span; rule?: Rule; entry: LineEntry }
  /** the `-A` / `-I` command token of a rule */
  | { kind: 'rule'; table: Table; rule: Rule; span: Span }
  /** a non-chain target name after -j (ACCEPT, DNAT, MARK …) */
  | { kind: 'target'; table: Table; rule: Rule; target: TargetUse; span: Span }
  /** the `-m` flag or the module name */
  | { kind: 'match'; table: Table; rule: Rule; match: MatchUse; span: Span }
  /** an option token (or the `!` before it) */
  | { kind: 'option'; table: Table; rule: Rule; option: OptionUse; owner: OptionOwner; span: Span }
  /** an argument of an option */
  | { kind: 'argument'; table: Table; rule: Rule; option: OptionUse; owner: OptionOwner; argument: Token; argIndex: number; span: Span }
  | { kind: 'policy'; table: Table; chain: Chain; span: Span }
  | { kind: 'table'; table: Table; span: Span };

export type OptionOwner = { kind: 'generic' } | { kind: 'match'; match: MatchUse } | { kind: 'target'; target: TargetUse };

export function locate(index: DocumentIndex, offset: number): CursorTarget | undefined {
  const entry = index.lineEntryAt(offset);
  if (!entry) return undefined;
  switch (entry.kind) {
    case 'header':
    case 'commit':
      return { kind: 'table', table: entry.table, span: entry.kind === 'header' ? entry.table.nameSpan : entry.table.commitSpan! };
    case 'declaration': {
      const chain = entry.chain;
      if (chain.nameSpan && contains(chain.nameSpan, offset)) return { kind: 'chain', table: entry.table, name: chain.name, span: tokenSpan(chain.nameSpan), entry };
      if (chain.policySpan && contains(chain.policySpan, offset)) return { kind: 'policy', table: entry.table, chain, span: tokenSpan(chain.policySpan) };
      // Anywhere else on the declaration line (the `:`, the counters) still means the chain.
      if (chain.nameSpan) return { kind: 'chain', table: entry.table, name: chain.name, span: tokenSpan(chain.nameSpan), entry };
      return undefined;
    }
    case 'command': {
      const token = entry.command.chain;
      if (token && contains(token, offset)) return { kind: 'chain', table: entry.table, name: token.text, span: tokenSpan(token), entry };
      return undefined;
    }
    case 'rule':
      return locateInRule(entry.table, entry.rule, offset, entry);
  }
}

function locateInRule(table: Table, rule: Rule, offset: number, entry: LineEntry): CursorTarget | undefined {
  if (contains(rule.chainToken, offset)) return { kind: 'chain', table, name: rule.chain, span: tokenSpan(rule.chainToken), rule, entry };
  if (contains(rule.commandToken, offset)) return { kind: 'rule', table, rule, span: tokenSpan(rule.commandToken) };
  const target = rule.target;
  if (target) {
    if (contains(target.token, offset) || contains(target.flagToken, offset)) {
      if (target.kind === 'chain') return { kind: 'chain', table, name: target.name, span: tokenSpan(target.token), rule, entry };
      return { kind: 'target', table, rule, target, span: tokenSpan(target.token) };
    }
    const hit = locateOptions(table, rule, target.options, { kind: 'target', target }, offset);
    if (hit) return hit;
  }
  const generic = locateOptions(table, rule, rule.genericOptions, { kind: 'generic' }, offset);
  if (generic) return generic;
  for (const match of rule.matches) {
    if ((match.flagToken && contains(match.flagToken, offset)) || (match.moduleToken && contains(match.moduleToken, offset))) {
      return { kind: 'match', table, rule, match, span: tokenSpan(match.moduleToken ?? match.span) };
    }
    const hit = locateOptions(table, rule, match.options, { kind: 'match', match }, offset);
    if (hit) return hit;
  }
  return undefined;
}

function locateOptions(table: Table, rule: Rule, options: OptionUse[], owner: OptionOwner, offset: number): CursorTarget | undefined {
  for (const option of options) {
    if (!contains(option.span, offset)) continue;
    for (let i = 0; i < option.args.length; i++) {
      const argument = option.args[i];
      if (contains(argument, offset)) return { kind: 'argument', table, rule, option, owner, argument, argIndex: i, span: tokenSpan(argument) };
    }
    return { kind: 'option', table, rule, option, owner, span: tokenSpan(option.written) };
  }
  return undefined;
}
