// Outline (document symbols), workspace symbols and folding ranges. Pure: spans and line numbers.

import { elideMiddle } from '../elide';
import type { Chain, Span } from '../model';
import { chainMatchRank } from './completion';
import { ruleCountOf } from '../parser';
import { KUBE_CHAIN_PREFIXES, type KubeChainKind } from '../kube/hash';
import type { IdeDocument } from './ide-document';
import { DECLARATION_LINE, NOT_FOLDED } from './document-index';
import { runToEnd, type Steps } from '../steps';

/** `more`: stands for the chains an outline leaves out (see OUTLINE_CHAINS_LIMIT). */
export type SymbolKind = 'table' | 'chain' | 'rule' | 'more';

export interface OutlineSymbol {
  name: string;
  detail: string;
  kind: SymbolKind;
  /** the whole element (table block, chain declaration through its last rule, rule line) */
  span: Span;
  /** what to reveal/select (table name, chain name, `-A`) */
  selectionSpan: Span;
  children: OutlineSymbol[];
}

export interface OutlineOptions {
  /** include one symbol per rule under its chain (off for huge documents) */
  includeRules: boolean;
  /** chains listed at most (default OUTLINE_CHAINS_LIMIT) */
  maxChains?: number;
}

/** Rules in the outline only below this many rules: beyond it the outline itself becomes the slow part. */
export const OUTLINE_RULES_LIMIT = 5000;

/**
 * Chains in the outline at most. A chain's symbol is ≈ 240 bytes of JSON: the 40,981 chains of a
 * 10k-service dump made a 10 MiB answer that held the server for 250–350 ms, every time the editor
 * asked (on open, after edits, for breadcrumbs). Beyond the limit the outline keeps the built-in
 * and unhashed chains, then hashed kube chains in file order, and says in one entry per table how
 * many it left out; Go to Symbol in Workspace (chainSymbols) searches every chain. At 5,000 the
 * answer was 1.1 MiB and the request 29–45 ms, the longest the editor sends by itself (its target
 * is 50 ms); at 2,500 every part of it takes half as long (computing, converting, writing, reading).
 */
export const OUTLINE_CHAINS_LIMIT = 2500;

export function documentSymbols(doc: IdeDocument, options: OutlineOptions = { includeRules: doc.index.ruleCount <= OUTLINE_RULES_LIMIT }): OutlineSymbol[] {
  return runToEnd(documentSymbolSteps(doc, options));
}

/** Chains looked at between two pauses of documentSymbolSteps (a few milliseconds). */
const OUTLINE_STEP_CHAINS = 2000;

/**
 * documentSymbols, pausing every OUTLINE_STEP_CHAINS chains: a language server runs it in slices
 * (the first outline of a 10k-service dump: 41k chains looked at, 5,000 listed, 10–25 ms).
 */
export function* documentSymbolSteps(doc: IdeDocument, options: OutlineOptions = { includeRules: doc.index.ruleCount <= OUTLINE_RULES_LIMIT }): Steps<OutlineSymbol[]> {
  const result: OutlineSymbol[] = [];
  let looked = 0;
  const text = doc.text;
  const budget = listingBudget(doc, options.maxChains ?? OUTLINE_CHAINS_LIMIT);
  let ordinal = 0; // the chain's place in the walk tables → chains, as the index numbers chains
  for (const table of doc.ruleset.tables) {
    const chains: OutlineSymbol[] = [];
    const omitted = new Map<string, number>();
    let omittedCount = 0;
    for (const chain of table.chains.values()) {
      if (++looked % OUTLINE_STEP_CHAINS === 0) yield;
      if (budget) {
        // The same walk as listingBudget's: each kind's budget is spent on its first chains.
        const kind = doc.index.kubeKindOfChain(ordinal++);
        const left = kind ? budget.hashed-- : budget.unhashed--;
        if (left <= 0) {
          if (!chain.nameSpan && !chain.rules.length) continue; // (not in the file: not counted either)
          const label = kind ?? 'other';
          omitted.set(label, (omitted.get(label) ?? 0) + 1);
          omittedCount++;
          continue;
        }
      }
      const anchor = chain.nameSpan ?? chain.rules[0]?.chainToken;
      if (!anchor) continue; // built-in chain never written in the file
      let start = chain.declSpan?.start ?? anchor.start;
      let end = chain.declSpan?.end ?? anchor.end;
      for (const rule of chain.rules) {
        if (rule.span.start < start) start = rule.span.start;
        if (rule.span.end > end) end = rule.span.end;
      }
      const count = chain.rules.length;
      const parts = [chain.builtin ? `policy ${chain.policy ?? 'ACCEPT'}` : undefined, `${count} rule${count === 1 ? '' : 's'}`];
      const children: OutlineSymbol[] = options.includeRules
        ? chain.rules.map((rule) => ({
            name: `#${rule.position} ${ruleSummary(text, rule.span, rule.chainToken.end)}`,
            detail: rule.target ? (rule.target.goto ? `goto ${shownName(rule.target.name)}` : `→ ${shownName(rule.target.name)}`) : '',
            kind: 'rule' as const,
            span: { start: rule.span.start, end: rule.span.end },
            selectionSpan: { start: rule.commandToken.start, end: rule.chainToken.end },
            children: [],
          }))
        : [];
      chains.push({
        name: shownName(chain.name),
        detail: parts.filter(Boolean).join(' · '),
        kind: 'chain',
        span: { start, end },
        selectionSpan: { start: anchor.start, end: anchor.end },
        children,
      });
    }
    if (omittedCount > 0) {
      // On the table's header line, so the outline shows it at the top of the table.
      const kinds = [...omitted].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${thousands(n)} ${kind === 'other' ? kind : KUBE_CHAIN_PREFIXES[kind as KubeChainKind] + '*'}`);
      chains.unshift({
        name: `… ${thousands(omittedCount)} more chain${omittedCount === 1 ? '' : 's'} not listed (${kinds.join(', ')})`,
        detail: 'Go to Symbol in Workspace (Ctrl+T / Cmd+T) searches every chain',
        kind: 'more',
        span: { start: table.nameSpan.start, end: table.nameSpan.end },
        selectionSpan: { start: table.nameSpan.start, end: table.nameSpan.end },
        children: [],
      });
    }
    const total = chains.length - (omittedCount > 0 ? 1 : 0) + omittedCount;
    result.push({
      name: table.name,
      detail: `${thousands(total)} chain${total === 1 ? '' : 's'}`,
      kind: 'table',
      span: { start: table.span.start, end: Math.max(table.span.end, table.headerSpan.end) },
      selectionSpan: { start: table.nameSpan.start, end: table.nameSpan.end },
      children: chains,
    });
  }
  return result;
}

/**
 * How many unhashed and hashed kube chains an outline lists when the document has more than `limit`
 * chains (undefined: all of them): the built-in and unhashed chains first (the ones a reader
 * navigates by), then hashed kube chains in file order.
 */
function listingBudget(doc: IdeDocument, limit: number): { unhashed: number; hashed: number } | undefined {
  let total = 0;
  for (const table of doc.ruleset.tables) total += table.chains.size;
  if (total <= limit) return undefined;
  return { unhashed: limit, hashed: Math.max(0, limit - doc.index.unhashedChainCount) };
}

/** 40981 → "40,981", without Intl (toLocaleString showed in the outline's profile). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

function ruleSummary(text: string, span: Span, after: number): string {
  const body = text.slice(after, Math.min(span.end, after + 120)).trim();
  return body.length >= 119 ? body.slice(0, 117) + '…' : body || '(no criteria)';
}

export interface ChainSymbol {
  name: string;
  table: string;
  span: Span;
  /** rule count, for the container label */
  rules: number;
}

/**
 * Chains of one document that fit the query, for workspace symbols (Go to Symbol in Workspace): the
 * editor's own filter (prefix, prefix ignoring case, substring, letters in order — chainMatchRank),
 * best fits first and in file order among equals, at most `limit`.
 */
export function chainSymbols(doc: IdeDocument, query: string, limit = 1000): ChainSymbol[] {
  return runToEnd(chainSymbolSteps(doc, query, limit));
}

/** chainSymbols, pausing every OUTLINE_STEP_CHAINS chains (a language server runs it in slices). */
export function* chainSymbolSteps(doc: IdeDocument, query: string, limit = 1000): Steps<ChainSymbol[]> {
  const byRank: Array<Array<{ chain: Chain; table: string; span: Span }>> = [[], [], [], []];
  let looked = 0;
  walk: for (const table of doc.ruleset.tables) {
    for (const chain of table.chains.values()) {
      if (++looked % OUTLINE_STEP_CHAINS === 0) yield;
      const span = chain.nameSpan ?? chain.rules[0]?.chainToken;
      if (!span) continue;
      const rank = query ? chainMatchRank(chain.name, query) : 0;
      if (rank < 0) continue;
      byRank[rank].push({ chain, table: table.name, span: { start: span.start, end: span.end } });
      if (byRank[0].length >= limit) break walk; // (nothing can come before these)
    }
  }
  return byRank
    .flat()
    .slice(0, limit)
    .map(({ chain, table, span }) => ({ name: shownName(chain.name), table, span, rules: ruleCountOf(chain) }));
}

export interface FoldRange {
  /** 0-based, inclusive */
  startLine: number;
  endLine: number;
  kind: 'table' | 'chain-declarations' | 'chain-rules';
}

/** One fold per table block, per run of chain declarations, and per run of consecutive rules of one chain. */
export function foldingRanges(doc: IdeDocument): FoldRange[] {
  return runToEnd(foldingRangeSteps(doc));
}

/**
 * At most `limit` of the ranges (the client's hint: VS Code keeps 5,000 by default,
 * `editor.foldingMaximumRegions`, and drops the rest itself): those that hide the most lines, in
 * line order; the first of equally long ones. A 10k-service dump has 40k ranges, most of them a
 * two-rule KUBE-SEP chain, which hide one line each; its 41k-line declarations and 10k-line
 * KUBE-SERVICES are the ones worth folding. Counted, not sorted.
 */
export function mostUsefulFoldingRanges(ranges: FoldRange[], limit: number): FoldRange[] {
  if (ranges.length <= limit) return ranges;
  if (limit <= 0) return [];
  // How many ranges hide each number of lines; then the shortest length that is kept.
  let longest = 0;
  for (const range of ranges) longest = Math.max(longest, range.endLine - range.startLine);
  const counts = new Int32Array(longest + 1);
  for (const range of ranges) counts[range.endLine - range.startLine]++;
  let shortestKept = longest;
  let longer = 0;
  while (longer + counts[shortestKept] < limit) longer += counts[shortestKept--];
  let ofShortest = limit - longer;
  return ranges.filter((range) => {
    const length = range.endLine - range.startLine;
    return length > shortestKept || (length === shortestKept && ofShortest-- > 0);
  });
}

/** Lines read between two pauses of foldingRangeSteps (≈ 1 ms warm). */
const FOLD_LINES_PER_STEP = 10_000;

/** foldingRanges() in steps: the language server answers other requests between them. */
export function* foldingRangeSteps(doc: IdeDocument): Steps<FoldRange[]> {
  const index = doc.index;
  const tables: FoldRange[] = [];
  for (const table of doc.ruleset.tables) {
    const first = index.lineOf(table.headerSpan.start);
    const last = index.lineOf(table.commitSpan?.start ?? table.span.end);
    if (last > first) tables.push({ startLine: first, endLine: last, kind: 'table' });
  }
  tables.sort((a, b) => a.startLine - b.startLine);
  // Ranges come out sorted (by first line, the enclosing one first) as the lines are walked: no
  // sort of the 40k ranges of a 10k-service dump (a 70 ms block right after opening).
  const ranges: FoldRange[] = [];
  let nextTable = 0;
  // Runs of lines: `:` declarations, and rules of the same chain (comments/blank lines break runs).
  let runStart = -1;
  let runKey = NOT_FOLDED;
  for (let line = 0; line <= index.lineCount; line++) {
    if (line % FOLD_LINES_PER_STEP === FOLD_LINES_PER_STEP - 1) yield;
    const key = line < index.lineCount ? index.foldKeyOfLine(line) : NOT_FOLDED;
    if (key === runKey) continue;
    if (runKey !== NOT_FOLDED && line - 1 > runStart) ranges.push({ startLine: runStart, endLine: line - 1, kind: runKey === DECLARATION_LINE ? 'chain-declarations' : 'chain-rules' });
    // (a table's range starts on its header line, where no run starts: it comes before the runs after it)
    while (nextTable < tables.length && tables[nextTable].startLine <= line) ranges.push(tables[nextTable++]);
    runStart = line;
    runKey = key;
  }
  ranges.push(...tables.slice(nextTable));
  return ranges;
}

/** A chain's name as the outline shows it: one iptables would refuse for its length (a pasted blob) by its ends. */
function shownName(name: string): string {
  return elideMiddle(name, 100, 40, 10, true);
}
