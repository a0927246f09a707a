// Per-document index for the IDE features, built once per parsed version (see ide/ide-document.ts).
// Everything a request needs is a map lookup or a binary search: on a 113k-rule dump a hover,
// definition or references must not scan the rules.
//
//   line → what is on it (rule, chain declaration, other command, table header, COMMIT)
//   (table, chain) → every occurrence of the chain's name (declaration, `-A X`, `-j X`, `-g X`, `-P X` …)
//
// Both are numbers only (IndexLayout: typed arrays of ordinals), turned into objects when a request
// reads them: 40 MB of small objects at 113k rules became ~4 MB. A version re-read from the previous
// one after an edit inside one rule line (parser.ts lineEditOf) has the same lines, chains and jumps,
// so it shares the previous version's layout and only lists its own rules and chains.

import type { Chain, CommandLine, Rule, Span, Table, TargetUse, Token } from '../model';
import { chainFirstRow, chainRows, lineEditOf, rowTargetName, rowTemplate, templateTarget, type ParsedRuleset } from '../parser';
import { lineOf as lineOfOffset } from '../positions';
import { OffsetTarget } from '../rule-model';
import { runToEnd, type Steps } from '../steps';
import { KUBE_CHAIN_KINDS, kubeChainKind, type KubeChainKind } from '../kube/hash';

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
}

/** An index built a slice at a time: build() yields every BUILD_SLICE_RULES rules or so. */
export abstract class SlicedIndex {
  private building?: Generator<void, void>;
  private done = false;

  /** Build a slice of the index; true when it is complete. */
  buildSome(): boolean {
    if (this.done) return true;
    this.done = !!(this.building ??= this.build()).next().done;
    // A finished generator keeps its last locals (here: the previous version's ruleset) alive.
    if (this.done) this.building = undefined;
    return this.done;
  }

  get isComplete(): boolean {
    return this.done;
  }

  /** The whole index (builds what is left). */
  complete(): this {
    while (!this.buildSome());
    return this;
  }

  protected abstract build(): Generator<void, void>;

  /** For build(): every rule of the document in ordinal order, pausing every BUILD_SLICE_RULES rules. */
  protected *visitRules(index: DocumentIndex, visit: (rule: Rule, ordinal: number) => void): Generator<void, void> {
    for (let ordinal = 0; ordinal < index.ruleCount; ordinal++) {
      visit(index.ruleByOrdinal(ordinal)!, ordinal);
      if ((ordinal + 1) % BUILD_SLICE_RULES === 0) yield;
    }
  }
}

// What a line holds (IndexLayout.lineKinds).
const LINE_NONE = 0;
const LINE_HEADER = 1;
const LINE_COMMIT = 2;
const LINE_DECLARATION = 3;
const LINE_RULE = 4;
const LINE_COMMAND = 5;

// An occurrence is `ordinal * OCCURRENCE_KINDS + kind`: the ordinal of the chain (declaration), the
// rule (rule-chain, jump, goto) or the command line (command, -N declaration) it belongs to.
const OCC_DECLARATION = 0;
const OCC_RULE_CHAIN = 1;
const OCC_JUMP = 2;
const OCC_GOTO = 3;
const OCC_COMMAND = 4;
const OCC_NEW_CHAIN = 5;
const OCCURRENCE_KINDS = 8;

/** foldKeyOfLine: a `:chain` declaration line / a line in no run. */
export const DECLARATION_LINE = -2;
export const NOT_FOLDED = -1;

/**
 * The numbers of an index: what two versions with the same lines, chains and jumps have in common.
 * Rules, chains and commands are referred to by ordinal: their position in the walk tables → chains
 * → rules (chains: over all tables), commands: in ruleset.commands.
 */
interface IndexLayout {
  /** per line: LINE_* */
  lineKinds: Uint8Array;
  /** per line: the table's position in ruleset.tables */
  lineTables: Uint16Array;
  /** per line: ordinal of the rule / chain / command on it */
  lineRefs: Int32Array;
  /** per table: chain name → its id in that table's occurrence lists */
  chainIds: Array<Map<string, number>>;
  /** per table: chain id k's occurrences are occurrences[t][firsts[t][k] … firsts[t][k + 1]), in source order */
  firsts: Int32Array[];
  occurrences: Int32Array[];
  /** per chain ordinal: the ordinal of its first rule (its rules are consecutive); one more entry at the end */
  chainFirstRules: Int32Array;
  /** per rule ordinal: the ordinal of its chain */
  ruleChains: Int32Array;
  ruleCount: number;
  chainCount: number;
  /** per chain ordinal: 0 for a chain that is not a hashed kube chain, else 1 + its kind's place in KUBE_CHAIN_KINDS */
  chainKubeKinds: Uint8Array;
  unhashedChainCount: number;
}

export class DocumentIndex extends SlicedIndex {
  readonly tables: TableIndex[] = [];
  ruleCount = 0;
  #layout?: IndexLayout;
  /** ordinal → chain (see IndexLayout); a rule is read from its chain (ruleAt) */
  private readonly chains: Chain[] = [];

  constructor(
    readonly ruleset: ParsedRuleset,
    /** the index of the version `ruleset` was re-read from: its layout may be shared (dropped once built) */
    private previous?: DocumentIndex,
  ) {
    super();
  }

  /** Lines of the document. */
  get lineCount(): number {
    return this.ruleset.lineStarts.length;
  }

  protected *build(): Generator<void, void> {
    const ruleset = this.ruleset;
    for (const table of ruleset.tables) this.tables.push({ table });
    const previous = this.previous ? this.previous.#layout : undefined;
    const edit = lineEditOf(ruleset);
    const from = this.previous?.ruleset;
    this.previous = undefined;
    if (previous && edit && edit.previous.deref() === from) {
      // Same lines, chains and jumps: list this version's own chains in the same walk; its rules are
      // found through them when read (ruleAt), so no chain's rules are made before a request needs them.
      for (const table of ruleset.tables) {
        for (const chain of table.chains.values()) {
          this.chains.push(chain);
          if (this.chains.length % REBASE_SLICE_CHAINS === 0) yield;
        }
      }
      if (this.chains.length === previous.chainCount) {
        this.#layout = previous;
        this.ruleCount = previous.ruleCount;
        return;
      }
      this.chains.length = 0; // (cannot happen for a re-read; build it whole rather than trust it)
    }
    yield* this.buildLayout();
  }

  private *buildLayout(): Generator<void, void> {
    const ruleset = this.ruleset;
    const lineCount = ruleset.lineStarts.length;
    const lineKinds = new Uint8Array(lineCount);
    const lineTables = new Uint16Array(lineCount);
    const lineRefs = new Int32Array(lineCount);
    /** per table: how many chain names its lines can hold at most (a rule: its own chain and a jump) */
    const nameBounds = new Int32Array(ruleset.tables.length);
    const setLine = (line: number, kind: number, table: number, ref: number) => {
      lineKinds[line] = kind;
      lineTables[line] = table;
      lineRefs[line] = ref;
      nameBounds[table] += 2;
    };
    // 1. What each line holds.
    let steps = 0;
    // Typed arrays of their final size (a rule per line at most): 113k pushes at 10k services were a
    // tenth of the build.
    let chainTotal = 0;
    for (const table of ruleset.tables) chainTotal += table.chains.size;
    const chainFirstRules = new Int32Array(chainTotal + 1);
    const ruleChains = new Int32Array(lineCount);
    const chainKubeKinds = new Uint8Array(chainTotal);
    /** per rule ordinal: its row in its table's chainRows(), -1 when it is read as an object (no rule objects made here for a checked parse) */
    const ruleRows = new Int32Array(lineCount);
    let ruleCount = 0;
    let unhashedChainCount = 0;
    /** per table: the ordinal of its first chain (a chain's place in table.chains is its ordinal minus this) */
    const tableFirstChains: number[] = [];
    for (const [t, table] of ruleset.tables.entries()) {
      tableFirstChains.push(this.chains.length);
      setLine(this.lineOf(table.headerSpan.start), LINE_HEADER, t, 0);
      if (table.commitSpan) setLine(this.lineOf(table.commitSpan.start), LINE_COMMIT, t, 0);
      for (const chain of table.chains.values()) {
        const chainOrdinal = this.chains.push(chain) - 1;
        chainFirstRules[chainOrdinal] = ruleCount;
        const kind = kubeChainKind(chain.name);
        chainKubeKinds[chainOrdinal] = kind ? KUBE_CHAIN_KINDS.indexOf(kind) + 1 : 0;
        if (!kind) unhashedChainCount++;
        if (chain.declSpan && chain.nameSpan && ruleset.text.charCodeAt(chain.declSpan.start) === 58 /* : */) {
          setLine(this.lineOf(chain.declSpan.start), LINE_DECLARATION, t, chainOrdinal);
        }
        const rows = chainRows(chain);
        if (rows) {
          for (let row = chainFirstRow(chain); row >= 0; row = rows.nexts[row]) {
            if (++steps % BUILD_SLICE_RULES === 0) yield;
            ruleChains[ruleCount] = chainOrdinal;
            ruleRows[ruleCount] = row;
            setLine(rows.lines[row], LINE_RULE, t, ruleCount++);
          }
          continue;
        }
        for (const rule of chain.rules) {
          if (++steps % BUILD_SLICE_RULES === 0) yield;
          ruleChains[ruleCount] = chainOrdinal;
          ruleRows[ruleCount] = -1;
          setLine(rule.line, LINE_RULE, t, ruleCount++);
        }
      }
    }
    this.ruleCount = ruleCount;
    chainFirstRules[chainTotal] = ruleCount;
    tableFirstChains.push(this.chains.length);
    const layoutSoFar = { ruleChains, chainFirstRules };
    // Other command lines (-N, -P, -F, -X, -D, -R, -Z): find their table by position (few tables).
    for (const [c, command] of ruleset.commands.entries()) {
      const t = this.tableAt(command.span.start);
      if (t >= 0) setLine(this.lineOf(command.span.start), LINE_COMMAND, t, c);
    }
    // 2. The chain names on the lines, in line order (a rule's own chain before its jump): each
    // chain's occurrences come out in source order without sorting.
    // A table's chains are ids 0 … n-1 in table.chains order: a declaration, a rule's own chain and a
    // jump the parser resolved need no lookup by name; other names (undeclared chains) come after.
    const chainIds = ruleset.tables.map((_, t) => {
      const ids = new Map<string, number>();
      for (let ordinal = tableFirstChains[t]; ordinal < tableFirstChains[t + 1]; ordinal++) ids.set(this.chains[ordinal].name, ordinal - tableFirstChains[t]);
      return ids;
    });
    const found = ruleset.tables.map((_, t) => ({ ids: new Int32Array(nameBounds[t]), codes: new Int32Array(nameBounds[t]), count: 0 }));
    const addId = (t: number, id: number, code: number) => {
      const names = found[t];
      names.ids[names.count] = id;
      names.codes[names.count++] = code;
    };
    const add = (t: number, name: string, code: number) => {
      const ids = chainIds[t];
      let id = ids.get(name);
      if (id === undefined) ids.set(name, (id = ids.size));
      addId(t, id, code);
    };
    /** the target of each rule template of the current table (templateTarget), read once */
    const templateJumps: { table: number; kinds: number[] } = { table: -1, kinds: [] };
    for (let line = 0; line < lineCount; line++) {
      if (line % (BUILD_SLICE_RULES * 4) === 0) yield;
      const t = lineTables[line];
      const ref = lineRefs[line];
      switch (lineKinds[line]) {
        case LINE_DECLARATION:
          addId(t, ref - tableFirstChains[t], ref * OCCURRENCE_KINDS + OCC_DECLARATION);
          break;
        case LINE_RULE: {
          const chain = this.chains[ruleChains[ref]];
          addId(t, ruleChains[ref] - tableFirstChains[t], ref * OCCURRENCE_KINDS + OCC_RULE_CHAIN);
          // The jump from the rule's row and template where they tell, else from the rule object.
          const row = ruleRows[ref];
          const template = row >= 0 ? rowTemplate(chainRows(chain)!.codes[row]) : -1;
          if (template >= 0) {
            if (templateJumps.table !== t) {
              templateJumps.table = t;
              templateJumps.kinds.length = 0;
            }
            const kind = templateJumpKind(templateJumps.kinds, chain, template);
            if (kind === NO_JUMP) break;
            const code = ref * OCCURRENCE_KINDS + (kind === GOTO ? OCC_GOTO : OCC_JUMP);
            const name = rowTargetName(chain, row)!;
            // The parser's number for the jumped-to chain is its place in table.chains when the name there is the same.
            const entry = chainRows(chain)!.targetEntries[row];
            const first = tableFirstChains[t];
            if (entry >= 0 && first + entry < tableFirstChains[t + 1] && this.chains[first + entry].name === name) addId(t, entry, code);
            else add(t, name, code);
            break;
          }
          const target = this.ruleFrom(layoutSoFar, ref).target;
          if (target && target.kind === 'chain') add(t, target.name, ref * OCCURRENCE_KINDS + (target.goto ? OCC_GOTO : OCC_JUMP));
          break;
        }
        case LINE_COMMAND: {
          const command = ruleset.commands[ref];
          if (command.chain) add(t, command.chain.text, ref * OCCURRENCE_KINDS + (command.command === 'new-chain' ? OCC_NEW_CHAIN : OCC_COMMAND));
          break;
        }
      }
    }
    // 3. Per table, grouped by chain id (a counting sort keeps the source order within a group).
    const firsts: Int32Array[] = [];
    const occurrences: Int32Array[] = [];
    for (const [t, { ids, codes, count }] of found.entries()) {
      yield;
      const chainCount = chainIds[t].size;
      const first = new Int32Array(chainCount + 1);
      for (let k = 0; k < count; k++) first[ids[k] + 1]++;
      for (let id = 0; id < chainCount; id++) first[id + 1] += first[id];
      const next = first.slice(0, chainCount);
      const grouped = new Int32Array(count);
      for (let k = 0; k < count; k++) grouped[next[ids[k]]++] = codes[k];
      firsts.push(first);
      occurrences.push(grouped);
    }
    this.#layout = {
      lineKinds,
      lineTables,
      lineRefs,
      chainIds,
      firsts,
      occurrences,
      chainFirstRules,
      ruleChains: ruleChains.slice(0, ruleCount),
      ruleCount,
      chainCount: this.chains.length,
      chainKubeKinds,
      unhashedChainCount,
    };
  }

  private get built(): IndexLayout {
    if (!this.#layout) this.complete();
    return this.#layout!;
  }

  /**
   * The numbers this index is made of, once built (undefined before): two versions whose indexes
   * have the same layout have the same rules at the same ordinals but for re-read lines.
   */
  get layout(): object | undefined {
    return this.#layout;
  }

  /** The rule at an ordinal (its place in the walk tables → chains → rules). */
  ruleByOrdinal(ordinal: number): Rule | undefined {
    return ordinal >= 0 && ordinal < this.built.ruleCount ? this.ruleAt(ordinal) : undefined;
  }

  /** A built index's rule, read from its chain (whose rules are made when first read). */
  private ruleAt(ordinal: number): Rule {
    return this.ruleFrom(this.#layout!, ordinal);
  }

  private ruleFrom(layout: { ruleChains: ArrayLike<number>; chainFirstRules: ArrayLike<number> }, ordinal: number): Rule {
    const chain = layout.ruleChains[ordinal];
    return this.chains[chain].rules[ordinal - layout.chainFirstRules[chain]];
  }

  /** The ordinal of the rule on a 0-based line, -1 if the line holds no rule. */
  ruleOrdinalOnLine(line: number): number {
    const layout = this.built;
    return layout.lineKinds[line] === LINE_RULE ? layout.lineRefs[line] : -1;
  }

  /** 0-based line containing `offset` (binary search over lineStarts). */
  lineOf(offset: number): number {
    return lineOfOffset(this.ruleset.lineStarts, offset);
  }

  lineEntryAt(offset: number): LineEntry | undefined {
    return this.lineEntry(this.lineOf(offset));
  }

  /**
   * What is on a 0-based line; undefined for comments, empty lines and lines outside tables. Before
   * the index is built, read from the parse where that gives the same answer (lineEntryFromParse):
   * a request right after opening a big dump is answered without waiting for the whole index.
   */
  lineEntry(line: number): LineEntry | undefined {
    if (!this.#layout) {
      const fromParse = this.lineEntryFromParse(line);
      if (fromParse !== NEEDS_LAYOUT) return fromParse;
    }
    const layout = this.built;
    if (line < 0 || line >= layout.lineKinds.length) return undefined;
    const table = this.ruleset.tables[layout.lineTables[line]];
    const ref = layout.lineRefs[line];
    switch (layout.lineKinds[line]) {
      case LINE_HEADER:
        return { kind: 'header', table };
      case LINE_COMMIT:
        return { kind: 'commit', table };
      case LINE_DECLARATION:
        return { kind: 'declaration', table, chain: this.chains[ref] };
      case LINE_RULE:
        return { kind: 'rule', table, rule: this.ruleAt(ref) };
      case LINE_COMMAND:
        return { kind: 'command', table, command: this.ruleset.commands[ref] };
      default:
        return undefined;
    }
  }

  /** Whether lineEntry() answers for the line at `offset` without building the index (it is built, or the parse tells). */
  answersWithoutBuilding(offset: number): boolean {
    return !!this.#layout || this.lineEntryFromParse(this.lineOf(offset)) !== NEEDS_LAYOUT;
  }

  /**
   * What is on a line, read from the parse alone: a table's header or COMMIT, a chain's declaration
   * and a rule the checked parse filed in rows (found through its chain's rows); NEEDS_LAYOUT for
   * anything else (command lines, rules that are not rows, unusual lines), where only the built
   * layout knows. Where it answers, the answer is the layout's (test/ide/line-entry-from-parse.test.ts).
   */
  private lineEntryFromParse(line: number): LineEntry | undefined | typeof NEEDS_LAYOUT {
    const { lineStarts, text, tables } = this.ruleset;
    if (line < 0 || line >= lineStarts.length) return undefined;
    const start = lineStarts[line];
    const end = line + 1 < lineStarts.length ? lineStarts[line + 1] - 1 : text.length;
    const first = text.charCodeAt(start);
    // Nothing is ever filed on an empty line or a comment (an indented `#` is an error line: asked of the layout).
    if (start === end || first === 35 /* # */) return undefined;
    const table = tables.find((t) => t.headerSpan.start <= start && start <= t.span.end);
    if (!table) return NEEDS_LAYOUT;
    if (start === table.headerSpan.start) return { kind: 'header', table };
    if (table.commitSpan && start === table.commitSpan.start) return { kind: 'commit', table };
    if (first === 58 /* : */) {
      const chain = table.chains.get(text.slice(start + 1, wordEnd(text, start + 1, end)));
      return chain && chain.declSpan?.start === start && chain.nameSpan ? { kind: 'declaration', table, chain } : NEEDS_LAYOUT;
    }
    // `[p:b] -A NAME …` / `-A NAME …`: the rule is the row of NAME's rows on this line.
    let at = start;
    if (first === 91 /* [ */) at = skipSpaces(text, wordEnd(text, at, end), end);
    const command = text.slice(at, wordEnd(text, at, end));
    if (command !== '-A' && command !== '--append') return NEEDS_LAYOUT;
    const nameStart = skipSpaces(text, at + command.length, end);
    const chain = table.chains.get(text.slice(nameStart, wordEnd(text, nameStart, end)));
    const rows = chain && chainRows(chain);
    if (!chain || !rows) return NEEDS_LAYOUT;
    let index = 0;
    for (let row = chainFirstRow(chain); row >= 0; row = rows.nexts[row], index++) {
      if (rows.lines[row] === line) return { kind: 'rule', table, rule: chain.rules[index] };
    }
    return NEEDS_LAYOUT;
  }

  /**
   * Which run of foldable lines a 0-based line belongs to, read without making an object (folding
   * walks every line): the ordinal of the chain whose rule is on it, DECLARATION_LINE for a `:chain`
   * line, NOT_FOLDED for any other line.
   */
  foldKeyOfLine(line: number): number {
    const layout = this.built;
    switch (layout.lineKinds[line]) {
      case LINE_RULE:
        return layout.ruleChains[layout.lineRefs[line]];
      case LINE_DECLARATION:
        return DECLARATION_LINE;
      default:
        return NOT_FOLDED;
    }
  }

  /**
   * The hashed kube kind of the chain at an ordinal (its place in the walk tables → chains), undefined
   * for any other chain: read from the index, which computes it once for a set of chains (the outline
   * of a 41k-chain dump asks it for every chain, on every version).
   */
  kubeKindOfChain(ordinal: number): KubeChainKind | undefined {
    const code = this.built.chainKubeKinds[ordinal];
    return code ? KUBE_CHAIN_KINDS[code - 1] : undefined;
  }

  /** How many chains of the document are not hashed kube chains. */
  get unhashedChainCount(): number {
    return this.built.unhashedChainCount;
  }

  /** The rule on a 0-based line, if any (no object made for other lines). */
  ruleOnLine(line: number): Rule | undefined {
    const layout = this.built;
    return layout.lineKinds[line] === LINE_RULE ? this.ruleAt(layout.lineRefs[line]) : undefined;
  }

  /** The position in ruleset.tables of the table block containing the offset, or of the last table opened before it; -1 if none. */
  private tableAt(offset: number): number {
    let found = -1;
    this.ruleset.tables.forEach((table, t) => {
      if (table.headerSpan.start <= offset && (found < 0 || table.headerSpan.start > this.ruleset.tables[found].headerSpan.start)) found = t;
    });
    return found;
  }

  /** The table block containing the offset, or the last table opened before it. */
  tableIndexAt(offset: number): TableIndex | undefined {
    const t = this.tableAt(offset);
    return t < 0 ? undefined : { table: this.ruleset.tables[t] };
  }

  /** The chain's occurrences in source order (objects made now: a request reads them once). */
  occurrencesOf(table: Table, chain: string, only?: 'declarations'): ChainOccurrence[] {
    const result: ChainOccurrence[] = [];
    this.forEachOccurrence(table, chain, (kind, ordinal) => {
      // Only its declarations (`:X …`, `-N X`): no object made for a chain's 40k other occurrences.
      if (only === 'declarations' && kind !== OCC_DECLARATION && kind !== OCC_NEW_CHAIN) return;
      const occurrence = this.occurrence(kind, ordinal);
      if (occurrence) result.push(occurrence);
    });
    return result;
  }

  /**
   * The chain's declarations (`:X …`) read from the parse, without building the index; undefined
   * when only the built index knows (it is built already, or the dump has command lines such as
   * `-N X`, which declare too). Where it answers, it is occurrencesOf(table, chain, 'declarations').
   */
  declarationsFromParse(table: Table, chain: string): ChainOccurrence[] | undefined {
    if (this.#layout || this.ruleset.commands.length > 0) return undefined;
    const declared = table.chains.get(chain);
    const at = declared?.declSpan;
    if (!declared || !at || !declared.nameSpan || this.ruleset.text.charCodeAt(at.start) !== 58 /* : */) return [];
    return [{ kind: 'declaration', span: tokenSpan(declared.nameSpan), line: this.lineOf(at.start) }];
  }

  /**
   * occurrencesOf() read from the parse, without building the index (references, highlights and
   * rename right after opening a big dump); undefined when only the built index knows: it is built,
   * the dump has command lines (`-N`, `-P` … name chains too), or the chain or a caller is not rows
   * with templates (see callersFromParse). Where it answers, it is the built index's answer.
   */
  occurrencesFromParse(table: Table, chain: string): ChainOccurrence[] | undefined {
    if (this.#layout || this.ruleset.commands.length > 0) return undefined;
    const own = table.chains.get(chain);
    const rows = own && chainRows(own);
    if (own && !rows && own.rules.length > 0) return undefined;
    const jumps = this.jumpsReadFromParse(table, chain);
    if (!jumps) return undefined;
    // In line order; on one line the rule's own chain before its jump (a rule that jumps to its own chain).
    const occurrences: Array<{ line: number; order: number; make: () => ChainOccurrence }> = [];
    const declaration = this.declarationsFromParse(table, chain) ?? [];
    for (const occurrence of declaration) occurrences.push({ line: occurrence.line, order: 0, make: () => occurrence });
    if (own && rows) {
      let index = 0;
      for (let row = chainFirstRow(own); row >= 0; row = rows.nexts[row], index++) {
        const at = index;
        occurrences.push({ line: rows.lines[row], order: 1, make: () => {
          const rule = own.rules[at];
          return { kind: 'rule-chain', span: tokenSpan(rule.chainToken), line: rule.line, rule };
        } });
      }
    }
    for (const jump of jumps) {
      occurrences.push({ line: jump.line, order: 2, make: () => {
        const rule = jump.chain.rules[jump.index];
        return { kind: jump.goto ? 'goto' : 'jump', span: targetNameSpan(rule.target!), line: rule.line, rule };
      } });
    }
    occurrences.sort((a, b) => a.line - b.line || a.order - b.order);
    return occurrences.map((o) => o.make());
  }

  /**
   * callerCount() and callersOf() read from the parse's rows, without building the index (a chain's
   * hover right after opening a big dump); undefined when only the built index knows: it is built,
   * or a rule of the table is not a row with a template (a full parse, a flushed chain, a line the
   * parser read without a template). Where it answers, it is the built index's answer.
   */
  callersFromParse(table: Table, chain: string, limit = Infinity): { count: number; callers: Rule[] } | undefined {
    const found = this.jumpsReadFromParse(table, chain);
    return found && { count: found.length, callers: found.slice(0, limit).map((c) => c.chain.rules[c.index]) };
  }

  /** The rules that jump to the chain, read from the parse now if they were not (undefined: only the built index knows). */
  private jumpsReadFromParse(table: Table, chain: string): JumpRead[] | undefined {
    if (this.#layout) return undefined;
    if (this.callersReadFromParse(table, chain) === undefined) runToEnd(this.readCallersSteps(table, chain));
    return this.#callersRead!.found;
  }

  /**
   * Whether callersFromParse() answers for the chain without reading the table's rows: true when it
   * was read and the parse tells, false when it was read and only the built index can tell,
   * undefined when it is not read yet (readCallersSteps reads it in slices; the index is not built).
   */
  callersReadFromParse(table: Table, chain: string): boolean | undefined {
    if (this.#layout) return false;
    const read = this.#callersRead;
    return read?.table === table && read.chain === chain ? read.found !== undefined : undefined;
  }

  /** Read the rules that jump to the chain from the parse's rows, pausing every few thousand (see callersFromParse). */
  *readCallersSteps(table: Table, chain: string): Steps<void> {
    if (this.callersReadFromParse(table, chain) !== undefined) return;
    const found = yield* jumpsFromParse(table, chain);
    this.#callersRead = { table, chain, found };
  }

  /** the last chain whose callers were read from the parse (a hover asks twice: what it needs, then its text); found: undefined when the parse does not tell */
  #callersRead?: { table: Table; chain: string; found: JumpRead[] | undefined };

  /**
   * Rules whose target jumps (or goes) to the chain, in source order; the first `limit` of them
   * (their rule objects are made now: KUBE-MARK-MASQ has 40k callers, in 40k chains at 10k services).
   */
  callersOf(table: Table, chain: string, limit = Infinity): Rule[] {
    const rules: Rule[] = [];
    this.forEachOccurrence(table, chain, (kind, ordinal) => {
      if ((kind === OCC_JUMP || kind === OCC_GOTO) && rules.length < limit) rules.push(this.ruleAt(ordinal));
    });
    return rules;
  }

  /** How many rules jump (or go) to the chain (no rule object made). */
  callerCount(table: Table, chain: string): number {
    let count = 0;
    this.forEachOccurrence(table, chain, (kind) => {
      if (kind === OCC_JUMP || kind === OCC_GOTO) count++;
    });
    return count;
  }

  private forEachOccurrence(table: Table, chain: string, visit: (kind: number, ordinal: number) => void): void {
    const layout = this.built;
    const t = this.ruleset.tables.indexOf(table);
    const id = t < 0 ? undefined : layout.chainIds[t].get(chain);
    if (id === undefined) return;
    const codes = layout.occurrences[t];
    const end = layout.firsts[t][id + 1];
    for (let k = layout.firsts[t][id]; k < end; k++) visit(codes[k] % OCCURRENCE_KINDS, Math.floor(codes[k] / OCCURRENCE_KINDS));
  }

  private occurrence(kind: number, ordinal: number): ChainOccurrence | undefined {
    switch (kind) {
      case OCC_DECLARATION: {
        const chain = this.chains[ordinal];
        return { kind: 'declaration', span: tokenSpan(chain.nameSpan!), line: this.lineOf(chain.declSpan!.start) };
      }
      case OCC_RULE_CHAIN: {
        const rule = this.ruleAt(ordinal);
        return { kind: 'rule-chain', span: tokenSpan(rule.chainToken), line: rule.line, rule };
      }
      case OCC_JUMP:
      case OCC_GOTO: {
        const rule = this.ruleAt(ordinal);
        return { kind: kind === OCC_GOTO ? 'goto' : 'jump', span: targetNameSpan(rule.target!), line: rule.line, rule };
      }
      case OCC_COMMAND:
      case OCC_NEW_CHAIN: {
        const command = this.ruleset.commands[ordinal];
        return { kind: kind === OCC_NEW_CHAIN ? 'declaration' : 'command', span: tokenSpan(command.chain!), line: this.lineOf(command.span.start), command };
      }
      default:
        return undefined;
    }
  }
}

/** Where a target's name is written, without making (and keeping) its token. */
function targetNameSpan(target: TargetUse): Span {
  if (target instanceof OffsetTarget) return { start: target.nameStart, end: target.nameStart + target.name.length };
  return tokenSpan(target.token);
}

/** Rules indexed per step when an index is built a little at a time (about 1 ms of work: a step must stay well inside slicing.ts's 5 ms slice). */
export const BUILD_SLICE_RULES = 150;

/** A rule that jumps (or goes) to a chain: rule `index` of `chain`, on `line`. */
interface JumpRead {
  line: number;
  chain: Chain;
  index: number;
  goto: boolean;
}

/**
 * The rules of the table that jump or go to `chain`, in line order, read from the parse's rows and
 * rule templates as buildLayout() reads jumps; undefined when a rule is not such a row.
 */
function* jumpsFromParse(table: Table, chain: string): Steps<JumpRead[] | undefined> {
  const found: JumpRead[] = [];
  /** per rule template of the table (templateJumpKind) */
  const kinds: number[] = [];
  let read = 0;
  for (const caller of table.chains.values()) {
    const rows = chainRows(caller);
    if (!rows) {
      if (caller.rules.length > 0) return undefined;
      continue;
    }
    const { codes, nexts, targetNames, lines } = rows;
    let index = 0;
    for (let row = chainFirstRow(caller); row >= 0; row = nexts[row], index++) {
      const template = rowTemplate(codes[row]);
      if (template < 0) return undefined;
      const kind = templateJumpKind(kinds, caller, template);
      if (kind === NO_JUMP) continue;
      // (rowTargetName, without a call for the rows whose target the parser resolved)
      const name = targetNames[row];
      if (name === chain || (name === undefined && rowTargetName(caller, row) === chain)) found.push({ line: lines[row], chain: caller, index, goto: kind === GOTO });
    }
    // (113k rows in 41k chains at 10k services: ≈ 20 ms right after opening, in slow code still)
    read += index + 1;
    if (read >= CALLER_SLICE_ROWS) {
      read = 0;
      yield;
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/** Rows (and chains) jumpsFromParse reads between two pauses. */
const CALLER_SLICE_ROWS = 4000;

const NO_JUMP = 0;
const JUMP = 1;
const GOTO = 2;

/**
 * Whether the rules of a row template jump to a chain (JUMP), go to one (GOTO) or neither (NO_JUMP),
 * from templateTarget, remembered in `kinds` (one array per table: templates are numbered per table).
 * The index build and jumpsFromParse read a row's jump this same way.
 */
function templateJumpKind(kinds: number[], chain: Chain, template: number): number {
  let kind = kinds[template];
  if (kind === undefined) {
    const target = templateTarget(chain, template);
    kinds[template] = kind = !target || target.kind !== 'chain' ? NO_JUMP : target.goto ? GOTO : JUMP;
  }
  return kind;
}

/** lineEntryFromParse(): the parse does not tell, the built layout does */
const NEEDS_LAYOUT = Symbol('needs the layout');

/** The end of the word (up to a space or a tab) that starts at `at`. */
function wordEnd(text: string, at: number, end: number): number {
  while (at < end && text.charCodeAt(at) !== 32 && text.charCodeAt(at) !== 9) at++;
  return at;
}

function skipSpaces(text: string, at: number, end: number): number {
  while (at < end && (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9)) at++;
  return at;
}

/** Chains listed per step when a re-read version shares its predecessor's layout (a push each). */
const REBASE_SLICE_CHAINS = 5000;

export function tokenSpan(token: Token | Span): Span {
  return { start: token.start, end: token.end };
}

export function contains(span: Span, offset: number): boolean {
  return offset >= span.start && offset <= span.end;
}
