// Completion from the text before the cursor on its line (the model of a line being typed is
// usually broken, so the line is re-tokenized here) plus the table the line is in.

import { allMatches, allTargets, findMatch, findTarget } from '../extensions/registry';
import type { OptionSpec } from '../extensions/types';
import { BUILTIN_CHAINS, type Chain, type Span, type Table } from '../model';
import { tokenizeLine } from '../tokenizer';
import { ruleCountOf } from '../parser';
import type { IdeDocument } from './ide-document';
import { BUILTIN_CHAIN_ROLES, TABLE_ROLES, knownChain } from './known-chains';
import { kubeChainRole } from '../kube/chains';
import { GENERIC_OPTION_DOCS, describeValue } from './option-docs';

export type CompletionKind = 'chain' | 'builtin-chain' | 'target' | 'match' | 'option' | 'value' | 'table' | 'command';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  detail?: string;
  /** Markdown */
  documentation?: string;
  /** the text the entry replaces (the partial word before/under the cursor) */
  replace: Span;
  /** text to insert when different from the label */
  insertText?: string;
  sortText?: string;
}

const COMMANDS: Array<[string, string]> = [
  ['-A', 'Append a rule to a chain'],
  ['-I', 'Insert a rule at a position (default 1)'],
  ['-N', 'Create a user chain'],
  ['-P', 'Set the policy of a built-in chain'],
  ['-F', 'Flush (delete all rules of) a chain or the table'],
  ['-X', 'Delete an empty user chain'],
  ['-D', 'Delete a rule by number or specification'],
  ['-R', 'Replace a rule by number'],
  ['-Z', 'Zero the counters'],
];

const GENERIC_FLAGS: Array<[string, string]> = [
  ['-p', 'protocol'], ['-s', 'source'], ['-d', 'destination'], ['-i', 'in-interface'], ['-o', 'out-interface'],
  ['-f', 'fragment'], ['-m', 'match'], ['-j', 'jump'], ['-g', 'goto'],
];

/**
 * At most this many chains are offered at once: a kube dump has 40,000 chains, and offering them all
 * made every keystroke after `-j ` a 17 MB answer. With more matches the list is marked incomplete
 * and the editor asks again as the user types (the typed word narrows the chains).
 */
export const MAX_CHAIN_COMPLETIONS = 200;

export interface CompletionList {
  entries: CompletionEntry[];
  /** some chains matching the typed word were left out (MAX_CHAIN_COMPLETIONS): ask again when it changes */
  incomplete: boolean;
}

export function complete(doc: IdeDocument, offset: number): CompletionList {
  const chainsLeftOut = { count: 0 };
  const entries = completeEntries(doc, offset, chainsLeftOut);
  return { entries, incomplete: chainsLeftOut.count > 0 };
}

function completeEntries(doc: IdeDocument, offset: number, chainsLeftOut: { count: number }): CompletionEntry[] {
  const text = doc.text;
  const index = doc.index;
  const line = index.lineOf(offset);
  const lineStart = doc.ruleset.lineStarts[line] ?? 0;
  const before = text.slice(lineStart, offset);
  const tableIndex = index.tableIndexAt(offset);
  const table = tableIndex?.table;
  // The word being typed (possibly empty) and the tokens before it.
  const wordStart = lineStart + Math.max(before.lastIndexOf(' '), before.lastIndexOf('\t')) + 1;
  const word = text.slice(wordStart, offset);
  const replace = { start: wordStart, end: offset };
  const previous = tokenizeLine(text, lineStart, wordStart).tokens.map((t) => t.text);

  if (before.startsWith('*') && previous.length === 0) {
    return Object.keys(TABLE_ROLES).map((name) => ({ label: name, kind: 'table' as const, documentation: TABLE_ROLES[name], replace: { start: lineStart + 1, end: offset } }));
  }
  if (!table) return [];
  if (before.startsWith(':') && previous.length === 0) {
    const builtins = BUILTIN_CHAINS[table.name as keyof typeof BUILTIN_CHAINS] ?? [];
    return builtins.map((name) => ({
      label: name,
      kind: 'builtin-chain' as const,
      detail: `built-in chain of ${table.name}`,
      documentation: BUILTIN_CHAIN_ROLES[name],
      insertText: `${name} ACCEPT [0:0]`,
      replace: { start: lineStart + 1, end: offset },
    }));
  }
  if (previous.length === 0 || (previous.length === 1 && previous[0].startsWith('['))) {
    return COMMANDS.map(([label, doc]) => ({ label, kind: 'command' as const, documentation: doc, replace }));
  }
  const last = previous[previous.length - 1];
  const family = doc.ruleset.family;

  // Chain name after a command.
  if (previous.length === 1 || (previous.length === 2 && previous[0].startsWith('['))) {
    if (/^-(A|I|D|R|F|Z|X|N)$|^--(append|insert|delete|replace|flush|zero|delete-chain|new-chain)$/.test(last)) {
      return last === '-N' || last === '--new-chain' ? [] : chainEntries(table, word, replace, 'all', chainsLeftOut);
    }
    if (last === '-P' || last === '--policy') return chainEntries(table, word, replace, 'builtin', chainsLeftOut);
  }
  if (previous.length >= 2 && (previous[previous.length - 2] === '-P' || previous[previous.length - 2] === '--policy')) {
    return ['ACCEPT', 'DROP'].map((label) => ({ label, kind: 'value' as const, replace }));
  }
  if (last === '-j' || last === '--jump' || last === '-g' || last === '--goto') {
    const chains = chainEntries(table, word, replace, 'user', chainsLeftOut);
    if (last === '-g' || last === '--goto') return chains;
    const targets = allTargets()
      .filter((t) => !t.families || t.families.includes(family))
      .filter((t) => !t.tables || t.tables.includes(table.name))
      .map((t) => ({
        label: t.name,
        kind: 'target' as const,
        detail: t.terminating ? 'terminating target' : 'non-terminating target',
        documentation: t.doc + (t.tables ? `\n\nTables: ${t.tables.join(', ')}` : '') + (t.hooks ? `\n\nChains: ${t.hooks.join(', ')}` : ''),
        replace,
        sortText: '1' + t.name,
      }));
    return [...chains, ...dedupe(targets)];
  }
  if (last === '-m' || last === '--match') {
    return dedupe(
      allMatches()
        .filter((m) => !m.families || m.families.includes(family))
        .map((m) => ({ label: m.name, kind: 'match' as const, documentation: m.doc + (m.tables ? `\n\nTables: ${m.tables.join(', ')}` : '') + (m.hooks ? `\n\nChains: ${m.hooks.join(', ')}` : ''), replace })),
    );
  }
  // A value for the previous option (enums, flags, protocol).
  if (last.startsWith('-') && !word.startsWith('-')) {
    const spec = optionSpecBefore(previous, last, family);
    if (spec?.values?.length) {
      const comma = word.lastIndexOf(',');
      const list = spec.value === 'enum-list' || spec.value === 'flags';
      const valueReplace = list && comma >= 0 ? { start: wordStart + comma + 1, end: offset } : replace;
      return spec.values.map((v) => ({ label: v, kind: 'value' as const, documentation: spec.doc, replace: valueReplace }));
    }
    if (spec && spec.value !== 'none') return [];
  }
  // Options: the generic ones plus those of the matches and target loaded so far.
  if (word === '' || word.startsWith('-')) return optionEntries(previous, family, replace);
  return [];
}

function dedupe<T extends { label: string }>(entries: T[]): T[] {
  const seen = new Set<string>();
  return entries.filter((e) => (seen.has(e.label) ? false : (seen.add(e.label), true)));
}

/**
 * How well chain `name` fits the typed `word`: 0 starts with it, 1 starts with it ignoring case,
 * 2 contains it (ignoring case), 3 has its characters in order (as the editor's fuzzy filter), -1 none.
 */
export function chainMatchRank(name: string, word: string): number {
  if (name.startsWith(word)) return 0;
  const lowerName = name.toLowerCase();
  const lowerWord = word.toLowerCase();
  if (lowerName.startsWith(lowerWord)) return 1;
  if (lowerName.includes(lowerWord)) return 2;
  let at = 0;
  for (let k = 0; k < lowerWord.length; k++) {
    at = lowerName.indexOf(lowerWord[k], at) + 1;
    if (at === 0) return -1;
  }
  return 3;
}

/**
 * The table's chains (user, built-in or all). Beyond MAX_CHAIN_COMPLETIONS of them: those that fit
 * the typed word, best fits first and in file order among equals, at most MAX_CHAIN_COMPLETIONS (the
 * number left out is added to `leftOut`). Only the chains offered are documented.
 */
function chainEntries(table: Table, word: string, replace: Span, which: 'all' | 'user' | 'builtin', leftOut: { count: number }): CompletionEntry[] {
  const candidates: Chain[] = [];
  for (const chain of table.chains.values()) {
    if ((which === 'user' && chain.builtin) || (which === 'builtin' && !chain.builtin)) continue;
    if (chain.name.length > 28) continue; // (iptables refuses such a name: not a target to offer)
    candidates.push(chain);
  }
  // Few enough: all of them, and the editor filters as the user types.
  let offered = candidates;
  if (candidates.length > MAX_CHAIN_COMPLETIONS) {
    const byRank: Chain[][] = [[], [], [], []];
    for (const chain of candidates) {
      const rank = chainMatchRank(chain.name, word);
      if (rank >= 0) byRank[rank].push(chain);
    }
    offered = byRank.flat();
  }
  leftOut.count += Math.max(0, offered.length - MAX_CHAIN_COMPLETIONS);
  return offered.slice(0, MAX_CHAIN_COMPLETIONS).map((chain) => ({
    label: chain.name,
    kind: chain.builtin ? 'builtin-chain' : 'chain',
    detail: chain.builtin ? `built-in chain · policy ${chain.policy ?? 'ACCEPT'}` : `user chain · ${ruleCountOf(chain)} rules`,
    documentation: chain.builtin ? BUILTIN_CHAIN_ROLES[chain.name] : kubeChainRole(chain.name, table.name)?.role ?? knownChain(chain.name)?.role ?? `User chain with ${ruleCountOf(chain)} rules.`,
    replace,
    sortText: '0' + chain.name,
  }));
}

/** Modules loaded by the tokens so far: `-m X` and the implicit protocol match of `-p tcp`. */
function loadedModules(previous: string[]): { matches: string[]; target?: string } {
  const matches: string[] = [];
  let target: string | undefined;
  for (let i = 0; i < previous.length - 1; i++) {
    const t = previous[i];
    if (t === '-m' || t === '--match') matches.push(previous[i + 1]);
    else if (t === '-p' || t === '--protocol') {
      const proto = previous[i + 1].toLowerCase();
      const implicit = proto === 'ipv6-icmp' || proto === 'icmpv6' ? 'icmp6' : proto;
      if (!matches.includes(implicit)) matches.push(implicit);
    } else if (t === '-j' || t === '--jump') target = previous[i + 1];
  }
  return { matches, target };
}

function optionSpecBefore(previous: string[], last: string, family: IdeDocument['ruleset']['family']): OptionSpec | undefined {
  const name = last.replace(/^--?/, '');
  const genericName = GENERIC_FLAGS.find(([flag]) => flag === last)?.[1] ?? (GENERIC_OPTION_DOCS[name] ? name : undefined);
  if (genericName) {
    const g = GENERIC_OPTION_DOCS[genericName];
    return g ? { name: genericName, arity: 1, negatable: g.negatable, value: g.value, values: g.values, doc: g.doc } : undefined;
  }
  if (!last.startsWith('--')) return undefined;
  const loaded = loadedModules(previous.slice(0, -1).concat(['']));
  if (loaded.target) {
    const option = findTarget(loaded.target, family)?.options.find((o) => o.name === name || o.aliases?.includes(name));
    if (option) return option;
  }
  for (const module of [...loaded.matches].reverse()) {
    const option = findMatch(module, family)?.options.find((o) => o.name === name || o.aliases?.includes(name));
    if (option) return option;
  }
  return undefined;
}

function optionEntries(previous: string[], family: IdeDocument['ruleset']['family'], replace: Span): CompletionEntry[] {
  const entries: CompletionEntry[] = [];
  const loaded = loadedModules(previous.concat(['']));
  if (loaded.target) {
    const spec = findTarget(loaded.target, family);
    for (const option of spec?.options ?? []) entries.push(optionEntry(option, `${spec!.name} target`, replace, '0'));
  }
  for (const module of [...loaded.matches].reverse()) {
    const spec = findMatch(module, family);
    for (const option of spec?.options ?? []) entries.push(optionEntry(option, `${spec!.name} match`, replace, '1'));
  }
  for (const [flag, name] of GENERIC_FLAGS) {
    const g = GENERIC_OPTION_DOCS[name];
    entries.push({ label: flag, kind: 'option', detail: g.flags, documentation: g.doc, replace, sortText: '2' + flag });
  }
  return dedupe(entries);
}

function optionEntry(option: OptionSpec, owner: string, replace: Span, rank: string): CompletionEntry {
  const value = option.value !== 'none' ? `\n\nValue: ${describeValue(option)}` : '';
  return {
    label: `--${option.name}`,
    kind: 'option',
    detail: `${owner}${option.required ? ' (required)' : ''}`,
    documentation: `${option.doc}${value}${option.negatable ? '\n\nNegatable with `!`.' : ''}`,
    replace,
    sortText: rank + option.name,
  };
}
