// Per-document index for the IDE features, built once per parsed version (see ide/ide-document.ts).
// Everything a request needs is a map lookup or a binary search: on a 113k-rule dump a hover,
// definition or references must not scan the rules.
//
//   line → what is on it (rule, chain declaration, other command, table header, COMMIT)
//   (table, chain) → every occurrence of the chain's name (declaration, `-A X`, `-j X`, `-g X`, `-P X` …)

import type { Chain, CommandLine, Rule, Span, Table, Token } from '../model';
import type { ParsedRuleset } from '../parser';
import { lineOf as lineOfOffset } from '../positions';

export type ChainOccurrenceKind = 'declaration' | 'rule-chain' | 'jump' | 'goto' | 'command';

export interface ChainOccurrence {
  kind: ChainOccurrenceKind;
  /** the characters of the chain name */
  span: Span;
  line: number;
  /** the rule the occurrence belongs to (`rule-chain`, `jump`, `goto`) */
  rule?: Rule;
  command?: CommandLine;
}

export type LineEntry =
  | { kind: 'header'; table: Table }
  | { kind: 'commit'; table: Table }
  | { kind: 'declaration'; table: Table; chain: Chain }
  | { kind: 'rule'; table: Table; rule: Rule }
  | { kind: 'command'; table: Table; command: CommandLine };

export interface TableIndex {
  table: Table;
  /** chain name → occurrences in source order */
  occurrences: Map<string, ChainOccurrence[]>;
}

/** An index built a slice at a time: build() yields every BUILD_SLICE_RULES rules or so. */
export abstract class SlicedIndex {
  private building?: Generator<void, void>;

  /** Build a slice of the index; true when it is complete. */
  buildSome(): boolean {
    return !!(this.building ??= this.build()).next().done;
  }

  /** The whole index (builds what is left). */
  complete(): this {
    while (!this.buildSome());
    return this;
  }

  protected abstract build(): Generator<void, void>;

  /** For build(): every rule of the document, pausing every BUILD_SLICE_RULES rules. */
  protected *visitRules(index: DocumentIndex, visit: (table: Table, rule: Rule) => void): Generator<void, void> {
    let rules = 0;
    for (const { table } of index.tables) {
      for (const chain of table.chains.values()) {
        for (const rule of chain.rules) {
          visit(table, rule);
          if (++rules % BUILD_SLICE_RULES === 0) yield;
        }
      }
    }
  }
}

export class DocumentIndex extends SlicedIndex {
  readonly tables: TableIndex[] = [];
  /** indexed by 0-based line number; undefined for comments, empty lines and lines outside tables */
  readonly lines: Array<LineEntry | undefined>;
  ruleCount = 0;

  constructor(readonly ruleset: ParsedRuleset) {
    super();
    this.lines = new Array(ruleset.lineStarts.length);
  }

  protected *build(): Generator<void, void> {
    const ruleset = this.ruleset;
    let ruleCount = 0;
    for (const table of ruleset.tables) {
      const tableIndex: TableIndex = { table, occurrences: new Map() };
      this.tables.push(tableIndex);
      this.setLine(table.headerSpan.start, { kind: 'header', table });
      if (table.commitSpan) this.setLine(table.commitSpan.start, { kind: 'commit', table });
      for (const chain of table.chains.values()) {
        if (chain.declSpan && chain.nameSpan && this.text(chain.declSpan).startsWith(':')) {
          const line = this.lineOf(chain.declSpan.start);
          this.lines[line] = { kind: 'declaration', table, chain };
          this.add(tableIndex, chain.name, { kind: 'declaration', span: chain.nameSpan, line });
        }
        for (const rule of chain.rules) {
          if (++ruleCount % BUILD_SLICE_RULES === 0) yield;
          this.lines[rule.line] = { kind: 'rule', table, rule };
          this.add(tableIndex, rule.chain, { kind: 'rule-chain', span: tokenSpan(rule.chainToken), line: rule.line, rule });
          const target = rule.target;
          if (target && target.kind === 'chain') {
            this.add(tableIndex, target.name, { kind: target.goto ? 'goto' : 'jump', span: tokenSpan(target.token), line: rule.line, rule });
          }
        }
      }
    }
    this.ruleCount = ruleCount;
    // Other command lines (-N, -P, -F, -X, -D, -R, -Z): find their table by position (few tables).
    for (const command of ruleset.commands) {
      const tableIndex = this.tableIndexAt(command.span.start);
      if (!tableIndex) continue;
      const line = this.lineOf(command.span.start);
      this.lines[line] = { kind: 'command', table: tableIndex.table, command };
      if (command.chain) this.add(tableIndex, command.chain.text, { kind: command.command === 'new-chain' ? 'declaration' : 'command', span: tokenSpan(command.chain), line, command });
    }
    let sorted = 0;
    for (const tableIndex of this.tables) {
      for (const list of tableIndex.occurrences.values()) {
        if (list.length > 1) list.sort((a, b) => a.span.start - b.span.start);
        sorted += list.length;
        if (sorted >= BUILD_SLICE_RULES) {
          sorted = 0;
          yield;
        }
      }
    }
  }

  private text(span: Span): string {
    return this.ruleset.text.slice(span.start, Math.min(span.end, span.start + 1));
  }

  private setLine(offset: number, entry: LineEntry): void {
    this.lines[this.lineOf(offset)] = entry;
  }

  private add(tableIndex: TableIndex, chain: string, occurrence: ChainOccurrence): void {
    const list = tableIndex.occurrences.get(chain);
    if (list) list.push(occurrence);
    else tableIndex.occurrences.set(chain, [occurrence]);
  }

  /** 0-based line containing `offset` (binary search over lineStarts). */
  lineOf(offset: number): number {
    return lineOfOffset(this.ruleset.lineStarts, offset);
  }

  lineEntryAt(offset: number): LineEntry | undefined {
    return this.lines[this.lineOf(offset)];
  }

  /** The table block containing the offset, or the last table opened before it. */
  tableIndexAt(offset: number): TableIndex | undefined {
    let found: TableIndex | undefined;
    for (const tableIndex of this.tables) {
      if (tableIndex.table.headerSpan.start <= offset) {
        if (!found || tableIndex.table.headerSpan.start > found.table.headerSpan.start) found = tableIndex;
      }
    }
    return found;
  }

  tableIndexFor(table: Table): TableIndex | undefined {
    return this.tables.find((t) => t.table === table);
  }

  occurrencesOf(table: Table, chain: string): ChainOccurrence[] {
    return this.tableIndexFor(table)?.occurrences.get(chain) ?? [];
  }

  /** Rules whose target jumps (or goes) to the chain. */
  callersOf(table: Table, chain: string): Rule[] {
    const rules: Rule[] = [];
    for (const occurrence of this.occurrencesOf(table, chain)) if ((occurrence.kind === 'jump' || occurrence.kind === 'goto') && occurrence.rule) rules.push(occurrence.rule);
    return rules;
  }
}

/** Rules indexed per step when an index is built a little at a time (1–3 ms of work: a step must stay well inside slicing.ts's 10 ms slice). */
export const BUILD_SLICE_RULES = 150;

export function tokenSpan(token: Token | Span): Span {
  return { start: token.start, end: token.end };
}

export function contains(span: Span, offset: number): boolean {
  return offset >= span.start && offset <= span.end;
}
