// Facts shared by the analyses, computed once per table: the jump graph, which chains always end
// in a verdict, which packet fields each chain may change, and from which hooks each chain is
// reached. Everything here is linear in the number of rules.

import type { RuleOutline } from '../rule-templates';
import { isBuiltinChain, type Chain, type Family, type Problem, type Rule, type Ruleset, type Span, type Table } from '../model';
import { ALL_FIELDS, ruleShape, type Field, type LoaderQuirks, type RuleShape } from './constraints';
import { ALWAYS_TERMINAL, NAT_TERMINAL, RULE_GOTO, RULE_NOT_UNIVERSAL, RULE_OBJECT, RULE_TARGET, RULE_UNIVERSAL, RULE_UNUSABLE, TARGET_CHAIN, TARGET_NONE, TARGET_RETURN, TARGET_VERDICT, templateClassBits } from './rule-class';
import { loaderQuirksOf } from '../saved-by';
import { chainFirstRow, chainRows, jumpTargetEntry, optionText, ruleOutline, rowBroken, rowOptionText, rowTargetName, rowTemplate, rowUsable, templateOutline, templateTarget, type ChainRowsView } from '../parser';

export class Cancelled extends Error {}

/** The order of the analyses' findings: by position, then code (stable: ties keep their order). */
export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
}

const MAX_CACHED_SHAPES = 20_000;

/** Units of work (context.tick) between two yields of an analysis: a few milliseconds on a kube dump. */
export const YIELD_WORK = 400;

/** An analysis pass run a slice at a time: each next() does about YIELD_WORK units of work. */
export type AnalysisSteps = Generator<void, void, void>;

export interface AnalysisContext {
  ruleset: Ruleset;
  family: Family;
  /** parsed cleanly and loaded by iptables-restore for this family */
  usable(rule: Rule): boolean;
  /** 0-based numbers of the lines whose text contains `needle` (one scan of the text per needle) */
  linesContaining(needle: string): ReadonlySet<number>;
  /**
   * Count `count` units of work (about a rule each); throws Cancelled. True every YIELD_WORK units:
   * an analysis written as a generator yields then (`if (context.tick()) yield;`), so that a
   * language server can answer requests between slices of a pass over 100k rules.
   */
  tick(count?: number): boolean;
  shape(rule: Rule): RuleShape;
  /** how the iptables that saved the dump loads some rules (saved-by.ts), as ruleShape reads them */
  readonly loader: LoaderQuirks;
  /** the table's facts, complete (built now if needed) */
  table(table: Table): TableFacts;
  /** build a slice of the table's facts (a few thousand rules); true when they are complete */
  prepareTable(table: Table): boolean;
  /** use these facts for the table (TableFacts.rebased) instead of building them */
  useFacts(table: Table, facts: TableFacts): void;
}

export function createContext(ruleset: Ruleset, cancelled?: () => boolean): AnalysisContext {
  const shapes = new Map<Rule, RuleShape>();
  const facts = new Map<Table, TableFacts>();
  let work = 0;
  const needles = new Map<string, Set<number>>();
  const lineOfOffset = (offset: number) => lineNumber(ruleset, offset) - 1;
  const linesContaining = (needle: string): Set<number> => {
    let lines = needles.get(needle);
    if (!lines) {
      lines = new Set();
      for (let at = ruleset.text.indexOf(needle); at >= 0; at = ruleset.text.indexOf(needle, at + needle.length)) lines.add(lineOfOffset(at));
      needles.set(needle, lines);
    }
    return lines;
  };
  // how the iptables that saved the dump loads some rules (saved-by.ts)
  const loader: LoaderQuirks = loaderQuirksOf(ruleset.text);
  const context: AnalysisContext & { tableFactsBuilder(table: Table): TableFacts } = {
    ruleset,
    family: ruleset.family,
    loader,
    usable(rule) {
      // `-4` / `-6` rules are skipped by the restore of the other family: the kernel never has them.
      return !rule.broken && !rule.otherFamily;
    },
    linesContaining,
    tick(count = 1) {
      work += count;
      if (work < YIELD_WORK) return false;
      work = 0;
      if (cancelled && cancelled()) throw new Cancelled();
      return true;
    },
    shape(rule) {
      let s = shapes.get(rule);
      if (!s) {
        s = ruleShape(rule, ruleset.family, loader);
        // A cache, not a store: shapes are pure, and keeping one per rule of a 100k-rule dump for
        // the whole analysis costs more memory than recomputing the few asked for again.
        if (shapes.size >= MAX_CACHED_SHAPES) shapes.clear();
        shapes.set(rule, s);
      }
      return s;
    },
    table(table) {
      const f = context.tableFactsBuilder(table);
      while (!f.buildSome());
      return f;
    },
    prepareTable(table) {
      return context.tableFactsBuilder(table).buildSome();
    },
    useFacts(table, tableFacts) {
      facts.set(table, tableFacts);
    },
    tableFactsBuilder(table: Table): TableFacts {
      let f = facts.get(table);
      if (!f) {
        f = new TableFacts(table, context);
        facts.set(table, f);
      }
      return f;
    },
  };
  return context;
}


/** Packet fields each non-terminal target may change; targets not listed may change anything. */
const TARGET_WRITES: Record<string, Field[]> = {
  MARK: ['mark'], HMARK: ['mark'], CONNMARK: ['ctmark', 'mark'], DSCP: ['tos', 'packet'], TOS: ['tos', 'packet'], ECN: ['tos', 'packet'],
  TTL: ['ttl', 'packet'], HL: ['ttl', 'packet'], TCPMSS: ['tcpopt', 'packet'], TCPOPTSTRIP: ['tcpopt', 'packet'], CHECKSUM: ['packet'],
  CT: ['ct'], NOTRACK: ['ct'], SET: ['set'], SECMARK: [], CONNSECMARK: [], CLASSIFY: [], LOG: [], NFLOG: [], ULOG: [], TRACE: [],
  AUDIT: [], LED: [], IDLETIMER: [], TEE: [], RATEEST: [],
};
Object.setPrototypeOf(TARGET_WRITES, null); // keys come from dumps: `constructor` must not find Object's

/** Cheap syntactic test: no criteria and no match but comments (a universal rule for certain). */
function plainlyUniversal(rule: Rule): boolean {
  const outline = ruleOutline(rule); // answers without building the rule's model on big dumps
  if (outline) return outline.genericOptions === 0 && outline.modules.every((module) => module === 'comment');
  if (rule.genericOptions.length) return false;
  for (const match of rule.matches) if (match.module !== 'comment') return false;
  return true;
}

/** Cheap syntactic filter: false when a generic criterion certainly restricts the packets. */
function mayBeUniversal(rule: Rule): boolean {
  if (certainlyStateful(rule)) return false;
  const outline = ruleOutline(rule);
  // From the rule's line when the parser can (no model built); else from the model.
  if (outline) {
    for (const option of outline.generic) if (!mayMatchEveryPacket(option.name, option.negated, rule, undefined)) return false;
  } else {
    for (const option of rule.genericOptions) if (!mayMatchEveryPacket(option.name, option.negated, rule, option.args[0]?.text ?? '')) return false;
  }
  return true;
}

/** Whether generic option `name` may leave every packet through; `text`: its value (undefined: read it from the rule's line). */
function mayMatchEveryPacket(name: string, negated: boolean, rule: Rule | undefined, text: string | undefined): boolean {
  if (negated || name === 'fragment') return false;
  const address = name === 'source' || name === 'destination';
  const iface = name === 'in-interface' || name === 'out-interface';
  if (!address && !iface && name !== 'protocol') return true;
  const value = text ?? (rule && optionText(rule, '', name)?.text) ?? '';
  if (address) return /\/0(\.0\.0\.0)?$/.test(value);
  if (iface) return value === '+';
  return value === 'all' || value === '0';
}

/** Rules that match every packet (`-s 0.0.0.0/0` and the like included). */
function universal(rule: Rule, context: AnalysisContext): boolean {
  return plainlyUniversal(rule) || (mayBeUniversal(rule) && isUniversalRule(context.shape(rule)));
}

/**
 * The table's jumps between chains with chains numbered (ids in table.chains order): every graph
 * pass (loops, depth, hooks, verdicts) walks these arrays instead of looking chains up by name for
 * each of 100k rules.
 */
export interface JumpGraph {
  ids: Map<string, number>;
  names: string[];
  chains: Chain[];
  /** per chain id: 1 for a built-in chain (read for every jump; the chain objects lie all over the heap) */
  builtin: Uint8Array;
  // The rest are flat arrays over all chains (a few typed arrays instead of 40k small ones each):
  /** chain id's rules are slots ruleStarts[id] … ruleStarts[id + 1] of ruleTargets */
  ruleStarts: Int32Array;
  /** per rule, in chain.rules order: the id of the chain it jumps/goes to, or -1 (no such chain, or no jump) */
  ruleTargets: Int32Array;
  /** chain id's edges — its rules' jumps/gotos to chains of the table, broken rules left out — are edgeStarts[id] … edgeStarts[id + 1] */
  edgeStarts: Int32Array;
  /** per edge: the chain it goes to */
  edgeTargets: Int32Array;
  /** per edge: the index of its rule in chain.rules (TableFacts.edgeRule) */
  edgeRuleIndexes: Int32Array;
}

/** An Int32Array grown by doubling, for arrays whose final length is known only at the end. */
class IntList {
  private data = new Int32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
  trimmed(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

const NO_INTS = new Int32Array(0);
const NO_BYTES = new Uint8Array(0);

/** A rule's step in the walk of TableFacts.alwaysTerminalId */
type WalkStep = 0 | 1 | 2;
const WALK_CONTINUES = 0;
const WALK_STOPS = 1;
const WALK_DECIDES = 2;

/** TableFacts.templateClasses: not worked out yet */
const TEMPLATE_UNREAD = -2;

const UNKNOWN = 0;
const COMPUTING = 1;
const NO = 2;
const YES = 3;

export class TableFacts {
  readonly name: string;
  readonly graph: JumpGraph;
  /** per chain id: does every packet entering it end in a verdict there (UNKNOWN … YES) */
  private terminalChains: Uint8Array;
  /** per chain id: the fields it may change (a FIELD_BITS mask), -1 not computed yet */
  private chainWrites: Int32Array;
  private readonly building: Generator<void, void>;
  private built = false;
  private hooks: { masks: Int32Array; names: string[][] } | undefined;

  /** rebased facts: the chain whose rule was edited (see editKeepsChainFacts) */
  private editedId?: number;
  /** per chain id, the (chain id, rule index) pairs of the jumps to it, built on first use */
  private callers?: { starts: Int32Array; chainIds: Int32Array; indexes: Int32Array };

  /** the table's rows (parser.ts chainRows), when its chains were read by the checked parse */
  private rows?: ChainRowsView;
  /** per rule slot (graph.ruleStarts[id] + index): its row in `rows`, -1 when read from the rule object; made on first use for rebased facts */
  private slotRowsCache?: Int32Array;
  /** per template: its ruleClass() bits (RULE_OBJECT: read the rule), TEMPLATE_UNREAD until worked out */
  private templateClasses = new Int32Array(0);
  /** per template: the name of its rules' target, when they all write the same */
  private readonly templateTargetNames: Array<string | undefined> = [];

  constructor(
    readonly table: Table,
    private readonly context: AnalysisContext,
    rebasedGraph?: JumpGraph,
  ) {
    this.name = table.name;
    // A new graph numbers the table's chains in build(), in slices (41k chains at 10k services).
    this.graph = rebasedGraph ?? { ids: new Map(), names: [], chains: [], builtin: NO_BYTES, ruleStarts: NO_INTS, ruleTargets: NO_INTS, edgeStarts: NO_INTS, edgeTargets: NO_INTS, edgeRuleIndexes: NO_INTS };
    this.terminalChains = new Uint8Array(this.graph.chains.length);
    this.chainWrites = new Int32Array(this.graph.chains.length).fill(-1);
    this.building = this.build();
  }

  /**
   * Read a slice of the table's rules into the jump graph (a few thousand rules); true when the
   * facts are complete. Everything else needs them complete: use AnalysisContext.table().
   */
  buildSome(): boolean {
    if (!this.built) this.built = !!this.building.next().done;
    return this.built;
  }

  private *build(): Generator<void, void> {
    const graph = this.graph;
    for (const chain of this.table.chains.values()) {
      graph.ids.set(chain.name, graph.names.length);
      graph.names.push(chain.name);
      graph.chains.push(chain);
      if (graph.chains.length % REBASE_SLICE_CHAINS === 0) yield;
    }
    const chainCount = graph.chains.length;
    graph.builtin = new Uint8Array(chainCount);
    for (let id = 0; id < chainCount; id++) if (graph.chains[id].builtin) graph.builtin[id] = 1;
    this.terminalChains = new Uint8Array(chainCount);
    this.chainWrites = new Int32Array(chainCount).fill(-1);
    const ruleStarts = new Int32Array(chainCount + 1);
    const edgeStarts = new Int32Array(chainCount + 1);
    const ruleTargets = new IntList();
    const edgeTargets = new IntList();
    const edgeRuleIndexes = new IntList();
    const slotRows = new IntList();
    let read = 0;
    for (let id = 0; id < chainCount; id++) {
      if (++read >= FACTS_SLICE_RULES) {
        read = 0;
        yield;
      }
      ruleStarts[id] = ruleTargets.length;
      edgeStarts[id] = edgeTargets.length;
      const chain = graph.chains[id];
      const rows = this.rowsOf(chain);
      if (rows) {
        // The checked parse's rows: no rule object made unless a rule's template does not tell.
        let index = 0;
        for (let row = chainFirstRow(chain); row >= 0; row = rows.nexts[row], index++) {
          // KUBE-SERVICES alone has tens of thousands of rules: pause inside a chain too.
          if (++read >= FACTS_SLICE_RULES) {
            read = 0;
            yield;
          }
          slotRows.push(row);
          const ruleClass = this.classOfRow(id, row);
          let callee = -1;
          if (ruleClass === RULE_OBJECT) {
            callee = this.calleeOf(chain.rules[index], chainCount);
            ruleTargets.push(callee);
            if (callee >= 0 && this.context.usable(chain.rules[index])) {
              edgeTargets.push(callee);
              edgeRuleIndexes.push(index);
            }
            continue;
          }
          if ((ruleClass & RULE_TARGET) === TARGET_CHAIN) {
            // (a line the parser checked without a template has no name here: read from the line)
            const name = rows.targetNames[row] ?? rowTargetName(chain, row) ?? '';
            const entry = rows.targetEntries[row];
            callee = entry >= 0 && entry < chainCount && graph.names[entry] === name ? entry : (graph.ids.get(name) ?? -1);
          }
          ruleTargets.push(callee);
          if (callee < 0 || ruleClass & RULE_UNUSABLE) continue; // (the kernel has no such jump)
          edgeTargets.push(callee);
          edgeRuleIndexes.push(index);
        }
        continue;
      }
      const chainRules = chain.rules;
      for (let index = 0; index < chainRules.length; index++) {
        if (++read >= FACTS_SLICE_RULES) {
          read = 0;
          yield;
        }
        slotRows.push(-1);
        const rule = chainRules[index];
        const callee = this.calleeOf(rule, chainCount);
        ruleTargets.push(callee);
        if (callee < 0 || !this.context.usable(rule)) continue; // (the kernel has no such jump)
        edgeTargets.push(callee);
        edgeRuleIndexes.push(index);
      }
    }
    this.slotRowsCache = slotRows.trimmed();
    ruleStarts[chainCount] = ruleTargets.length;
    edgeStarts[chainCount] = edgeTargets.length;
    graph.ruleStarts = ruleStarts;
    graph.ruleTargets = ruleTargets.trimmed();
    graph.edgeStarts = edgeStarts;
    graph.edgeTargets = edgeTargets.trimmed();
    graph.edgeRuleIndexes = edgeRuleIndexes.trimmed();
  }

  /** The id of the chain a rule object jumps or goes to (-1: none of the table's), while the graph is built. */
  private calleeOf(rule: Rule, chainCount: number): number {
    const target = rule.target;
    if (!target || target.kind !== 'chain') return -1;
    // The parser's number for the chain is its id here whenever the name there is the same.
    const entry = jumpTargetEntry(rule);
    return entry >= 0 && entry < chainCount && this.graph.names[entry] === target.name ? entry : (this.graph.ids.get(target.name) ?? -1);
  }

  /** The table's rows holding the chain's rules (parser.ts chainRows), or undefined: read its rule objects. */
  private rowsOf(chain: Chain): ChainRowsView | undefined {
    const rows = chainRows(chain);
    if (!rows) return undefined;
    this.rows ??= rows;
    return rows === this.rows ? rows : undefined;
  }

  /** How many rules chain `id` has (no rule objects made). */
  ruleCount(id: number): number {
    return this.graph.ruleStarts[id + 1] - this.graph.ruleStarts[id];
  }

  /** Per rule slot, its row (see slotRowsCache). */
  private slotRows(): Int32Array {
    if (this.slotRowsCache) return this.slotRowsCache;
    // Rebased facts: the new table's chains have the same rules, in rows of their own.
    const { chains, ruleStarts } = this.graph;
    const slots = new Int32Array(ruleStarts[chains.length]).fill(-1);
    for (let id = 0; id < chains.length; id++) {
      const rows = this.rowsOf(chains[id]);
      if (!rows) continue;
      let slot = ruleStarts[id];
      for (let row = chainFirstRow(chains[id]); row >= 0 && slot < ruleStarts[id + 1]; row = rows.nexts[row]) slots[slot++] = row;
      if (slot !== ruleStarts[id + 1]) slots.fill(-1, ruleStarts[id], ruleStarts[id + 1]); // (not the same rules after all)
    }
    return (this.slotRowsCache = slots);
  }

  /**
   * What the passes over every rule read of rule `index` of chain `id` (RULE_* and TARGET_* bits),
   * from its row and template; RULE_OBJECT when only the rule object tells.
   */
  ruleClass(id: number, index: number): number {
    const row = this.slotRows()[this.graph.ruleStarts[id] + index];
    return row < 0 ? RULE_OBJECT : this.classOfRow(id, row);
  }

  /** ruleClass() of row `row` of chain `id`. */
  private classOfRow(id: number, row: number): number {
    const code = this.rows!.codes[row];
    const template = rowTemplate(code);
    if (template < 0) return RULE_OBJECT;
    const templateClass = template < this.templateClasses.length && this.templateClasses[template] !== TEMPLATE_UNREAD ? this.templateClasses[template] : this.readTemplate(this.graph.chains[id], template);
    return templateClass === RULE_OBJECT || rowUsable(code) ? templateClass : templateClass | RULE_UNUSABLE;
  }

  /** Work out the class bits every rule of a template has (cached per template). */
  private readTemplate(chain: Chain, template: number): number {
    if (template >= this.templateClasses.length) {
      const grown = new Int32Array(Math.max(template + 1, this.templateClasses.length * 2, 64)).fill(TEMPLATE_UNREAD);
      grown.set(this.templateClasses);
      this.templateClasses = grown;
    }
    const target = templateTarget(chain, template);
    const bits = templateClassBits(target, templateOutline(chain, template), this.name);
    if (bits !== RULE_OBJECT && target && target.kind !== 'chain') this.templateTargetNames[template] = target.name;
    this.templateClasses[template] = bits;
    return bits;
  }

  /** The name of the target of rule `index` of chain `id` (undefined: it has none), its object read only when its template does not tell. */
  targetNameAt(id: number, index: number): string | undefined {
    const ruleClass = this.ruleClass(id, index);
    if (ruleClass !== RULE_OBJECT) {
      const kind = ruleClass & RULE_TARGET;
      if (kind === TARGET_NONE) return undefined;
      const row = this.slotRows()[this.graph.ruleStarts[id] + index];
      const name = kind === TARGET_CHAIN ? rowTargetName(this.graph.chains[id], row) : this.templateTargetNames[rowTemplate(this.rows!.codes[row])];
      if (name !== undefined) return name;
    }
    return this.graph.chains[id].rules[index].target?.name;
  }

  /** The outline of rule `index` of chain `id` from its row's template (parser.ts ruleOutline); undefined: read the rule. */
  outlineAt(id: number, index: number): RuleOutline | undefined {
    const row = this.slotRows()[this.graph.ruleStarts[id] + index];
    if (row < 0) return undefined;
    const template = rowTemplate(this.rows!.codes[row]);
    return template < 0 ? undefined : templateOutline(this.graph.chains[id], template);
  }

  /** Whether rule `index` of chain `id` is broken (rule.broken), its object read only when it has no row. */
  brokenAt(id: number, index: number): boolean {
    const row = this.slotRows()[this.graph.ruleStarts[id] + index];
    return row >= 0 && rowTemplate(this.rows!.codes[row]) >= 0 ? rowBroken(this.rows!.codes[row]) : this.graph.chains[id].rules[index].broken;
  }

  /** Whether rule `index` of chain `id` is usable (context.usable), its object read only when it has no row. */
  usableAt(id: number, index: number): boolean {
    const ruleClass = this.ruleClass(id, index);
    return ruleClass === RULE_OBJECT ? this.context.usable(this.graph.chains[id].rules[index]) : !(ruleClass & RULE_UNUSABLE);
  }

  /**
   * Whether chain `id`'s rules are read from the parser's rows, which are in file order (a chain's
   * rows are filed as its `-A` lines come; a chain is read from rows for all its rules or none).
   */
  rulesInFileOrder(id: number): boolean {
    return this.ruleCount(id) > 0 && this.slotRows()[this.graph.ruleStarts[id]] >= 0;
  }

  /** The line of rule `index` of chain `id` (0-based), its object read only when it has no row. */
  ruleLine(id: number, index: number): number {
    const row = this.slotRows()[this.graph.ruleStarts[id] + index];
    return row >= 0 ? this.rows!.lines[row] : this.graph.chains[id].rules[index].line;
  }

  /**
   * optionText() of rule `index` of chain `id` read from its row (no rule object); undefined when
   * only its object tells (see parser.ts optionText for owner and the answer).
   */
  optionTextAt(id: number, index: number, owner: string, name: string): { text: string | undefined; negated: boolean } | null | undefined {
    const row = this.slotRows()[this.graph.ruleStarts[id] + index];
    return row < 0 ? undefined : rowOptionText(this.graph.chains[id], row, owner, name);
  }

  /** The id of the chain rule `index` of chain `id` jumps or goes to, or -1. */
  ruleTarget(id: number, index: number): number {
    return this.graph.ruleTargets[this.graph.ruleStarts[id] + index];
  }

  /** How many edges (jumps to chains of the table, broken rules left out) chain `id` has. */
  edgeCount(id: number): number {
    return this.graph.edgeStarts[id + 1] - this.graph.edgeStarts[id];
  }

  /** The chain edge `k` of chain `id` goes to. */
  edgeTarget(id: number, k: number): number {
    return this.graph.edgeTargets[this.graph.edgeStarts[id] + k];
  }

  /** The rule of edge `k` of chain `id`. */
  edgeRule(id: number, k: number): Rule {
    return this.graph.chains[id].rules[this.graph.edgeRuleIndexes[this.graph.edgeStarts[id] + k]];
  }

  chain(name: string): Chain | undefined {
    return this.table.chains.get(name);
  }

  /**
   * The facts of `table` when it is `old.table` with one rule re-read (parser.ts lineEditOf: the
   * same chains in the same order, the same jumps, the same broken rules): the jump graph's numbers
   * and what the old facts worked out are shared, its rules are the new table's (mapped when read).
   * Undefined when the chains differ after all. A generator: a 50k-chain table takes ~30 ms, so the
   * language server runs it in steps.
   */
  static *rebased(old: TableFacts, table: Table, context: AnalysisContext, editedChain?: string): Generator<void, TableFacts | undefined, void> {
    if (!old.built || table.chains.size !== old.graph.names.length) return undefined;
    const chains: Chain[] = [];
    for (const chain of table.chains.values()) {
      if (chain.name !== old.graph.names[chains.length]) return undefined;
      chains.push(chain);
      if (chains.length % REBASE_SLICE_CHAINS === 0) yield;
    }
    // The index of callers depends on the jump numbers only: built once, shared by every version.
    yield* old.buildCallers();
    const graph: JumpGraph = { ...old.graph, chains };
    const facts = new TableFacts(table, context, graph);
    facts.built = true;
    // What the old facts worked out about every chain is kept: the caller (after-edit.ts) goes on
    // only when editKeepsChainFacts() confirms the edit changes none of it.
    facts.terminalChains.set(old.terminalChains);
    facts.chainWrites.set(old.chainWrites);
    facts.hooks = old.hooks;
    facts.callers = old.callers;
    facts.incomingEdges = old.incomingEdges;
    facts.editedId = editedChain === undefined ? undefined : graph.ids.get(editedChain);
    return facts;
  }

  /** Rules that jump or go to the chain (not broken ones), in chain and rule order. */
  referrersOf(name: string): readonly Rule[] {
    const id = this.graph.ids.get(name);
    return id === undefined ? NO_RULES : this.referrersOfId(id);
  }

  /** referrersOf() chain `id`. */
  referrersOfId(id: number): readonly Rule[] {
    const callers = this.callerIndex();
    const rules: Rule[] = [];
    for (let k = callers.starts[id]; k < callers.starts[id + 1]; k++) {
      const rule = this.graph.chains[callers.chainIds[k]].rules[callers.indexes[k]];
      if (!rule.broken && !rule.otherFamily) rules.push(rule);
    }
    return rules.length ? rules : NO_RULES;
  }

  /** Whether some usable rule of the table jumps or goes to chain `id` (referrersOfId(id).length > 0, no list made): whether an edge goes to it. */
  isReferencedId(id: number): boolean {
    // Counted from the edges, not read from the referring rules: 41k chains' callers are rules all
    // over the heap, and the edges already leave out the broken rules.
    if (!this.incomingEdges) {
      const incoming = new Int32Array(this.graph.chains.length);
      const targets = this.graph.edgeTargets;
      for (let k = 0; k < targets.length; k++) incoming[targets[k]]++;
      this.incomingEdges = incoming;
    }
    return this.incomingEdges[id] > 0;
  }
  /** per chain id, the number of edges to it (isReferencedId), counted on first use */
  private incomingEdges?: Int32Array;

  /**
   * Every jump of the table by target, a counting sort of (chain, rule index) over ruleTargets: the
   * jumps to chain `id` are chainIds[k] / indexes[k] for k from starts[id] to starts[id + 1]
   * (broken rules included).
   */
  callerIndex(): { starts: Int32Array; chainIds: Int32Array; indexes: Int32Array } {
    if (!this.callers) for (const steps = this.buildCallers(); !steps.next().done; );
    return this.callers!;
  }

  /** callerIndex() a part at a time (113k jumps take ~15 ms); sets this.callers when done. */
  private *buildCallers(): Generator<void, void, void> {
    if (this.callers) return;
    const { ruleTargets, ruleStarts } = this.graph;
    const count = this.graph.chains.length;
    const starts = new Int32Array(count + 1);
    for (let chain = 0; chain < count; chain++) {
      for (let slot = ruleStarts[chain]; slot < ruleStarts[chain + 1]; slot++) if (ruleTargets[slot] >= 0) starts[ruleTargets[slot] + 1]++;
      if (chain % REBASE_SLICE_CHAINS === REBASE_SLICE_CHAINS - 1) yield;
    }
    for (let id = 0; id < count; id++) starts[id + 1] += starts[id];
    const fill = starts.slice(0, count);
    const chainIds = new Int32Array(starts[count]);
    const indexes = new Int32Array(starts[count]);
    for (let chain = 0; chain < count; chain++) {
      const first = ruleStarts[chain];
      for (let index = 0; index < ruleStarts[chain + 1] - first; index++) {
        const target = ruleTargets[first + index];
        if (target < 0) continue;
        chainIds[fill[target]] = chain;
        indexes[fill[target]++] = index;
      }
      if (chain % REBASE_SLICE_CHAINS === REBASE_SLICE_CHAINS - 1) yield;
    }
    this.callers ??= { starts, chainIds, indexes };
  }

  private alwaysTerminalId(id: number): boolean {
    const known = this.terminalChains[id];
    if (known !== UNKNOWN) return known === YES;
    this.terminalChains[id] = COMPUTING; // a cycle is not a verdict
    let result = false;
    if (!this.graph.builtin[id]) {
      const count = this.ruleCount(id);
      for (let index = 0; index < count; index++) {
        const step = this.walkStep(id, index);
        if (step === WALK_CONTINUES) continue;
        result = step === WALK_DECIDES;
        break;
      }
    }
    this.terminalChains[id] = result ? YES : NO;
    return result;
  }

  /**
   * What rule `index` of chain `id` does to alwaysTerminalId's walk over the chain: the walk goes on,
   * stops (a packet may leave the chain without a verdict), or ends with a verdict for every packet.
   * From the rule's class; walkStepOf() reads the same from a rule object.
   */
  private walkStep(id: number, index: number): WalkStep {
    const ruleClass = this.ruleClass(id, index);
    if (ruleClass === RULE_OBJECT) return this.walkStepOf(id, index, this.graph.chains[id].rules[index]);
    if (ruleClass & RULE_UNUSABLE) return WALK_STOPS;
    switch (ruleClass & RULE_TARGET) {
      case TARGET_CHAIN: {
        const callee = this.ruleTarget(id, index);
        const calleeTerminal = callee >= 0 && !this.graph.builtin[callee] && this.alwaysTerminalId(callee);
        if (ruleClass & RULE_GOTO && !calleeTerminal) return WALK_STOPS; // falling off the goto target returns to our caller
        return calleeTerminal && this.universalAt(id, index, ruleClass) ? WALK_DECIDES : WALK_CONTINUES;
      }
      case TARGET_RETURN:
        return WALK_STOPS;
      case TARGET_VERDICT:
        return this.universalAt(id, index, ruleClass) ? WALK_DECIDES : WALK_CONTINUES;
      default:
        return WALK_CONTINUES;
    }
  }

  /** Whether rule `index` of chain `id`, of class `ruleClass`, matches every packet (its object read only when the class and line do not tell). */
  private universalAt(id: number, index: number, ruleClass: number): boolean {
    if (ruleClass & RULE_UNIVERSAL) return true;
    if (ruleClass & RULE_NOT_UNIVERSAL) return false;
    // mayBeUniversal() from the rule's line: a `-p tcp` or `-s 10.0.0.1/32` says no (30k DNAT rules at 10k services).
    const outline = this.outlineAt(id, index);
    if (outline) for (const option of outline.generic) if (!mayMatchEveryPacket(option.name, option.negated, undefined, this.optionTextAt(id, index, '', option.name)?.text ?? '')) return false;
    return universal(this.graph.chains[id].rules[index], this.context);
  }

  /** walkStep() of a rule object (rule `index` of chain `id`). */
  private walkStepOf(id: number, index: number, rule: Rule): WalkStep {
    if (!this.context.usable(rule)) return WALK_STOPS;
    const target = rule.target;
    if (!target) return WALK_CONTINUES;
    if (target.kind === 'chain') {
      const callee = this.ruleTarget(id, index);
      const calleeTerminal = callee >= 0 && !this.graph.builtin[callee] && this.alwaysTerminalId(callee);
      if (target.goto && !calleeTerminal) return WALK_STOPS; // falling off the goto target returns to our caller
      return calleeTerminal && universal(rule, this.context) ? WALK_DECIDES : WALK_CONTINUES;
    }
    if (target.name === 'RETURN') return WALK_STOPS;
    return this.verdictTerminal(rule) && universal(rule, this.context) ? WALK_DECIDES : WALK_CONTINUES;
  }

  /**
   * For rebased facts (see rebased()): whether callers of the edited chain see it as they did —
   * whether it always ends in a verdict, which fields it may change — so that what the old facts
   * worked out about every chain still holds. `oldRule` (in `old`) and `newRule` are the edited
   * rule before and after, at `index` of the edited chain. The re-read keeps the rule's target
   * (name, kind, goto), so the fields it writes are the same; what may differ is whether it is
   * usable and whether it matches every packet, i.e. its step in alwaysTerminalId's walk.
   */
  editKeepsChainFacts(old: TableFacts, oldRule: Rule, newRule: Rule, index: number): boolean {
    const id = this.editedId;
    if (id === undefined || old.graph.ids !== this.graph.ids) return false;
    const before = oldRule.target;
    const after = newRule.target;
    if (!before !== !after || (before && after && (before.name !== after.name || before.kind !== after.kind || before.goto !== after.goto))) return false;
    // A jump into a chain that leads back here: the walk's memo depends on the order it was
    // computed in; only a whole analysis is sure.
    const callee = this.ruleTarget(id, index);
    if (callee >= 0 && this.reachesEdited(callee)) return false;
    if (this.graph.chains[id].builtin) return true; // never walked: callers cannot jump to a built-in chain
    return old.walkStepOf(id, index, oldRule) === this.walkStepOf(id, index, newRule);
  }

  /** Does chain `id` jump or go (through any chain) to the edited chain, or is it that chain? */
  private reachesEdited(id: number): boolean {
    const edited = this.editedId!;
    const callers = this.callerIndex();
    const seen = new Uint8Array(this.graph.names.length);
    const queue = [edited];
    seen[edited] = 1;
    for (let head = 0; head < queue.length; head++) {
      const chain = queue[head];
      if (chain === id) return true;
      for (let k = callers.starts[chain]; k < callers.starts[chain + 1]; k++) {
        const caller = callers.chainIds[k];
        if (!seen[caller]) {
          seen[caller] = 1;
          queue.push(caller);
        }
      }
    }
    return false;
  }

  /** The rule's target is a verdict (not a jump) that ends the chain for every packet the rule matches. */
  verdictTerminal(rule: Rule): boolean {
    const target = rule.target;
    if (!target || (target.kind !== 'builtin' && target.kind !== 'extension')) return false;
    if (ALWAYS_TERMINAL.has(target.name)) return true;
    return NAT_TERMINAL.has(target.name) && rule.table === 'nat';
  }

  /** Packets this rule matches never reach the next rule of its chain. */
  terminal(rule: Rule): boolean {
    const target = rule.target;
    return this.terminalWithCallee(rule, target?.kind === 'chain' ? (this.graph.ids.get(target.name) ?? -1) : -1);
  }

  /** terminal() of rule `index` of chain `id` (its callee read from the graph, not looked up by name; `ruleClass`: its ruleClass()). */
  terminalAt(id: number, index: number, ruleClass = this.ruleClass(id, index)): boolean {
    switch (ruleClass === RULE_OBJECT ? RULE_OBJECT : ruleClass & RULE_TARGET) {
      case RULE_OBJECT:
        return this.terminalWithCallee(this.graph.chains[id].rules[index], this.ruleTarget(id, index));
      case TARGET_CHAIN: {
        const callee = this.ruleTarget(id, index);
        if (callee < 0 || this.graph.builtin[callee]) return false;
        return (ruleClass & RULE_GOTO) !== 0 || this.alwaysTerminalId(callee);
      }
      case TARGET_VERDICT:
      case TARGET_RETURN:
        return true;
      default:
        return false;
    }
  }

  /** terminal(), the id of the chain the rule jumps or goes to given (-1: none of the table). */
  private terminalWithCallee(rule: Rule, callee: number): boolean {
    const target = rule.target;
    if (!target) return false;
    if (target.kind === 'chain') {
      if (callee < 0 || this.graph.builtin[callee]) return false;
      return target.goto || this.alwaysTerminalId(callee);
    }
    return this.verdictTerminal(rule);
  }

  /** Fields a packet may have changed after this rule let it continue (`id`, `index`: its chain's id and its index there, when known). */
  writes(rule: Rule, id = -1, index = -1): ReadonlySet<Field> | 'all' {
    const target = rule.target;
    if (!target) return EMPTY;
    if (target.kind === 'chain') {
      if (target.goto) return EMPTY; // a goto never comes back to this chain
      const callee = id >= 0 ? this.ruleTarget(id, index) : this.graph.ids.get(target.name);
      const mask = this.chainWritesOfId(callee === undefined || callee < 0 ? undefined : callee);
      return mask === ALL_FIELD_BITS ? 'all' : fieldSetOf(mask);
    }
    if (this.verdictTerminal(rule)) return EMPTY;
    if (target.kind === 'unknown') return 'all';
    return TARGET_WRITE_SETS.get(target.name) ?? 'all';
  }

  /** The fields chain `id` may change, as FIELD_BITS. */
  private chainWritesOfId(id: number | undefined): number {
    if (id === undefined) return ALL_FIELD_BITS;
    const known = this.chainWrites[id];
    if (known >= 0) return known;
    // Kept up to date while computing: a cycle back to this chain reads what is known so far.
    this.chainWrites[id] = 0;
    const rules = this.graph.chains[id].rules;
    for (let index = 0; index < rules.length; index++) {
      const rule = rules[index];
      const target = rule.target;
      if (!target) continue;
      let mask: number;
      // Inside the callee a goto does change what the caller sees afterwards (the goto target returns to the caller).
      if (target.kind === 'chain') {
        const callee = this.ruleTarget(id, index);
        mask = this.chainWritesOfId(callee >= 0 ? callee : undefined);
      } else {
        const w = this.writes(rule);
        mask = w === 'all' ? ALL_FIELD_BITS : fieldBitsOf(w);
      }
      this.chainWrites[id] |= mask;
    }
    // A cycle seen while computing: be conservative for its members.
    return this.chainWrites[id];
  }

  /**
   * The hooks (built-in chains) from which chain `id` is reached through jumps and gotos; empty
   * when it is not reached at all. One propagation of small hook bit masks over the chain graph,
   * done once per table.
   */
  reachingHooksOf(id: number): readonly string[] {
    if (!this.hooks) this.hooks = this.propagateHooks();
    return this.hooks.names[this.hooks.masks[id]];
  }

  private propagateHooks(): { masks: Int32Array; names: string[][] } {
    const { chains } = this.graph;
    const masks = new Int32Array(chains.length);
    const hookNames: string[] = [];
    const queue: number[] = [];
    chains.forEach((chain, id) => {
      if (!isBuiltinChain(this.table.name, chain.name)) return;
      masks[id] = 1 << hookNames.length;
      hookNames.push(chain.name);
      queue.push(id);
    });
    for (let head = 0; head < queue.length; head++) {
      const id = queue[head];
      const mask = masks[id];
      for (let k = 0; k < this.edgeCount(id); k++) {
        const target = this.edgeTarget(id, k);
        const before = masks[target];
        if ((before | mask) === before) continue;
        masks[target] = before | mask;
        queue.push(target);
      }
    }
    const names: string[][] = [];
    for (let mask = 0; mask < 1 << hookNames.length; mask++) names.push(hookNames.filter((_, bit) => mask & (1 << bit)));
    return { masks, names };
  }

  /** The jump rule through which a breadth-first walk from `hook` first enters `chainName`. */
  firstJumpFrom(hook: string, chainName: string): Rule | null {
    if (hook === chainName) return null;
    const start = this.graph.ids.get(hook);
    const goal = this.graph.ids.get(chainName);
    if (start === undefined || goal === undefined) return null;
    const queue: number[] = [start];
    const seen = new Uint8Array(this.graph.chains.length);
    seen[start] = 1;
    for (let head = 0; head < queue.length; head++) {
      const id = queue[head];
      for (let k = 0; k < this.edgeCount(id); k++) {
        const target = this.edgeTarget(id, k);
        if (seen[target]) continue;
        if (target === goal) return this.edgeRule(id, k);
        seen[target] = 1;
        queue.push(target);
      }
    }
    return null;
  }
}

const NO_RULES: Rule[] = [];
/** chains rebased (or indexed by caller) per step after an edit (about 1–2 ms) */
const REBASE_SLICE_CHAINS = 5000;
/** rules read per step when the facts are built a little at a time (about 1–2 ms) */
const FACTS_SLICE_RULES = 400;
const EMPTY: ReadonlySet<Field> = new Set();
/** A set of fields as bits (chainWrites): bit k is ALL_FIELDS[k]. */
const ALL_FIELD_BITS = (1 << ALL_FIELDS.length) - 1;
const FIELD_BITS_OF_SET = new Map<ReadonlySet<Field>, number>();
function fieldBitsOf(fields: ReadonlySet<Field>): number {
  const known = FIELD_BITS_OF_SET.get(fields);
  if (known !== undefined) return known;
  let mask = 0;
  ALL_FIELDS.forEach((field, bit) => {
    if (fields.has(field)) mask |= 1 << bit;
  });
  // The sets passed in are the shared constants (TARGET_WRITE_SETS, FIELD_SETS, EMPTY).
  if (FIELD_BITS_OF_SET.size < 256) FIELD_BITS_OF_SET.set(fields, mask);
  return mask;
}
/** One shared set per mask (a handful occur): callers only read them. */
const FIELD_SETS = new Map<number, ReadonlySet<Field>>();
function fieldSetOf(mask: number): ReadonlySet<Field> {
  let set = FIELD_SETS.get(mask);
  if (!set) FIELD_SETS.set(mask, (set = new Set(ALL_FIELDS.filter((_, bit) => mask & (1 << bit)))));
  return set;
}
const TARGET_WRITE_SETS = new Map<string, ReadonlySet<Field>>(Object.entries(TARGET_WRITES).map(([name, fields]) => [name, new Set(fields)]));

import { certainlyStateful, isUniversal as isUniversalRule } from './constraints';
import { lineOf } from '../positions';

/** The span to delete to remove a whole line, newline included. */
export function wholeLineSpan(ruleset: Ruleset, span: Span): Span {
  const text = ruleset.text;
  let end = span.end;
  if (text.charCodeAt(end) === 13) end++;
  if (text.charCodeAt(end) === 10) return { start: span.start, end: end + 1 };
  // Last line without a newline: take the newline before it instead.
  const start = span.start > 0 && text.charCodeAt(span.start - 1) === 10 ? span.start - 1 : span.start;
  return { start, end };
}

/** 1-based line of an offset. */
export function lineNumber(ruleset: Ruleset, offset: number): number {
  return lineOf(ruleset.lineStarts, offset) + 1;
}
