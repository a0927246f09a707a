// Outline (document symbols), workspace symbols and folding ranges. Pure: spans and line numbers.

import type { Span } from '../model';
import type { IdeDocument } from './ide-document';

export type SymbolKind = 'table' | 'chain' | 'rule';

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
}

/** Rules in the outline only below this many rules: beyond it the outline itself becomes the slow part. */
export const OUTLINE_RULES_LIMIT = 5000;

export function documentSymbols(doc: IdeDocument, options: OutlineOptions = { includeRules: doc.index.ruleCount <= OUTLINE_RULES_LIMIT }): OutlineSymbol[] {
  const result: OutlineSymbol[] = [];
  const text = doc.text;
  for (const table of doc.ruleset.tables) {
    const chains: OutlineSymbol[] = [];
    for (const chain of table.chains.values()) {
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
            detail: rule.target ? (rule.target.goto ? `goto ${rule.target.name}` : `→ ${rule.target.name}`) : '',
            kind: 'rule' as const,
            span: { start: rule.span.start, end: rule.span.end },
            selectionSpan: { start: rule.commandToken.start, end: rule.chainToken.end },
            children: [],
          }))
        : [];
      chains.push({
        name: chain.name,
        detail: parts.filter(Boolean).join(' · '),
        kind: 'chain',
        span: { start, end },
        selectionSpan: { start: anchor.start, end: anchor.end },
        children,
      });
    }
    result.push({
      name: table.name,
      detail: `${chains.length} chain${chains.length === 1 ? '' : 's'}`,
      kind: 'table',
      span: { start: table.span.start, end: Math.max(table.span.end, table.headerSpan.end) },
      selectionSpan: { start: table.nameSpan.start, end: table.nameSpan.end },
      children: chains,
    });
  }
  return result;
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

/** Chains of one document whose name contains the query (case-insensitive), for workspace symbols. */
export function chainSymbols(doc: IdeDocument, query: string, limit = 1000): ChainSymbol[] {
  const needle = query.toLowerCase();
  const result: ChainSymbol[] = [];
  for (const table of doc.ruleset.tables) {
    for (const chain of table.chains.values()) {
      const span = chain.nameSpan ?? chain.rules[0]?.chainToken;
      if (!span) continue;
      if (needle && !chain.name.toLowerCase().includes(needle)) continue;
      result.push({ name: chain.name, table: table.name, span: { start: span.start, end: span.end }, rules: chain.rules.length });
      if (result.length >= limit) return result;
    }
  }
  return result;
}

export interface FoldRange {
  /** 0-based, inclusive */
  startLine: number;
  endLine: number;
  kind: 'table' | 'chain-declarations' | 'chain-rules';
}

/** One fold per table block, per run of chain declarations, and per run of consecutive rules of one chain. */
export function foldingRanges(doc: IdeDocument): FoldRange[] {
  const index = doc.index;
  const ranges: FoldRange[] = [];
  for (const table of doc.ruleset.tables) {
    const first = index.lineOf(table.headerSpan.start);
    const last = index.lineOf(table.commitSpan?.start ?? table.span.end);
    if (last > first) ranges.push({ startLine: first, endLine: last, kind: 'table' });
  }
  // Runs of lines: `:` declarations, and rules of the same table+chain (comments/blank lines break runs).
  let runStart = -1;
  let runKey = '';
  let runEnd = -1;
  const flush = () => {
    if (runStart >= 0 && runEnd > runStart) ranges.push({ startLine: runStart, endLine: runEnd, kind: runKey === ':' ? 'chain-declarations' : 'chain-rules' });
    runStart = -1;
    runKey = '';
  };
  for (let line = 0; line < index.lineCount; line++) {
    const entry = index.lineEntry(line);
    const key = !entry ? '' : entry.kind === 'declaration' ? ':' : entry.kind === 'rule' ? `${entry.table.name}\u0000${entry.rule.chain}` : '';
    if (key === '' || key !== runKey) {
      flush();
      if (key !== '') {
        runStart = line;
        runKey = key;
        runEnd = line;
      }
    } else {
      runEnd = line;
    }
  }
  flush();
  ranges.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
  return ranges;
}
