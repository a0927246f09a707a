// The iptables-save / iptables-restore parser. It never throws: whatever the input, it returns a
// Ruleset plus problems, and a broken line costs that line only.
//
// Line handling follows iptables-restore (iptables/iptables-restore.c, xtables-restore.c):
//   - a line starting with '#' is a comment; an empty line is skipped;
//   - `*table` opens a table, `COMMIT` (exactly) closes it;
//   - `:CHAIN POLICY [pkts:bytes]` declares a chain inside a table;
//   - anything else inside a table is a command line (-A, -I, -N, -P …) parsed like the iptables
//     command line; anything else outside a table is an error.
// Option parsing follows iptables' getopt_long use: options of every loaded match stay available
// for the rest of the rule, `-p tcp --dport 22` loads the tcp match implicitly, and an unambiguous
// prefix of a long option is accepted.

import {
  BUILTIN_CHAINS,
  type Chain,
  type Command,
  type CommandLine,
  type Counters,
  type Criteria,
  type Family,
  type MatchUse,
  type OptionUse,
  type Problem,
  type Rule,
  type Ruleset,
  type Severity,
  type Span,
  type Table,
  type TableName,
  TABLE_NAMES,
  type TargetUse,
  type Token,
  isBuiltinChain,
} from './model';
import { findMatch, findTarget } from './extensions/registry';
import { GENERIC_OPTIONS } from './extensions/generic';
import type { MatchSpec, OptionSpec, TargetSpec } from './extensions/types';
import { makeToken, ownCopy, tokenizeLine } from './tokenizer';
import { ParsedMatch, ParsedOption, ParsedTarget, compactRule } from './rule-model';
import { BUILTIN_CHAIN_NAMES, type RuleOutline, LineTokens, NAMED_LIKE_TARGET, NO_CHAIN, RuleTemplates, USER_CHAIN, type ShapeContext } from './rule-templates';
import { NAT_PORT_TARGETS, PORT_PROTOCOLS, checkAddress, checkInterface, checkValue, natPortProtocol } from './values';
import { elideLongWords } from './elide';
import { protocolNumber } from './packet';
import { protocolProblem } from './extensions/value-checks';
import { lineOf, lowerBound } from './positions';
import { changedRegion, movedProblem, problemSpans, type ChangedRegion } from './text-diff';
import { runToEnd } from './steps';

export interface ParseOptions {
  /** force the address family; otherwise taken from the header comment, the file name, or the addresses */
  family?: Family;
  /** used only to guess the family (`rules.v6`) */
  fileName?: string;
}

/** Everything parsed, plus the raw command lines that are not rules (for navigation). */
export interface ParsedRuleset extends Ruleset {
  commands: CommandLine[];
}

const BUILTIN_VERDICTS = new Set(['ACCEPT', 'DROP', 'RETURN', 'QUEUE']);

/** Targets iptables knows that the registry does not model: kept verbatim with a warning. */
const UNMODELLED_TARGETS = new Set([
  'ULOG', 'CLUSTERIP', 'ECN', 'RATEEST', 'DNPT', 'SNPT', 'TCPOPTSTRIP', 'LED', 'MIRROR', 'SAME', 'ROUTE', 'IPV4OPTSSTRIP',
  'TARPIT', 'DELUDE', 'CHAOS', 'ACCOUNT', 'LOGMARK', 'IPMARK', 'SYSRQ', 'DHCPMAC', 'STEAL', 'RAWDNAT', 'RAWSNAT', 'FLOWOFFLOAD',
  'IDLETIMER', 'HMARK', 'TEE', 'SYNPROXY', 'SECMARK', 'CONNSECMARK', 'AUDIT', 'CHECKSUM', 'CLASSIFY', 'SET', 'TPROXY',
]);

/** The rule's own options (everything that is not a match or target extension option). */
interface GenericOption {
  name: string;
  short?: string;
  long: string[];
  arity: number;
  negatable: boolean;
}

// The table of generic options lives in extensions/generic.ts (with docs); `-t` is added here only
// to give the precise restore error for it.
const GENERIC: GenericOption[] = [
  ...GENERIC_OPTIONS.map((o) => ({ name: o.name, short: o.short, long: [o.name, ...(o.aliases ?? [])], arity: typeof o.arity === 'number' ? o.arity : o.arity[1], negatable: o.negatable })),
  { name: 'table', short: 't', long: ['table'], arity: 1, negatable: false },
];
const GENERIC_BY_SHORT = new Map<string, GenericOption>();
const GENERIC_BY_LONG = new Map<string, GenericOption>();
for (const option of GENERIC) {
  if (option.short) GENERIC_BY_SHORT.set(option.short, option);
  for (const long of option.long) GENERIC_BY_LONG.set(long, option);
}

interface CommandSpec {
  command: Command;
  short: string;
  long: string;
}
const COMMANDS: CommandSpec[] = [
  { command: 'append', short: 'A', long: 'append' },
  { command: 'insert', short: 'I', long: 'insert' },
  { command: 'delete', short: 'D', long: 'delete' },
  { command: 'replace', short: 'R', long: 'replace' },
  { command: 'new-chain', short: 'N', long: 'new-chain' },
  { command: 'delete-chain', short: 'X', long: 'delete-chain' },
  { command: 'flush', short: 'F', long: 'flush' },
  { command: 'zero', short: 'Z', long: 'zero' },
  { command: 'policy', short: 'P', long: 'policy' },
];
const RENAME_COMMAND = { short: 'E', long: 'rename-chain' };
/** -4 / -6 and their long forms: the family a rule is for */
const FAMILY_OPTIONS = new Map<string, Family>([['-4', 'ipv4'], ['--ipv4', 'ipv4'], ['-6', 'ipv6'], ['--ipv6', 'ipv6']]);
const LISTING_COMMANDS = new Set(['L', 'S', 'list', 'list-rules', 'C', 'check', 'h', 'help', 'V', 'version']);

function commandOf(text: string): CommandSpec | 'rename' | undefined {
  if (text.startsWith('--')) {
    const name = text.slice(2);
    if (name === RENAME_COMMAND.long) return 'rename';
    return COMMANDS.find((c) => c.long === name);
  }
  if (text.length === 2 && text[0] === '-') {
    if (text[1] === RENAME_COMMAND.short) return 'rename';
    return COMMANDS.find((c) => c.short === text[1]);
  }
  return undefined;
}

/** Per-table state while parsing. */
interface TableState {
  table: Table;
  /**
   * order in which each chain became known (declaration or -N), to check use-before-declare; read
   * it with declaredLine(): checked mode keeps it on the chain (LazyChain.declaredAt) instead
   */
  declaredAtLine: Map<string, number>;
  /** jumps to chains, checked against the declarations when the table is complete */
  pendingJumps: Array<{ name: string; token: Span; line: number }>;
  /** checked mode: the table's rule-line templates (see rule-templates.ts) */
  templates?: RuleTemplates;
  shapeContext?: ShapeContext & { targetChain?: Chain };
  /** checked mode: the chain of the previous `-A` line (iptables-save writes a chain's rules together) */
  lastRuleChain?: Chain;
  /** checked mode: where that line wrote the chain's name (compared in place: no string, no lookup) */
  lastRuleChainNameStart?: number;
  /** checked mode: every chain of the table (newChain adds them), found by the text of a name */
  chainIndex?: ChainNameIndex;
  /** lazy modes: the table's `-A` lines, filed under their chains (LazyChain) */
  rows?: RuleRows;
}

/**
 * The `-A` lines of one table as the lazy parse files them: one row per line in file order, each
 * column a typed array — where the line is, its LazyRule code, where its target's name starts — and
 * the next row of the same chain (a LazyChain keeps its first and last row). 113k rules in a few
 * arrays instead of two small arrays per chain (82k arrays at 10k services: GC work and ~12 MB).
 * Read-only once its table is read; a re-read version gets a copy with later offsets moved.
 */
class RuleRows {
  length = 0;
  lines: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  codes: Int32Array;
  /** offset of the target's name (-1: none known) */
  targetStarts: Int32Array;
  /** the next row of the same chain (-1: the chain's last) */
  nexts: Int32Array;
  /** checked mode: the jumped-to chain's name (that chain's own string), when known while checking */
  targetNames: Array<string | undefined>;
  /** checked mode: that chain's number in the table's ChainNameIndex (its place in table.chains), else -1 */
  targetEntries: Int32Array;

  constructor(capacity = 256, from?: RuleRows) {
    this.lines = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.codes = new Int32Array(capacity);
    this.targetStarts = new Int32Array(capacity);
    this.nexts = new Int32Array(capacity);
    this.targetNames = [];
    this.targetEntries = new Int32Array(capacity);
    if (from) {
      this.length = from.length;
      this.lines.set(from.lines.subarray(0, from.length));
      this.starts.set(from.starts.subarray(0, from.length));
      this.ends.set(from.ends.subarray(0, from.length));
      this.codes.set(from.codes.subarray(0, from.length));
      this.targetStarts.set(from.targetStarts.subarray(0, from.length));
      this.nexts.set(from.nexts.subarray(0, from.length));
      this.targetNames = from.targetNames.slice();
      this.targetEntries.set(from.targetEntries.subarray(0, from.length));
    }
  }

  /** A new row (not yet linked to its chain: LazyChain.file). */
  add(line: number, start: number, end: number, code: number, targetStart: number, targetName: string | undefined, targetEntry = -1): number {
    if (this.length === this.lines.length) this.resize(this.length * 2);
    const row = this.length++;
    this.lines[row] = line;
    this.starts[row] = start;
    this.ends[row] = end;
    this.codes[row] = code;
    this.targetStarts[row] = targetStart;
    this.nexts[row] = -1;
    this.targetNames[row] = targetName;
    this.targetEntries[row] = targetEntry;
    return row;
  }

  /** Row `from`'s line in row `to` (a re-read puts the edited line where it was); `to` keeps its link. */
  copyRow(from: number, to: number): void {
    this.lines[to] = this.lines[from];
    this.starts[to] = this.starts[from];
    this.ends[to] = this.ends[from];
    this.codes[to] = this.codes[from];
    this.targetStarts[to] = this.targetStarts[from];
    this.targetNames[to] = this.targetNames[from];
    this.targetEntries[to] = this.targetEntries[from];
  }

  /** Forget the rows from `length` on. */
  truncate(length: number): void {
    this.length = length;
    this.targetNames.length = length;
  }

  /** Exact size, once the table is read. */
  trim(): void {
    if (this.lines.length !== this.length) this.resize(this.length);
  }

  /** A copy for the text after an edit of line `editedLine`: the offsets of later lines moved by `delta`. */
  movedCopy(editedLine: number, delta: number): RuleRows {
    const copy = new RuleRows(Math.max(this.length + 1, 16), this);
    if (delta !== 0) {
      for (let row = 0; row < copy.length; row++) {
        if (copy.lines[row] <= editedLine) continue;
        copy.starts[row] += delta;
        copy.ends[row] += delta;
        if (copy.targetStarts[row] >= 0) copy.targetStarts[row] += delta;
      }
    }
    return copy;
  }

  private resize(capacity: number): void {
    const grow = (column: Int32Array) => {
      const next = new Int32Array(capacity);
      next.set(column.subarray(0, Math.min(this.length, capacity)));
      return next;
    };
    this.lines = grow(this.lines);
    this.starts = grow(this.starts);
    this.ends = grow(this.ends);
    this.codes = grow(this.codes);
    this.targetStarts = grow(this.targetStarts);
    this.nexts = grow(this.nexts);
    this.targetEntries = grow(this.targetEntries);
  }
}

/**
 * The chains of one table found by where their name is written, without slicing a string: the
 * checked parse looks a chain up for every declaration, for the first rule of each chain and for
 * every jump (~200k lookups in a kube dump), and a Map lookup first needs a new string and its hash.
 * Open addressing over the names' FNV-1a hashes.
 */
class ChainNameIndex {
  private slots = new Int32Array(1 << 12); // entry + 1; 0: empty
  private readonly chains: Chain[] = [];
  private readonly hashes: number[] = [];
  /** where the name is written in the text (-1: compare with the chain's name string instead) */
  private readonly nameStarts: number[] = [];

  /** the hash find() computed last, and for which name (add() after a failed find() reuses it) */
  private lastHash = 0;
  private lastHashStart = -1;
  private lastHashEnd = -1;

  get size(): number {
    return this.chains.length;
  }

  /**
   * find(), trying first the few chains added right after chain number `after` (-1: none): an
   * iptables-save dump writes the rules of its chains in the order it declared them, so the chain
   * of an `-A` line that starts a new chain is nearly always the next declared one (or close).
   */
  findAfter(after: number, text: string, start: number, end: number): Chain | undefined {
    if (after >= 0) {
      const length = end - start;
      const last = Math.min(after + 4, this.chains.length);
      for (let entry = after + 1; entry < last; entry++) {
        const chain = this.chains[entry];
        if (chain.name.length !== length) continue;
        const at = this.nameStarts[entry];
        if (at >= 0 ? sameText(text, at, start, length) : equalsAt(chain.name, text, start, end)) return chain;
      }
    }
    return this.find(text, start, end);
  }

  /** The number of `chain` in this index (the order chains were added), or -1. */
  entryOf(chain: Chain): number {
    const entry = (chain as LazyChain).indexEntry;
    return entry !== undefined && this.chains[entry] === chain ? entry : -1;
  }

  /** `hash`: nameHash(text, start, end) when the caller computed it while scanning the name. */
  find(text: string, start: number, end: number, hash = nameHash(text, start, end)): Chain | undefined {
    const length = end - start;
    this.lastHash = hash;
    this.lastHashStart = start;
    this.lastHashEnd = end;
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] - 1;
      if (entry < 0) return undefined;
      if (this.hashes[entry] !== hash) continue;
      // Compare where the two names are written (the text is flat; a chain's name string is a slice of it).
      const at = this.nameStarts[entry];
      if (at >= 0 ? this.chains[entry].name.length === length && sameText(text, at, start, length) : equalsAt(this.chains[entry].name, text, start, end)) return this.chains[entry];
    }
  }

  /** `nameStart`: where the chain's name is written in the text, when it is (else -1). */
  add(chain: Chain, text: string, nameStart: number): void {
    if (this.chains.length * 2 >= this.slots.length) this.grow();
    const nameEnd = nameStart + chain.name.length;
    const hash =
      nameStart < 0 ? nameHash(chain.name, 0, chain.name.length) : nameStart === this.lastHashStart && nameEnd === this.lastHashEnd ? this.lastHash : nameHash(text, nameStart, nameEnd);
    if (chain instanceof LazyChain) chain.indexEntry = this.chains.length;
    this.chains.push(chain);
    this.hashes.push(hash);
    this.nameStarts.push(nameStart);
    this.place(this.chains.length - 1, hash);
  }

  private place(entry: number, hash: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = entry + 1;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let entry = 0; entry < this.chains.length; entry++) this.place(entry, this.hashes[entry]);
  }
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 16777619;

/**
 * The line that made chain `name` known (-1: built in; MAX_SAFE_INTEGER: used undeclared), undefined
 * when it is not known. The checked parse keeps it on its chains (LazyChain.declaredAt), the other
 * modes in state.declaredAtLine.
 */
function declaredLine(state: TableState, name: string): number | undefined {
  const recorded = state.declaredAtLine.get(name);
  if (recorded !== undefined) return recorded;
  const chain = state.table.chains.get(name);
  return chain instanceof LazyChain ? chain.declaredAt : undefined;
}

/** FNV-1a of text[start, end) (ChainNameIndex). */
function nameHash(text: string, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let k = start; k < end; k++) hash = Math.imul(hash ^ text.charCodeAt(k), FNV_PRIME);
  return hash;
}

/** name === text.slice(start, end), without the slice. */
function equalsAt(name: string, text: string, start: number, end: number): boolean {
  if (name.length !== end - start) return false;
  for (let k = 0; k < name.length; k++) if (name.charCodeAt(k) !== text.charCodeAt(start + k)) return false;
  return true;
}

class Parser {
  private problems: Problem[] = [];
  /** for each problem, the line being read when it was reported: non-decreasing (reparseAfterLineEdit) */
  private problemLines: number[] = [];
  private readonly tables: Table[] = [];
  private readonly commands: CommandLine[] = [];
  private lineStarts: number[] = [];
  private family: Family;
  private familyReason: string;
  private current: TableState | undefined;
  private crlfReported = false;
  /**
   * Trace mode (see parseRulesetForTrace): `-A` lines are only filed under their chain and parsed
   * when something reads that chain's rules. Any other command line makes the lazy parse give up.
   */
  lazy = false;
  lazyFailed = false;
  /**
   * Checked mode (parseRuleset's fast path): lazy rules as in trace mode, but every `-A` line is
   * checked when it is read — by a rule-line template or, failing that, by the full rule parse — so
   * the problems are complete. Lines it cannot file (other commands, odd quoting) set lazyFailed.
   */
  checked = false;
  /** while materialising a lazy rule: its problems were reported when the line was checked */
  private muted = false;
  private readonly lineTokens = new LineTokens();
  /** tokenText()'s scratch: the line starting at readTokensStart, scanned */
  private readonly readTokens = new LineTokens();
  private readTokensStart = -1;
  /** while rebuilding a checked rule: whether its target's name was a chain when the line was read */
  private targetWasChain: boolean | undefined;

  constructor(
    private readonly text: string,
    options: ParseOptions,
  ) {
    const guess = guessFamily(text, options);
    this.family = guess.family;
    this.familyReason = guess.reason;
  }

  // Resumable line loop: step() parses up to `maxLines` lines, so a caller (the language server)
  // can yield between slices of a 100k-line dump and drop the work when the document changes.
  private pos = 0;
  /** the line being read (reported problems are tagged with it) */
  private lineIndex = 0;
  private done = false;

  step(maxLines: number): boolean {
    const text = this.text;
    const length = text.length;
    let budget = maxLines;
    while (!this.done && budget-- > 0) {
      if (this.lazyFailed && this.checked) return (this.done = true);
      const pos = this.pos;
      let lineEnd = text.indexOf('\n', pos);
      const hasNewline = lineEnd >= 0;
      if (!hasNewline) lineEnd = length;
      this.lineStarts.push(pos);
      let contentEnd = lineEnd;
      if (contentEnd > pos && text.charCodeAt(contentEnd - 1) === 13) {
        contentEnd--;
        // (restore reads a comment's \r as part of the comment: the first other line is the one it rejects)
        if (text.charCodeAt(pos) !== 35 /* # */) this.reportCrlf(contentEnd);
      }
      if (pos < length || hasNewline) this.parseLine(this.lineIndex, pos, contentEnd);
      if (!hasNewline) {
        this.done = true;
        this.finishFile(this.lineIndex);
        break;
      }
      this.pos = lineEnd + 1;
      this.lineIndex++;
    }
    return this.done;
  }

  result(): ParsedRuleset {
    const result: ParsedRuleset = {
      text: this.text,
      family: this.family,
      familyReason: this.familyReason,
      tables: this.tables,
      problems: this.problems,
      lineStarts: this.lineStarts,
      commands: this.commands,
    };
    if (this.checked && this.done && !this.lazyFailed) CHECKED_PARSERS.set(result, this);
    return result;
  }

  /**
   * See reparseAfterLineEdit(). `this` is the finished checked parse of the previous text; the
   * result is a new parser whose tables, chains and problems are this one's with offsets after the
   * edit moved, and the edited line filed again the way fileChecked files any line. Undefined for
   * every edit it cannot prove local: then only a whole parse is right.
   */
  *reparseAfterLineEdit(previous: ParsedRuleset, text: string, options: ParseOptions): Generator<void, ParsedRuleset | undefined, void> {
    const before = this.text;
    const region = changedRegion(before, text);
    if (!region || this.crlfReported || this.commands.length > 0) return undefined;
    yield; // comparing two 17 MB texts takes a few milliseconds
    if (hasLineBreak(before, region.start, region.oldEnd) || hasLineBreak(text, region.start, region.newEnd)) return undefined;
    const delta = region.newEnd - region.oldEnd;
    const line = lineOf(this.lineStarts, region.start);
    const lineStart = this.lineStarts[line];
    const oldLineEnd = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] - 1 : before.length;
    const newLineEnd = oldLineEnd + delta;
    if (newLineEnd > lineStart && text.charCodeAt(newLineEnd - 1) === 13 /* \r */) return undefined;

    // The old line: an `-A` line filed under a chain declared before it.
    const editedTable = this.tables.find((t) => t.span.start < lineStart && lineStart <= t.span.end);
    const tokens = this.lineTokens;
    if (!editedTable || !tokens.scan(before, lineStart, oldLineEnd)) return undefined;
    const first = tokens.count > 0 && before.charCodeAt(tokens.starts[0]) === 91 /* [ */ ? 1 : 0;
    if (tokens.count < first + 2) return undefined;
    const oldChain = editedTable.chains.get(tokens.value(before, first + 1));
    if (!(oldChain instanceof LazyChain)) return undefined;
    const { row: slot, index: slotIndex } = oldChain.rowOfLine(line);
    const chainDeclaredAt = declaredLine(oldChain.state, oldChain.name);
    if (slot < 0 || chainDeclaredAt === undefined || chainDeclaredAt >= line) return undefined;

    // The old line's own problems (reported while it was read) are replaced; no other problem may
    // point into the line (a jump from it resolved at COMMIT, say).
    const firstOfLine = lowerBound(this.problemLines, line);
    const endOfLine = lowerBound(this.problemLines, line + 1);
    const touchesLine = (span: Span) => span.start <= oldLineEnd && span.end >= lineStart;
    for (let k = 0; k < this.problems.length; k++) {
      if (k === firstOfLine) k = endOfLine;
      if (k >= this.problems.length) break;
      if (problemSpans(this.problems[k]).some(touchesLine)) return undefined;
    }

    const next = new Parser(text, options);
    if (next.family !== this.family || next.familyReason !== this.familyReason) return undefined;
    next.lazy = next.checked = true;
    next.done = true;
    // Everything but the edited line lies before it or after it.
    const move = (offset: number) => (offset < region.start ? offset : offset + delta);
    const moveSpan = (span: Span): Span => (delta === 0 || span.end < region.start ? span : { start: move(span.start), end: move(span.end) });
    let editedState: TableState | undefined;
    for (const table of this.tables) {
      const copy: Table = { name: table.name, headerSpan: moveSpan(table.headerSpan), nameSpan: moveSpan(table.nameSpan), chains: new Map(), span: moveSpan(table.span) };
      if (table.commitSpan) copy.commitSpan = moveSpan(table.commitSpan);
      let state: TableState | undefined;
      let copied = 0;
      for (const [name, chain] of table.chains) {
        if (!(chain instanceof LazyChain)) return undefined;
        // 40k chains take ~50 ms to copy (mostly allocation): pause now and then.
        if (++copied % REPARSE_SLICE_CHAINS === 0) yield;
        // The table's filed lines, copied with later offsets moved (~3 MB at 10k services, a few
        // milliseconds); each chain keeps its rows (the edited line's row is replaced below).
        state ??= { table: copy, declaredAtLine: chain.state.declaredAtLine, pendingJumps: [], templates: chain.state.templates, rows: chain.state.rows?.movedCopy(line, delta) };
        const moved = new LazyChain(chain.name, chain.table, chain.builtin, chain.policy, state, next);
        moved.takeRowsOf(chain);
        if (chain.policySpan) moved.policySpan = moveSpan(chain.policySpan);
        if (chain.counters) moved.counters = chain.counters.span.end < region.start || delta === 0 ? chain.counters : { ...chain.counters, span: moveSpan(chain.counters.span) };
        if (chain.declSpan) moved.declSpan = moveSpan(chain.declSpan);
        if (chain.nameSpan) moved.nameSpan = moveSpan(chain.nameSpan);
        moved.declaredAt = chain.declaredAt;
        moved.jumpKind = chain.jumpKind;
        copy.chains.set(name, moved);
      }
      next.tables.push(copy);
      if (table === editedTable) editedState = state;
    }
    const chain = editedState?.table.chains.get(oldChain.name);
    if (!editedState || !(chain instanceof LazyChain)) return undefined;

    // The new line: still an `-A` to the same chain (else it would create or change a chain).
    if (!tokens.scan(text, lineStart, newLineEnd)) return undefined;
    const newFirst = tokens.count > 0 && text.charCodeAt(tokens.starts[0]) === 91 /* [ */ ? 1 : 0;
    if (tokens.count < newFirst + 2 || tokens.quoted[newFirst + 1] || tokens.value(text, newFirst + 1) !== oldChain.name) return undefined;

    // File the new line as a whole parse would, then put its row where the old one was.
    const rows = editedState.rows;
    if (!rows) return undefined;
    const filed = rows.length;
    const lastBefore = chain.lastRow;
    editedState.lastRuleChain = undefined; // (the line is compared with no previous one: filed by name)
    next.lineIndex = line;
    next.current = editedState; // as while its table is read (the full rule parse reads it)
    next.fileChecked(editedState, line, lineStart, newLineEnd);
    next.current = undefined;
    if (next.lazyFailed || rows.length !== filed + 1 || chain.lastRow !== filed || editedState.table.chains.size !== editedTable.chains.size) return undefined;
    // Jumps COMMIT would check: only to chains declared before the line (nothing to report).
    for (const jump of editedState.pendingJumps) {
      const declaredAt = declaredLine(editedState, jump.name);
      if (!editedState.table.chains.has(jump.name) || declaredAt === undefined || declaredAt >= line) return undefined;
    }
    rows.copyRow(filed, slot);
    chain.unfileLast(lastBefore);
    rows.truncate(filed);

    yield;
    // Same jump as before, to a chain that was already declared at the line: nothing outside the
    // line (pending jumps, which chains exist, the jump graph's edges) depends on the edit.
    const oldTarget = oldChain.rules[slotIndex].target;
    const newTarget = chain.rules[slotIndex].target;
    if (!oldTarget !== !newTarget) return undefined;
    if (oldTarget && newTarget) {
      if (oldTarget.name !== newTarget.name || oldTarget.kind !== newTarget.kind || oldTarget.goto !== newTarget.goto) return undefined;
      const targetDeclaredAt = declaredLine(editedState, newTarget.name);
      if (editedState.table.chains.has(newTarget.name) && (targetDeclaredAt === undefined || targetDeclaredAt >= line)) return undefined;
    }

    const moveProblem = (problem: Problem): Problem => (delta === 0 ? problem : movedProblem(problem, moveSpan));
    next.problems = [...this.problems.slice(0, firstOfLine).map(moveProblem), ...next.problems, ...this.problems.slice(endOfLine).map(moveProblem)];
    next.problemLines = [...this.problemLines.slice(0, firstOfLine), ...next.problemLines, ...this.problemLines.slice(endOfLine)];
    next.lineStarts = this.lineStarts.map((start, k) => (k > line ? start + delta : start));
    const result = next.result();
    LINE_EDITS.set(result, { previous: new WeakRef(previous), table: this.tables.indexOf(editedTable), chain: oldChain.name, index: slotIndex, line, region });
    return result;
  }

  parse(): ParsedRuleset {
    while (!this.step(Number.MAX_SAFE_INTEGER));
    return this.result();
  }

  // ---------------------------------------------------------------- problems

  private report(severity: Severity, code: string, message: string, span: Span, extra?: Partial<Problem>): Problem {
    const problem: Problem = { severity, code, message: elideLongWords(message), span: { start: span.start, end: span.end }, ...extra };
    if (!this.muted) {
      this.problems.push(problem);
      this.problemLines.push(this.lineIndex);
    }
    return problem;
  }

  private reportCrlf(at: number): void {
    if (this.crlfReported) return;
    this.crlfReported = true;
    this.report(
      'error',
      'parse/crlf',
      'Windows (CRLF) line endings: iptables-restore reads the \\r as part of each line and rejects the file. Convert to LF.',
      { start: at, end: at + 1 },
    );
  }

  // ---------------------------------------------------------------- lines

  private parseLine(lineIndex: number, start: number, end: number): void {
    const text = this.text;
    if (start === end) return; // empty line
    const first = text.charCodeAt(start);
    if (first === 35 /* # */) return;
    if (first === 0x2a /* * */ && !this.current) return this.parseTableHeader(lineIndex, start, end);
    if (this.current && end - start === 6 && text.startsWith('COMMIT', start)) {
      if (end === text.length) {
        // restore compares the line with "COMMIT\n": without the final line break it is not a COMMIT.
        this.report('error', 'parse/commit-no-newline', 'the file ends right after COMMIT: iptables-restore needs a line break after COMMIT and rejects this line', { start, end }, {
          fixes: [{ title: 'Add the final line break', edits: [{ span: { start: end, end }, newText: '\n' }] }],
        });
      }
      return this.parseCommit(start, end);
    }
    if (first === 58 /* : */ && this.current) return this.parseChainDeclaration(lineIndex, start, end);
    if (this.current) return this.parseCommandLine(lineIndex, start, end);
    this.parseOutsideTable(lineIndex, start, end);
  }

  private parseOutsideTable(lineIndex: number, start: number, end: number): void {
    const line = this.text.slice(start, end);
    const trimmed = line.trim();
    const span = { start, end };
    if (trimmed === '') {
      this.report('error', 'parse/whitespace-line', 'a line of only spaces is not an empty line for iptables-restore ("no command specified"); delete the spaces', span, {
        fixes: [{ title: 'Remove the spaces', edits: [{ span, newText: '' }] }],
      });
      return;
    }
    if (trimmed === 'COMMIT') {
      this.report('error', 'parse/commit-outside-table', 'COMMIT without an open table (no `*table` line before it)', span);
      return;
    }
    if (/^(Chain |target\s+prot|pkts\s+bytes|num\s+target)/.test(trimmed)) {
      this.report('error', 'parse/listing-output', 'this looks like `iptables -L` output, not `iptables-save` output; run `iptables-save` to get a dump this file can hold', span);
      return;
    }
    if (trimmed.startsWith('-') || trimmed.startsWith('[') || trimmed.startsWith(':')) {
      this.report('error', 'parse/outside-table', 'rule or chain outside a table: add a `*filter` (or other table) line before it', span);
      return;
    }
    this.report('error', 'parse/unexpected-line', `iptables-restore cannot read this line (expected \`*table\`, a \`#\` comment or an empty line)`, span);
  }

  private parseTableHeader(lineIndex: number, start: number, end: number): void {
    const { tokens } = tokenizeLine(this.text, start + 1, end);
    const nameToken = tokens[0];
    const headerSpan = { start, end };
    const name = nameToken ? nameToken.text : '';
    const nameSpan: Span = nameToken ? { start: nameToken.start, end: nameToken.end } : { start, end: start + 1 };
    if (!(TABLE_NAMES as readonly string[]).includes(name)) {
      this.report('error', 'parse/unknown-table', name === '' ? 'table name missing after `*`' : `unknown table '${name}' (tables: ${TABLE_NAMES.join(', ')})`, nameToken ?? headerSpan);
    }
    const existing = this.tables.find((t) => t.name === name);
    if (existing) {
      this.report('warning', 'parse/duplicate-table', `table '${name}' appears a second time; iptables-restore replaces the first block with this one`, nameSpan, {
        related: [{ span: existing.headerSpan, message: 'first block' }],
      });
      this.tables.splice(this.tables.indexOf(existing), 1);
    }
    const table: Table = { name, headerSpan, nameSpan, chains: new Map(), span: { start, end } };
    this.tables.push(table);
    this.current = { table, declaredAtLine: new Map(), pendingJumps: [] };
    if (this.lazy && this.checked) this.current.chainIndex = new ChainNameIndex();
    // Built-in chains exist in every table even when the dump does not declare them.
    const builtins = (BUILTIN_CHAINS as Record<string, readonly string[] | undefined>)[name] ?? [];
    for (const chainName of builtins) {
      table.chains.set(chainName, this.newChain(chainName, name, true, 'ACCEPT'));
      this.current.declaredAtLine.set(chainName, -1);
    }
    void lineIndex;
  }

  private parseCommit(start: number, end: number): void {
    const state = this.current!;
    state.table.commitSpan = { start, end };
    state.table.span.end = end;
    this.closeTable(state);
    this.current = undefined;
  }

  private parseChainDeclaration(lineIndex: number, start: number, end: number): void {
    const state = this.current!;
    const table = state.table;
    if (this.lazy && (this.checked ? this.declareChecked(state, lineIndex, start, end) : this.declareLazily(state, lineIndex, start, end))) return;
    const { tokens } = tokenizeLine(this.text, start + 1, end);
    const lineSpan = { start, end };
    table.span.end = end;
    const [nameToken, policyToken, countersToken] = tokens;
    if (!nameToken) {
      this.report('error', 'parse/chain-name-missing', 'chain name missing after `:`', lineSpan);
      return;
    }
    const name = nameToken.text;
    if (name.length > 28) {
      this.report('error', 'parse/chain-name-too-long', `chain name '${name}' is ${name.length} characters; iptables allows at most 28`, nameToken);
    }
    if (!policyToken) {
      this.report('error', 'parse/policy-missing', `chain '${name}' has no policy: write \`:${name} - [0:0]\` for a user chain or ACCEPT/DROP for a built-in one`, lineSpan);
    }
    const builtin = isBuiltinChain(table.name, name);
    let chain = table.chains.get(name);
    if (chain && !builtin && chain.declSpan) {
      this.report('error', 'parse/duplicate-chain', `chain '${name}' is declared twice (iptables-restore: chain already exists)`, nameToken, {
        related: [{ span: chain.declSpan, message: 'first declaration' }],
      });
      return;
    }
    if (!chain) {
      chain = this.newChain(name, table.name, builtin);
      table.chains.set(chain.name, chain);
      state.declaredAtLine.set(chain.name, lineIndex);
    }
    chain.declSpan = lineSpan;
    chain.nameSpan = { start: nameToken.start, end: nameToken.end };
    if (policyToken) {
      const policy = policyToken.text;
      if (builtin) {
        if (policy === 'ACCEPT' || policy === 'DROP') {
          chain.policy = policy;
          chain.policySpan = { start: policyToken.start, end: policyToken.end };
        } else if (policy === '-') {
          chain.policy = 'ACCEPT';
          chain.policySpan = { start: policyToken.start, end: policyToken.end };
        } else {
          this.report('error', 'parse/bad-policy', `invalid policy '${policy}' for built-in chain ${name}: only ACCEPT or DROP`, policyToken);
        }
      } else if (policy !== '-') {
        this.report('error', 'parse/policy-on-user-chain', `user chain '${name}' cannot have a policy (iptables: Bad built-in chain name); write '-'`, policyToken, {
          fixes: [{ title: "Replace the policy with '-'", edits: [{ span: { start: policyToken.start, end: policyToken.end }, newText: '-' }] }],
        });
      }
    }
    if (countersToken) {
      chain.counters = this.parseCounters(countersToken);
    }
    if (tokens.length > 3) {
      this.report('warning', 'parse/extra-tokens', 'extra text after the chain counters is ignored by iptables-restore', { start: tokens[3].start, end: tokens[tokens.length - 1].end });
    }
  }

  private parseCounters(token: Token): Counters | undefined {
    const match = /^\[(\d+):(\d+)\]$/.exec(token.text);
    if (!match) {
      this.report('warning', 'parse/bad-counters', `counters '${token.text}' are not of the form [packets:bytes]`, token);
      return undefined;
    }
    const packets = Number(match[1]);
    const bytes = Number(match[2]);
    if (!Number.isSafeInteger(packets) || !Number.isSafeInteger(bytes)) {
      this.report('information', 'parse/counter-precision', 'counter above 2^53: shown rounded', token);
    }
    return { packets, bytes, span: { start: token.start, end: token.end } };
  }

  // ---------------------------------------------------------------- command lines

  private parseCommandLine(lineIndex: number, start: number, end: number): void {
    const state = this.current!;
    state.table.span.end = end;
    if (this.lazy) return this.checked ? this.fileChecked(state, lineIndex, start, end) : this.fileLazily(state, lineIndex, start, end);
    const lineSpan = { start, end };
    const { tokens, unterminatedQuoteAt } = tokenizeLine(this.text, start, end);
    if (tokens.length === 0) {
      this.report('error', 'parse/whitespace-line', 'a line of only spaces is not an empty line for iptables-restore ("no command specified"); delete the spaces', lineSpan, {
        fixes: [{ title: 'Remove the spaces', edits: [{ span: lineSpan, newText: '' }] }],
      });
      return;
    }
    if (unterminatedQuoteAt !== undefined) {
      this.report('warning', 'parse/unterminated-quote', 'quote never closed: iptables-restore takes the rest of the line as one argument', { start: unterminatedQuoteAt, end });
    }
    let index = 0;
    let counters: Counters | undefined;
    if (tokens[0].text.startsWith('[')) {
      counters = this.parseCounters(tokens[0]);
      index = 1;
    }
    const first = tokens[index];
    if (!first) {
      this.report('error', 'parse/no-command', 'counters without a command', lineSpan);
      return;
    }
    if (first.text === '*' || first.text.startsWith('*')) {
      this.report('error', 'parse/missing-commit', `a new table starts before table '${state.table.name}' was committed: add COMMIT before this line`, lineSpan, {
        related: [{ span: state.table.headerSpan, message: `table ${state.table.name} opened here` }],
        fixes: [{ title: 'Insert COMMIT', edits: [{ span: { start, end: start }, newText: 'COMMIT\n' }] }],
      });
      // Recover: close the open table and start the new one, so the rest of the file still parses.
      this.closeTable(state);
      this.current = undefined;
      this.parseTableHeader(lineIndex, start, end);
      return;
    }
    if (first.text === 'COMMIT') {
      this.report('error', 'parse/commit-trailing-text', 'iptables-restore only accepts `COMMIT` alone on its line (no spaces or text after it)', lineSpan, {
        fixes: [{ title: 'Write COMMIT alone', edits: [{ span: lineSpan, newText: 'COMMIT' }] }],
      });
      this.parseCommit(start, end);
      return;
    }
    if (first.text.startsWith('#')) {
      this.report('error', 'parse/indented-comment', 'a comment must start at the first column: iptables-restore reads an indented `#` as an argument', lineSpan, {
        fixes: [{ title: 'Unindent the comment', edits: [{ span: { start, end: first.start }, newText: '' }] }],
      });
      return;
    }
    // `-4` / `-6` may come before the command: this family's is a no-op, the other family's makes
    // restore skip the line there and then (verified with iptables-nft/legacy-restore 1.8.9).
    let command = first;
    while (command && FAMILY_OPTIONS.has(command.text)) {
      if (FAMILY_OPTIONS.get(command.text) !== this.family) {
        this.report('information', 'parse/family-option', `line marked ${command.text} is skipped by ${this.family === 'ipv4' ? 'iptables-restore' : 'ip6tables-restore'} (which reads no further)`, command);
        return;
      }
      command = tokens[++index];
    }
    if (!command) {
      this.report('error', 'parse/no-command', 'no command after the family option', first);
      return;
    }
    const spec = commandOf(command.text);
    if (!spec) {
      if (command.text.startsWith('-') && LISTING_COMMANDS.has(command.text.replace(/^--?/, ''))) {
        this.report('error', 'parse/not-restore-command', `'${command.text}' is not a command iptables-restore can run`, command);
      } else {
        this.report('error', 'parse/no-command', `expected a command (-A, -I, -N, -P …) but found '${command.text}'`, command);
      }
      return;
    }
    const chainToken = tokens[index + 1];
    if (spec === 'rename') {
      this.report('warning', 'parse/rename-chain', '-E (rename chain) is not modelled; later references use the new name', lineSpan);
      return;
    }
    const needsChain = spec.command !== 'flush' && spec.command !== 'zero' && spec.command !== 'delete-chain';
    if (!chainToken || (chainToken.text.startsWith('-') && chainToken.text.length > 1)) {
      if (needsChain) {
        this.report('error', 'parse/chain-missing', `${command.text} needs a chain name`, command);
        return;
      }
    }
    switch (spec.command) {
      case 'append':
      case 'insert':
        this.parseRule(lineIndex, lineSpan, spec.command, command, chainToken!, tokens, index + 2, counters);
        return;
      default:
        this.parseOtherCommand(lineIndex, lineSpan, spec.command, command, chainToken, tokens, index + 2);
    }
  }

  /**
   * Trace mode's `:NAME POLICY [p:b]`: the well-formed common case read without tokens or counters
   * (a trace needs neither); anything unusual goes through the full declaration parse.
   */
  private declareLazily(state: TableState, lineIndex: number, start: number, end: number): boolean {
    const text = this.text;
    let i = start + 1;
    while (i < end && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 9 && text.charCodeAt(i) !== 34) i++;
    const nameEnd = i;
    if (nameEnd === start + 1 || (nameEnd < end && text.charCodeAt(nameEnd) === 34)) return false;
    while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    const policyStart = i;
    while (i < end && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 9) i++;
    const policy = text.slice(policyStart, i);
    const name = text.slice(start + 1, nameEnd);
    const builtin = isBuiltinChain(state.table.name, name);
    if (builtin ? policy !== 'ACCEPT' && policy !== 'DROP' && policy !== '-' : policy !== '-') return false;
    let chain = state.table.chains.get(name);
    if (chain && !builtin) return false; // a duplicate: let the full path report it
    if (!chain) {
      chain = this.newChain(name, state.table.name, builtin);
      state.table.chains.set(chain.name, chain);
      state.declaredAtLine.set(chain.name, lineIndex);
    }
    state.table.span.end = end;
    if (builtin) {
      // A trace shows the policy line of built-in chains; user chains' spans are never read there.
      chain.declSpan = { start, end };
      chain.nameSpan = { start: start + 1, end: nameEnd };
      chain.policy = policy === 'DROP' ? 'DROP' : 'ACCEPT';
      chain.policySpan = { start: policyStart, end: i };
    }
    return true;
  }

  /**
   * Checked mode's `:NAME POLICY [p:b]` when it is exactly what iptables-save writes (no problem
   * possible): the same chain the full declaration parse makes, without tokens. False otherwise.
   */
  private declareChecked(state: TableState, lineIndex: number, start: number, end: number): boolean {
    const text = this.text;
    let i = start + 1;
    // The name, hashed as it is read (ChainNameIndex looks it up and files it by this hash).
    let hash = FNV_OFFSET;
    for (let c = text.charCodeAt(i); i < end && c !== 32 && c !== 9 && c !== 34; c = text.charCodeAt(++i)) hash = Math.imul(hash ^ c, FNV_PRIME);
    const nameEnd = i;
    if (nameEnd === start + 1 || nameEnd - start - 1 > 28 || text.charCodeAt(nameEnd) !== 32) return false;
    const policyStart = ++i;
    while (i < end && text.charCodeAt(i) !== 32) i++;
    const policyEnd = i;
    if (text.charCodeAt(i) !== 32 || text.charCodeAt(i + 1) !== 91 /* [ */) return false;
    const countersStart = ++i;
    i++;
    const packetsStart = i;
    while (i < end && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    const packetsEnd = i;
    if (text.charCodeAt(i) !== 58 /* : */) return false;
    const bytesStart = ++i;
    while (i < end && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    const bytesEnd = i;
    if (i !== end - 1 || text.charCodeAt(i) !== 93 /* ] */) return false;
    if (packetsEnd === packetsStart || bytesEnd === bytesStart || packetsEnd - packetsStart > 15 || bytesEnd - bytesStart > 15) return false;
    const table = state.table;
    const known = state.chainIndex ? state.chainIndex.find(text, start + 1, nameEnd, hash) : this.chainAt(state, start + 1, nameEnd);
    const name = known ? known.name : text.slice(start + 1, nameEnd);
    const builtin = name.length <= LONGEST_BUILTIN_CHAIN_NAME && isBuiltinChain(table.name, name);
    // `-` (every user chain) is read without making a string of it.
    const dash = policyEnd === policyStart + 1 && text.charCodeAt(policyStart) === 45; /* - */
    const policy = dash ? '-' : text.slice(policyStart, policyEnd);
    if (builtin ? policy !== 'ACCEPT' && policy !== 'DROP' && policy !== '-' : !dash) return false;
    if (known && !builtin && known.declSpan) return false; // declared twice: the full parse reports it
    if (known && !(known instanceof LazyChain)) return false; // (checked mode makes only lazy chains)
    let chain = known as LazyChain | undefined;
    table.span.end = end;
    if (!chain) {
      chain = this.newChain(name, table.name, builtin, undefined, start + 1) as LazyChain;
      table.chains.set(chain.name, chain);
      chain.declaredAt = lineIndex; // (not also in state.declaredAtLine: no second map of 41k chains)
    }
    chain.declared(start, end, nameEnd, countersStart, digitsValue(text, packetsStart, packetsEnd), digitsValue(text, bytesStart, bytesEnd));
    if (builtin) {
      chain.policy = policy === 'DROP' ? 'DROP' : 'ACCEPT';
      chain.policySpan = { start: policyStart, end: policyEnd };
    }
    return true;
  }

  /**
   * Checked mode: the table's chain whose name is written at text[start, end), found without making
   * a string (chainIndex); undefined when there is none. Elsewhere (a re-read's copied state has no
   * index) a map lookup.
   */
  chainAt(state: TableState, start: number, end: number): Chain | undefined {
    return state.chainIndex ? state.chainIndex.find(this.text, start, end) : state.table.chains.get(this.text.slice(start, end));
  }

  /**
   * A chain object; in trace and checked mode one whose rules are parsed when first read.
   * `nameStart`: where the name is written in the text, when the caller knows (the chain index compares there).
   */
  /** A new chain; its name is detached from the text (ownCopy): re-read versions share it. Key maps by chain.name. */
  private newChain(sliced: string, table: string, builtin: boolean, policy?: string, nameStart = -1): Chain {
    const name = ownCopy(sliced);
    if (this.lazy) {
      const chain = new LazyChain(name, table, builtin, policy, this.current!, this);
      this.current!.chainIndex?.add(chain, this.text, nameStart);
      return chain;
    }
    const chain: Chain = { name, table, builtin, rules: [] };
    if (policy) chain.policy = policy;
    return chain;
  }

  private fileLazily(state: TableState, lineIndex: number, start: number, end: number): void {
    // `[p:b] -A CHAIN …` / `--append CHAIN …`, read without slicing the line.
    const text = this.text;
    let i = start;
    if (text.charCodeAt(i) === 91 /* [ */) {
      while (i < end && text.charCodeAt(i) !== 93 /* ] */) i++;
      i++;
      while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    }
    if (text.startsWith('-A', i) && (text.charCodeAt(i + 2) === 32 || text.charCodeAt(i + 2) === 9)) i += 3;
    else if (text.startsWith('--append', i) && (text.charCodeAt(i + 8) === 32 || text.charCodeAt(i + 8) === 9)) i += 9;
    else {
      this.lazyFailed = true; // -I, -D, -N … change positions: only a full parse gets them right
      return;
    }
    while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    let nameEnd = i;
    while (nameEnd < end) {
      const c = text.charCodeAt(nameEnd);
      if (c === 32 || c === 9) break;
      if (c === 34 /* " */) {
        this.lazyFailed = true;
        return;
      }
      nameEnd++;
    }
    if (nameEnd === i) {
      this.lazyFailed = true;
      return;
    }
    const name = text.slice(i, nameEnd);
    let chain = state.table.chains.get(name);
    if (!chain) {
      chain = this.newChain(name, state.table.name, false);
      state.table.chains.set(chain.name, chain);
    }
    (chain as LazyChain).file((state.rows ??= new RuleRows()).add(lineIndex, start, end, UNCHECKED_RULE, -1, undefined));
  }

  /**
   * Checked mode's `[p:b] -A CHAIN …`: file the line under its chain (parsed when read) and check it
   * now, through a template of its shape when one fits, else with the full rule parse.
   */
  private fileChecked(state: TableState, lineIndex: number, start: number, end: number): void {
    const text = this.text;
    const tokens = this.lineTokens;
    const templates = (state.templates ??= new RuleTemplates());
    const context = (state.shapeContext ??= this.shapeContextOf(state));
    context.targetChain = undefined;
    // The line's template predicted from the previous line's (no counters: they vary line by line).
    let verdict = text.charCodeAt(start) !== 91 /* [ */ ? templates.matchPredicted(text, start, end, tokens, context) : undefined;
    if (!verdict) {
      context.targetChain = undefined; // (a prediction that failed may have looked a target up)
      if (!tokens.scan(text, start, end)) return void (this.lazyFailed = true);
    }
    const first = tokens.count > 0 && text.charCodeAt(tokens.starts[0]) === 91 /* [ */ ? 1 : 0;
    if (tokens.count < first + 2) return void (this.lazyFailed = true);
    const commandStart = tokens.starts[first];
    const commandLength = tokens.ends[first] - commandStart;
    const isAppend = (commandLength === 2 && text.startsWith('-A', commandStart)) || (commandLength === 8 && text.startsWith('--append', commandStart));
    const nameStart = tokens.starts[first + 1];
    const nameEnd = tokens.ends[first + 1];
    if (!isAppend || tokens.quoted[first + 1] || text.charCodeAt(nameStart) === 45 /* - */) return void (this.lazyFailed = true);
    const table = state.table;
    const last = state.lastRuleChain;
    const sameChain = last !== undefined && last.name.length === nameEnd - nameStart && sameText(text, state.lastRuleChainNameStart!, nameStart, nameEnd - nameStart);
    const filedUnder = sameChain ? last : state.chainIndex ? state.chainIndex.findAfter(last ? state.chainIndex.entryOf(last) : -1, text, nameStart, nameEnd) : this.chainAt(state, nameStart, nameEnd);
    const name = filedUnder ? filedUnder.name : text.slice(nameStart, nameEnd);
    if (first === 1) this.parseCounters({ text: text.slice(tokens.starts[0], tokens.ends[0]), start: tokens.starts[0], end: tokens.ends[0] });

    if (!verdict) {
      context.ruleChainNamedLikeBuiltin = name.length <= LONGEST_BUILTIN_CHAIN_NAME && BUILTIN_CHAIN_NAMES.has(name);
      templates.shape(text, tokens, first, context);
      verdict = templates.lookup(text, tokens, first);
    }
    let ruleCode: number;
    let template: number;
    /** the rule is marked for the other family: restore skips it and checks neither its chain nor its jump */
    let skippedByRestore = false;
    if (verdict) {
      template = verdict.template;
      ruleCode = checkedRuleCode(verdict.template, verdict.broken, false);
      for (const { problem, code, token } of verdict.problems) this.report(problem.severity, code, problem.message, { start: tokens.starts[token], end: tokens.ends[token] });
      if (verdict.chainTarget >= 0) {
        // The name shape() read, when it read this token (a `-j !` is not read as a name there).
        const known = templates.targetToken === verdict.chainTarget;
        const targetChain = known ? (context.targetChain as LazyChain | undefined) : undefined;
        const targetName = known ? templates.targetName : tokens.value(text, verdict.chainTarget);
        const declaredAt = targetChain?.declaredAt ?? declaredLine(state, targetName);
        if (declaredAt === undefined || declaredAt === Number.MAX_SAFE_INTEGER || declaredAt > lineIndex) {
          state.pendingJumps.push({ name: targetName, token: { start: tokens.starts[verdict.chainTarget], end: tokens.ends[verdict.chainTarget] }, line: lineIndex });
        }
      }
    } else {
      const before = this.problems.length;
      const full = tokenizeLine(text, start, end).tokens;
      const rule = this.buildRule(lineIndex, { start, end }, 'append', full[first], full[first + 1], full, first + 2, undefined);
      skippedByRestore = !!rule.otherFamily;
      template = this.problems.length === before ? templates.learn(text, tokens, first, rule, this.family) : -1;
      // Whether the target's name was a chain *now* decides its kind; the model is rebuilt later.
      ruleCode = checkedRuleCode(template, rule.broken, !!rule.target && table.chains.has(rule.target.name), !!rule.otherFamily);
    }
    templates.followed(template);
    // Filed after the check, as the full parse does: the rule's own target must not see a chain
    // that only this line creates.
    let chain = filedUnder;
    const declared = chain !== undefined;
    if (!chain) {
      chain = this.newChain(name, table.name, false, undefined, nameStart);
      table.chains.set(chain.name, chain);
      (chain as LazyChain).declaredAt = Number.MAX_SAFE_INTEGER;
    }
    state.lastRuleChain = chain;
    state.lastRuleChainNameStart = nameStart;
    const targetIndex = template >= 0 ? templates.targetIndex(template) : -1;
    // The jumped-to chain's own name string: every analysis looks chains up by target name, and a
    // string already used as a key hashes and compares faster than a fresh slice of the line.
    const targetChain = verdict && verdict.chainTarget >= 0 && templates.targetToken === verdict.chainTarget ? (context.targetChain as LazyChain | undefined) : undefined;
    const targetStart = targetIndex >= 0 ? tokens.starts[first + targetIndex] : -1;
    const row = (state.rows ??= new RuleRows(4096)).add(lineIndex, start, end, ruleCode, targetStart, targetChain?.name, targetChain ? targetChain.indexEntry : -1);
    (chain as LazyChain).file(row);
    if (!declared && !skippedByRestore) {
      this.report('error', 'parse/unknown-chain', `chain '${name}' does not exist in table ${table.name}: declare it (\`:${name} - [0:0]\`) before its rules`, { start: nameStart, end: nameEnd }, {
        fixes: this.declareChainFix(name),
      });
    }
  }

  /** What shape() needs to know of the table: which names are chains (checked mode). */
  private shapeContextOf(state: TableState): NonNullable<TableState['shapeContext']> {
    const parser = this;
    return {
      ruleChainNamedLikeBuiltin: false,
      chainName: '',
      chainKind(source, start, end) {
        const chain = parser.chainAt(state, start, end);
        this.targetChain = chain;
        if (!chain) {
          this.chainName = source.slice(start, end);
          return NO_CHAIN;
        }
        const targetName = (this.chainName = chain.name);
        const lazy = chain as LazyChain;
        lazy.jumpKind ??= BUILTIN_CHAIN_NAMES.has(targetName) || BUILTIN_VERDICTS.has(targetName) || UNMODELLED_TARGETS.has(targetName) || findTarget(targetName) ? NAMED_LIKE_TARGET : USER_CHAIN;
        return lazy.jumpKind;
      },
    };
  }

  /** Parse the `-A` lines filed under a lazy chain (trace mode). */
  materialize(state: TableState, chain: string, firstRow: number, count: number): Rule[] {
    const rules: Rule[] = new Array(count);
    const rows = state.rows;
    let k = 0;
    for (let row = firstRow; row >= 0 && rows; row = rows.nexts[row]) {
      rules[k] = new LazyRule(this, state, chain, rows.lines[row], rows.starts[row], rows.ends[row], k + 1, rows.codes[row], rows.targetStarts[row], rows.targetNames[row], rows.targetEntries[row]);
      k++;
    }
    return rules;
  }

  /**
   * The model of a lazy rule's line: built from its template when it has one (checked mode), else
   * parsed. The parser keeps the last DETAIL_CACHE_SIZE models; older ones are dropped (and rebuilt
   * if read again), so reading every rule once does not keep a 100k-rule model in memory.
   */
  detailOf(rule: LazyRule, state: TableState, code: number): Rule {
    const template = templateOfCode(code);
    let detail: Rule;
    if (template >= 0 && state.templates) {
      const tokens = tokenizeLine(this.text, rule.span.start, rule.span.end).tokens;
      const first = tokens[0].text.startsWith('[') ? 1 : 0;
      let counters: Counters | undefined;
      if (first === 1) {
        const saved = this.muted;
        this.muted = true;
        counters = this.parseCounters(tokens[0]);
        this.muted = saved;
      }
      detail = state.templates.instantiate(template, tokens, first, { table: state.table.name, position: rule.position, command: 'append', span: rule.span, line: rule.line, counters, broken: brokenOfCode(code) });
    } else {
      detail = this.parseAppendLine(state, rule.line, rule.span.start, rule.span.end, rule.position, code);
    }
    const slot = this.detailCacheNext;
    this.detailCacheNext = (slot + 1) % DETAIL_CACHE_SIZE;
    this.detailCache[slot]?.dropDetail();
    this.detailCache[slot] = rule;
    return detail;
  }
  /** The value of token `index` (counted from the `-A`) of the rule line [start, end). */
  tokenText(start: number, end: number, index: number): string | undefined {
    const tokens = this.readTokens;
    if (this.readTokensStart !== start) {
      // Callers read several options of one rule in a row: scan its line once.
      this.readTokensStart = -1;
      if (!tokens.scan(this.text, start, end)) return undefined;
      this.readTokensStart = start;
    }
    // (the line may be indented: the counters are the first token, not the first character)
    const first = tokens.count > 0 && this.text.charCodeAt(tokens.starts[0]) === 91 /* [ */ ? 1 : 0;
    return first + index < tokens.count ? tokens.value(this.text, first + index) : undefined;
  }

  /** A lazy rule's target when its template has one without options: built from its name's offset; 'no' otherwise. */
  quickTargetOf(state: TableState, code: number, targetStart: number, lineEnd: number, targetName: string | undefined, optionsFrom?: { readTargetOptions(): OptionUse[] }): TargetUse | undefined | 'no' {
    const template = templateOfCode(code);
    if (template < 0 || !state.templates) return 'no';
    if (targetStart < 0) return undefined; // the template has no target
    return state.templates.targetAt(template, this.text, targetStart, lineEnd, targetName, optionsFrom) ?? 'no';
  }

  /** A lazy rule's target alone, when its template can build it (else 'model': read the model). */
  targetOf(rule: LazyRule, state: TableState, code: number): TargetUse | undefined | 'model' {
    const template = templateOfCode(code);
    if (template < 0 || !state.templates) return 'model';
    const tokens = this.lineTokens;
    if (!tokens.scan(this.text, rule.span.start, rule.span.end)) return 'model';
    const first = tokens.count > 0 && this.text.charCodeAt(tokens.starts[0]) === 91 /* [ */ ? 1 : 0;
    return state.templates.instantiateTarget(template, this.text, tokens, first);
  }
  private readonly detailCache: Array<LazyRule | undefined> = [];
  private detailCacheNext = 0;

  /** Parse one `-A` line in its table's context (trace mode, on first use of the rule's details). */
  parseAppendLine(state: TableState, line: number, start: number, end: number, position: number, code = UNCHECKED_RULE): Rule {
    const saved = this.current;
    const savedMuted = this.muted;
    this.current = state;
    this.muted = true;
    this.targetWasChain = code === UNCHECKED_RULE ? undefined : targetWasChainOfCode(code);
    try {
      const { tokens } = tokenizeLine(this.text, start, end);
      let index = 0;
      let counters: Counters | undefined;
      if (tokens[0]?.text.startsWith('[')) {
        counters = this.parseCounters(tokens[0]);
        index = 1;
      }
      const rule = this.buildRule(line, { start, end }, 'append', tokens[index], tokens[index + 1], tokens, index + 2, counters);
      rule.position = position;
      return rule;
    } finally {
      this.current = saved;
      this.muted = savedMuted;
      this.targetWasChain = undefined;
    }
  }

  /** the family the rules are read for (decides which of -4 / -6 marks a rule the restore skips) */
  get ruleFamily(): Family {
    return this.family;
  }

  get source(): string {
    return this.text;
  }

  private parseOtherCommand(
    lineIndex: number,
    lineSpan: Span,
    command: Command,
    commandToken: Token,
    chainToken: Token | undefined,
    tokens: Token[],
    next: number,
  ): void {
    const state = this.current!;
    const table = state.table;
    const chainName = chainToken && !chainToken.text.startsWith('-') ? chainToken.text : undefined;
    this.commands.push({ command, span: lineSpan, chain: chainName ? chainToken : undefined });
    const chain = chainName ? table.chains.get(chainName) : undefined;
    switch (command) {
      case 'new-chain': {
        if (!chainName) return;
        if (chain) {
          this.report('error', 'parse/duplicate-chain', `chain '${chainName}' already exists`, chainToken!, chain.declSpan ? { related: [{ span: chain.declSpan, message: 'declared here' }] } : undefined);
          return;
        }
        if (chainName.length > 28) this.report('error', 'parse/chain-name-too-long', `chain name '${chainName}' is ${chainName.length} characters; iptables allows at most 28`, chainToken!);
        table.chains.set(chainName, { name: chainName, table: table.name, builtin: false, rules: [], declSpan: lineSpan, nameSpan: { start: chainToken!.start, end: chainToken!.end } });
        state.declaredAtLine.set(chainName, lineIndex);
        return;
      }
      case 'policy': {
        const policyToken = tokens[next];
        if (!chainName || !chain) {
          this.report('error', 'parse/unknown-chain', `no chain '${chainName ?? ''}' in table ${table.name}`, chainToken ?? commandToken);
          return;
        }
        if (!chain.builtin) {
          this.report('error', 'parse/policy-on-user-chain', `only built-in chains have a policy; '${chainName}' is a user chain`, chainToken!);
          return;
        }
        if (!policyToken || (policyToken.text !== 'ACCEPT' && policyToken.text !== 'DROP')) {
          this.report('error', 'parse/bad-policy', 'policy must be ACCEPT or DROP', policyToken ?? commandToken);
          return;
        }
        chain.policy = policyToken.text;
        chain.policySpan = { start: policyToken.start, end: policyToken.end };
        return;
      }
      case 'flush': {
        const chains = chain ? [chain] : chainName ? [] : [...table.chains.values()];
        if (chainName && !chain) this.report('error', 'parse/unknown-chain', `no chain '${chainName}' in table ${table.name}`, chainToken!);
        for (const c of chains) c.rules = [];
        return;
      }
      case 'delete-chain': {
        if (!chainName) {
          for (const [name, c] of table.chains) if (!c.builtin && c.rules.length === 0) table.chains.delete(name);
          return;
        }
        if (!chain) {
          this.report('error', 'parse/unknown-chain', `no chain '${chainName}' in table ${table.name}`, chainToken!);
          return;
        }
        if (chain.builtin) {
          this.report('error', 'parse/delete-builtin', `built-in chain ${chainName} cannot be deleted`, chainToken!);
          return;
        }
        if (chain.rules.length > 0) {
          this.report('error', 'parse/delete-nonempty', `chain '${chainName}' still has rules; flush it (-F) before deleting it`, chainToken!);
          return;
        }
        table.chains.delete(chainName);
        state.declaredAtLine.delete(chainName);
        return;
      }
      case 'zero':
        return;
      case 'delete': {
        if (!chain) {
          this.report('error', 'parse/unknown-chain', `no chain '${chainName ?? ''}' in table ${table.name}`, chainToken ?? commandToken);
          return;
        }
        const numberToken = tokens[next];
        if (numberToken && /^\d+$/.test(numberToken.text) && next + 1 === tokens.length) {
          const n = Number(numberToken.text);
          if (n < 1 || n > chain.rules.length) {
            this.report('error', 'parse/rule-number', `chain ${chainName} has ${chain.rules.length} rules; there is no rule ${n} to delete`, numberToken);
            return;
          }
          chain.rules.splice(n - 1, 1);
          return;
        }
        // Delete by specification: parse the rule, then remove the first identical one.
        const probe = this.buildRule(lineIndex, lineSpan, 'append', commandToken, chainToken!, tokens, next, undefined);
        if (probe.otherFamily) return; // restore skips the line: nothing is deleted
        const key = ruleKey(this.text, probe);
        const found = chain.rules.findIndex((r) => ruleKey(this.text, r) === key);
        if (found < 0) {
          this.report('warning', 'parse/delete-no-match', `no rule in ${chainName} matches this -D specification (iptables-restore fails: "Bad rule")`, lineSpan);
          return;
        }
        chain.rules.splice(found, 1);
        return;
      }
      case 'replace': {
        if (!chain) {
          this.report('error', 'parse/unknown-chain', `no chain '${chainName ?? ''}' in table ${table.name}`, chainToken ?? commandToken);
          return;
        }
        const numberToken = tokens[next];
        if (!numberToken || !/^\d+$/.test(numberToken.text)) {
          this.report('error', 'parse/rule-number', '-R needs a rule number', numberToken ?? chainToken!);
          return;
        }
        const n = Number(numberToken.text);
        if (n < 1 || n > chain.rules.length) {
          this.report('error', 'parse/rule-number', `chain ${chainName} has ${chain.rules.length} rules; there is no rule ${n} to replace`, numberToken);
          return;
        }
        const rule = this.buildRule(lineIndex, lineSpan, 'append', commandToken, chainToken!, tokens, next + 1, undefined);
        chain.rules[n - 1] = rule;
        return;
      }
    }
  }

  private parseRule(
    lineIndex: number,
    lineSpan: Span,
    command: 'append' | 'insert',
    commandToken: Token,
    chainToken: Token,
    tokens: Token[],
    next: number,
    counters: Counters | undefined,
  ): void {
    const state = this.current!;
    const table = state.table;
    let insertAt = 1;
    if (command === 'insert') {
      const numberToken = tokens[next];
      if (numberToken && /^\d+$/.test(numberToken.text)) {
        insertAt = Number(numberToken.text);
        next++;
      }
    }
    const rule = this.buildRule(lineIndex, lineSpan, command, commandToken, chainToken, tokens, next, counters);
    const chain = table.chains.get(chainToken.text);
    // A rule the restore skips (-6 in an IPv4 file): neither its chain nor its position is checked.
    const checked = !rule.otherFamily;
    if (!chain) {
      const name = chainToken.text;
      if (checked) this.report('error', 'parse/unknown-chain', `chain '${name}' does not exist in table ${table.name}: declare it (\`:${name} - [0:0]\`) before its rules`, chainToken, {
        fixes: this.declareChainFix(name),
      });
      // Keep the rule for navigation in a chain the analyses can see, marked undeclared.
      const ghost: Chain = { name, table: table.name, builtin: false, rules: [rule] };
      table.chains.set(name, ghost);
      state.declaredAtLine.set(name, Number.MAX_SAFE_INTEGER);
      return;
    }
    if (command === 'insert') {
      if (insertAt < 1 || insertAt > chain.rules.length + 1) {
        if (checked) this.report('error', 'parse/rule-number', `cannot insert at position ${insertAt}: chain ${chain.name} has ${chain.rules.length} rules at this point`, tokens[next - 1]);
        chain.rules.push(rule);
        return;
      }
      chain.rules.splice(insertAt - 1, 0, rule);
    } else {
      chain.rules.push(rule);
    }
  }

  private declareChainFix(name: string): Problem['fixes'] {
    // (a name iptables refuses to declare gets no fix: the declaration would be an error of its own)
    if (name.length > 28) return undefined;
    const state = this.current!;
    // Insert the declaration after the last chain declaration of the table, or after the header.
    let anchor = state.table.headerSpan.end;
    for (const chain of state.table.chains.values()) if (chain.declSpan && chain.declSpan.end > anchor && chain.declSpan.end < this.text.length) anchor = Math.max(anchor, chain.declSpan.end);
    return [{ title: `Declare chain ${name}`, edits: [{ span: { start: anchor, end: anchor }, newText: `\n:${name} - [0:0]` }] }];
  }

  /** Parse the options of a rule line (everything after `-A CHAIN`). */
  private buildRule(
    lineIndex: number,
    lineSpan: Span,
    command: 'append' | 'insert',
    commandToken: Token,
    chainToken: Token,
    tokens: Token[],
    next: number,
    counters: Counters | undefined,
  ): Rule {
    const state = this.current!;
    const table = state.table;
    const family = this.family;
    const rule: Rule = {
      table: table.name,
      chain: chainToken.text,
      position: 0,
      command,
      span: lineSpan,
      line: lineIndex,
      commandToken,
      chainToken,
      counters,
      criteria: {},
      genericOptions: [],
      matches: [],
      broken: false,
    };
    let pendingNegation: Token | undefined;
    /** past the other family's -6/-4: what the parser was doing before (see below) */
    let skipping: { muted: boolean; broken: boolean } | undefined;
    const error = (code: string, message: string, span: Span, extra?: Partial<Problem>) => {
      rule.broken = true;
      this.report('error', code, message, span, extra);
    };

    let i = next;
    while (i < tokens.length) {
      const token = tokens[i];
      const written = token.text;
      if (written === '!') {
        if (pendingNegation) error('parse/double-negation', 'two `!` in a row (iptables: multiple `!` flags not allowed)', token);
        pendingNegation = token;
        i++;
        continue;
      }
      if (written.length < 2 || written[0] !== '-' || written === '--') {
        error('parse/unexpected-argument', `unexpected argument '${written}' (iptables: Bad argument)`, token);
        i++;
        continue;
      }
      if (commandOf(written)) {
        error('parse/two-commands', `a second command '${written}' in one line; iptables-restore allows one command per line`, token);
        i++;
        continue;
      }
      // Split `--opt=value`.
      let optionName: string;
      let inlineValue: Token | undefined;
      let isLong = false;
      if (written.startsWith('--')) {
        isLong = true;
        const eq = written.indexOf('=');
        if (eq > 0 && !token.quoted) {
          optionName = written.slice(2, eq);
          inlineValue = { text: written.slice(eq + 1), start: token.start + eq + 1, end: token.end };
        } else {
          optionName = written.slice(2);
        }
      } else {
        optionName = written.slice(1);
      }
      const resolved = this.resolveOption(rule, optionName, isLong, token);
      if (!resolved) {
        i++;
        // Skip the arguments that follow an unknown option so they do not cascade into more errors.
        while (i < tokens.length && !tokens[i].text.startsWith('-') && tokens[i].text !== '!') i++;
        pendingNegation = undefined;
        continue;
      }
      // Collect arguments.
      const args: Token[] = [];
      let legacyNegation: Token | undefined;
      let j = i + 1;
      const [minArgs, maxArgs] = resolved.arity;
      if (inlineValue) args.push(inlineValue);
      while (args.length < maxArgs) {
        const candidate = tokens[j];
        if (!candidate) break;
        // (a quoted `"!"` or `"--x"` is a value: the shell's quotes are gone, but restore reads the word whole)
        const isOptionLike = (t: Token | undefined) => !!t && !t.quoted && (t.text === '!' || (t.text.length > 1 && t.text[0] === '-' && !/^-\d/.test(t.text)));
        const optionLike = isOptionLike(candidate);
        if (args.length === 0 && !inlineValue) {
          // (`--physdev-out ! --physdev-is-in`: with an option after it, the `!` is the value getopt hands over)
          if (candidate.text === '!' && !candidate.quoted && resolved.negatable && !legacyNegation && tokens[j + 1] && !isOptionLike(tokens[j + 1])) {
            // Legacy `-s ! 10.0.0.0/8`: understood (so the model is right), reported as an error below.
            legacyNegation = candidate;
            j++;
            continue;
          }
          // getopt hands a required argument over whatever it looks like; an optional one only if it is not an option.
          if (minArgs === 0 && optionLike) break;
        } else if (optionLike) {
          break; // iptables checks that extra arguments (--tcp-flags MASK COMP) do not look like options
        }
        args.push(candidate);
        j++;
      }
      const option: OptionUse = new ParsedOption(resolved.name, token, !!pendingNegation || !!legacyNegation, pendingNegation ?? legacyNegation, args, pendingNegation ? pendingNegation.start : token.start);
      if (legacyNegation) {
        error('parse/legacy-negation', `'${written} ! …' is the old negation syntax that iptables 1.8 rejects: write '! ${written} …'`, legacyNegation, {
          fixes: [
            {
              title: `Move '!' before ${written}`,
              edits: [
                { span: { start: legacyNegation.start, end: Math.min(legacyNegation.end + 1, args[0]?.start ?? legacyNegation.end) }, newText: '' },
                { span: { start: token.start, end: token.start }, newText: '! ' },
              ],
            },
          ],
        });
      }
      if (args.length < minArgs) {
        error('parse/missing-argument', `option ${written} requires ${minArgs === 1 ? 'an argument' : `${minArgs} arguments`}`, token);
      }
      if (option.negated && !resolved.negatable) {
        error('parse/not-negatable', `option ${written} cannot be negated with '!'`, pendingNegation ?? legacyNegation ?? token);
      }
      pendingNegation = undefined;
      i = j;
      resolved.accept(option);
      // iptables-restore stops reading a line at the other family's -6/-4 and skips the rule: what
      // follows is never checked (verified with iptables-nft/legacy-restore 1.8.9), nor is the rule
      // as a whole or its jump. The rest is still read, silently, so that navigation and rename see
      // the chains it names (the file may be shared with the other family's restore).
      if (rule.otherFamily && !skipping) {
        skipping = { muted: this.muted, broken: rule.broken };
        this.muted = true;
      }
    }
    if (skipping) {
      this.muted = skipping.muted;
      rule.broken = skipping.broken;
      compactRule(rule);
      return rule;
    }
    if (pendingNegation) error('parse/dangling-negation', "'!' at the end of the rule negates nothing", pendingNegation);
    this.checkRule(rule);
    compactRule(rule);
    if (rule.target && rule.target.kind === 'chain' && !this.muted) state.pendingJumps.push({ name: rule.target.name, token: rule.target.token, line: lineIndex });
    return rule;
  }

  /**
   * Decide who owns an option: the rule itself, the target, or one of the loaded matches (the most
   * recently loaded first), loading the protocol's match implicitly when needed.
   */
  private resolveOption(
    rule: Rule,
    name: string,
    isLong: boolean,
    token: Token,
  ): { name: string; arity: [number, number]; negatable: boolean; accept: (option: OptionUse) => void } | undefined {
    const generic = isLong ? GENERIC_BY_LONG.get(name) : GENERIC_BY_SHORT.get(name);
    if (generic) return this.genericHandler(rule, generic, token);
    if (!isLong) {
      this.report('error', 'parse/unknown-option', `unknown option '-${name}'`, token);
      rule.broken = true;
      return undefined;
    }
    const owner = this.findOwner(rule, name) ?? this.implicitProtocolMatch(rule, name) ?? this.findOwnerByPrefix(rule, name, token) ?? this.implicitProtocolMatch(rule, name, token);
    if (owner === 'ambiguous') return undefined;
    if (owner) return owner;
    // An option we cannot attribute. If an unknown module is loaded it probably belongs to it.
    const unknownMatch = [...rule.matches].reverse().find((m) => !m.known);
    if (unknownMatch || (rule.target && rule.target.kind === 'unknown')) {
      const holder = unknownMatch ?? rule.target!;
      return {
        name,
        arity: [0, 1],
        negatable: true,
        accept: (option) => holder.options.push(option),
      };
    }
    const genericPrefix = [...GENERIC_BY_LONG.keys()].filter((long) => long.startsWith(name));
    if (genericPrefix.length === 1) return this.genericHandler(rule, GENERIC_BY_LONG.get(genericPrefix[0])!, token);
    const loaded = rule.matches.map((m) => m.module);
    this.report(
      'error',
      'parse/unknown-option',
      `unknown option '--${name}'` + (loaded.length ? ` (loaded matches: ${loaded.join(', ')})` : ' (no match module is loaded: add -m MODULE before it)'),
      token,
    );
    rule.broken = true;
    return undefined;
  }

  private findOwner(rule: Rule, name: string) {
    const target = rule.target;
    if (target) {
      const spec = target.kind === 'extension' || target.kind === 'builtin' ? findTarget(target.name, this.family) : undefined;
      const option = spec && findOptionExact(spec.options, name);
      if (option) return this.extensionHandler(option, (o) => target.options.push(o), target.options, target.name);
    }
    for (let k = rule.matches.length - 1; k >= 0; k--) {
      const match = rule.matches[k];
      const spec = findMatch(match.module, this.family);
      const option = spec && findOptionExact(spec.options, name);
      if (option) return this.extensionHandler(option, (o) => match.options.push(o), match.options, match.module);
    }
    return undefined;
  }

  private findOwnerByPrefix(rule: Rule, name: string, token: Token) {
    const candidates: Array<{ option: OptionSpec; push: (o: OptionUse) => void; list: OptionUse[]; owner: string }> = [];
    const target = rule.target;
    if (target) {
      const spec = findTarget(target.name, this.family);
      for (const option of spec?.options ?? []) if (optionNames(option).some((n) => n.startsWith(name))) candidates.push({ option, push: (o) => target.options.push(o), list: target.options, owner: target.name });
    }
    for (const match of rule.matches) {
      const spec = findMatch(match.module, this.family);
      for (const option of spec?.options ?? []) if (optionNames(option).some((n) => n.startsWith(name))) candidates.push({ option, push: (o) => match.options.push(o), list: match.options, owner: match.module });
    }
    for (const long of GENERIC_BY_LONG.keys()) if (long.startsWith(name)) candidates.push({ option: { name: long, arity: 1, negatable: true, value: 'raw', doc: '' }, push: () => undefined, list: [], owner: '' });
    const distinct = new Set(candidates.map((c) => c.option.name));
    if (distinct.size === 1 && candidates.length >= 1 && !GENERIC_BY_LONG.has(candidates[0].option.name)) {
      const c = candidates[0];
      this.report('information', 'parse/abbreviated-option', `'--${name}' is an abbreviation of '--${c.option.name}' (accepted by iptables)`, token);
      return this.extensionHandler(c.option, c.push, c.list, c.owner);
    }
    if (distinct.size > 1) {
      this.report('error', 'parse/ambiguous-option', `'--${name}' is ambiguous: ${[...distinct].map((n) => '--' + n).join(', ')}`, token);
      return 'ambiguous' as const;
    }
    return undefined;
  }

  /** `-p tcp --dport 22` without `-m tcp`: iptables loads the protocol's match on demand. */
  private implicitProtocolMatch(rule: Rule, name: string, abbreviationToken?: Token) {
    const protocol = rule.criteria.protocol;
    if (!protocol || protocol.negated || !protocol.args[0]) return undefined;
    const moduleName = implicitModuleForProtocol(protocol.args[0].text, this.family);
    if (!moduleName) return undefined;
    const spec = findMatch(moduleName, this.family);
    let option = spec && findOptionExact(spec.options, name);
    if (spec && !option && abbreviationToken) {
      // getopt also accepts an unambiguous abbreviation of the implicitly loaded match's options
      const candidates = spec.options.filter((o) => optionNames(o).some((n) => n.startsWith(name)));
      if (candidates.length === 1) {
        option = candidates[0];
        this.report('information', 'parse/abbreviated-option', `'--${name}' is an abbreviation of '--${option.name}' (accepted by iptables)`, abbreviationToken);
      }
    }
    if (!spec || !option) return undefined;
    let match = rule.matches.find((m) => m.module === moduleName && m.implicit);
    if (!match) {
      match = new ParsedMatch(moduleName, undefined, undefined, true, true, protocol.span.start, protocol.span.end);
      rule.matches.push(match);
    }
    const owner = match;
    return this.extensionHandler(option, (o) => owner.options.push(o), owner.options, owner.module);
  }

  private extensionHandler(option: OptionSpec, push: (o: OptionUse) => void, existing: OptionUse[], owner: string) {
    const arity: [number, number] = typeof option.arity === 'number' ? [option.arity, option.arity] : option.arity;
    return {
      name: option.name,
      arity,
      negatable: option.negatable,
      accept: (use: OptionUse) => {
        // policy's `--next` starts a new element, with options of its own
        if (!option.repeatable && existing.some((o, k) => o.name === option.name && !existing.slice(k + 1).some((later) => later.name === 'next' && owner === 'policy'))) {
          this.report('error', 'parse/repeated-option', `option --${option.name} given twice for the same module (iptables: multiple --${option.name} flags not allowed)`, use.written);
        }
        for (let index = 0; index < use.args.length; index++) {
          const arg = use.args[index];
          const problem = checkValue(option, arg.text, this.family, owner, arg.quoted, index);
          if (problem) this.report(problem.severity, `value/${option.value}`, problem.message, arg);
        }
        push(use);
      },
    };
  }

  private genericHandler(rule: Rule, generic: GenericOption, token: Token) {
    const family = this.family;
    const arity: [number, number] = [generic.arity, generic.arity];
    return {
      name: generic.name,
      arity,
      negatable: generic.negatable,
      accept: (option: OptionUse) => {
        const value = option.args[0];
        switch (generic.name) {
          case 'protocol':
          case 'source':
          case 'destination':
          case 'in-interface':
          case 'out-interface':
          case 'fragment': {
            const key = ({ protocol: 'protocol', source: 'source', destination: 'destination', 'in-interface': 'inInterface', 'out-interface': 'outInterface', fragment: 'fragment' } as const)[generic.name];
            if (rule.criteria[key]) {
              this.report('error', 'parse/repeated-option', `${token.text} given twice (iptables: multiple -${generic.short} flags not allowed)`, token);
              rule.broken = true;
            }
            rule.criteria[key] = option;
            rule.genericOptions.push(option);
            if (!value) return;
            if (generic.name === 'protocol') {
              if (option.negated && protocolNumber(value.text) === 0) {
                // iptables-nft-restore and iptables-legacy-restore 1.8.9 both refuse it (random kernel campaign)
                this.report('error', 'value/protocol', `'! -p ${value.text}' can never match: iptables refuses it ("rule would never match protocol")`, value);
                rule.broken = true;
              } else if (protocolNumber(value.text) === undefined) {
                // (a number past 255, or a word no /etc/protocols can name, is refused; another name is looked up)
                const problem = protocolProblem(value.text.toLowerCase());
                if (problem) {
                  this.report('error', 'value/protocol', problem.message, value);
                  rule.broken = true;
                } else this.report('warning', 'value/protocol', `unknown protocol '${value.text}' (iptables looks it up in /etc/protocols)`, value);
              } else if (family === 'ipv6' && value.text === 'icmp') {
                this.report('warning', 'value/protocol', "'-p icmp' in an IPv6 dump means ICMPv4 (protocol 1); ICMPv6 is '-p ipv6-icmp' or '-p icmpv6'", value);
              }
            } else if (generic.name === 'source' || generic.name === 'destination') {
              this.checkAddressList(value, rule);
            } else if (generic.name === 'fragment') {
              if (family === 'ipv6') {
                this.report('error', 'parse/unknown-option', "ip6tables has no -f; use '-m frag'", token);
                rule.broken = true;
              }
            } else {
              const problem = checkInterface(value.text);
              if (problem) {
                this.report(problem.severity, 'value/interface', problem.message, value);
                if (problem.severity === 'error') rule.broken = true;
              }
            }
            return;
          }
          case 'match': {
            if (!value) return;
            const spec = findMatch(value.text, family);
            const known = !!spec;
            if (!spec) {
              const otherFamily = findMatch(value.text);
              if (otherFamily) {
                this.report('error', 'parse/wrong-family-match', `match '${value.text}' does not exist in ${family === 'ipv4' ? 'iptables (IPv4)' : 'ip6tables (IPv6)'}`, value);
                rule.broken = true;
              } else {
                this.report('warning', 'parse/unknown-match', `match module '${value.text}' is not known to iptables-lens: kept as written, its options are not checked and traces treat it as undecided`, value);
              }
            }
            // (a module loaded under another name, `-m icmpv6`, is the module itself: `icmp6`)
            rule.matches.push(new ParsedMatch(spec ? spec.name : value.text, value, token, false, known, token.start, value.end));
            return;
          }
          case 'jump':
          case 'goto': {
            if (!value) return;
            if (rule.target) {
              this.report('error', 'parse/two-targets', 'a rule has at most one target (-j or -g)', token);
              rule.broken = true;
              return;
            }
            rule.target = this.resolveTarget(rule, token, value, generic.name === 'goto');
            return;
          }
          case 'set-counters': {
            return;
          }
          case 'table':
            this.report('error', 'parse/table-option', "'-t' cannot be used inside an iptables-restore file; the table comes from the `*table` line", token);
            rule.broken = true;
            return;
          case 'ipv4':
            if (family === 'ipv6') {
              this.report('information', 'parse/family-option', 'rule marked -4 is skipped by ip6tables-restore (which reads no further than -4)', token);
              rule.otherFamily = true;
            }
            return;
          case 'ipv6':
            if (family === 'ipv4') {
              this.report('information', 'parse/family-option', 'rule marked -6 is skipped by iptables-restore (which reads no further than -6)', token);
              rule.otherFamily = true;
            }
            return;
          default:
            return;
        }
      },
    };
  }

  private checkAddressList(value: Token, rule: Rule): void {
    for (const part of value.text.split(',')) {
      const problem = checkAddress(part, this.family);
      if (!problem) continue;
      this.report(problem.severity, 'value/address', problem.message, value);
      if (problem.severity === 'error') rule.broken = true;
    }
  }

  private resolveTarget(rule: Rule, flag: Token, nameToken: Token, goto: boolean): TargetUse {
    const state = this.current!;
    const table = state.table;
    const name = nameToken.text;
    const base = (kind: TargetUse['kind']): TargetUse => new ParsedTarget(name, nameToken, flag, goto, kind);
    if (goto) {
      if (BUILTIN_VERDICTS.has(name) || findTarget(name, this.family)) {
        this.report('error', 'parse/goto-target', `-g needs a user chain; '${name}' is a target (use -j ${name})`, nameToken);
        rule.broken = true;
        return base('unknown');
      }
      return base('chain');
    }
    if ((this.targetWasChain ?? table.chains.has(name)) && !isBuiltinChain(table.name, name)) return base('chain');
    if (isBuiltinChain(table.name, name)) {
      this.report('error', 'parse/jump-to-builtin', `cannot jump to built-in chain ${name}`, nameToken);
      rule.broken = true;
      return base('unknown');
    }
    const spec = findTarget(name, this.family);
    if (spec) return base(BUILTIN_VERDICTS.has(name) ? 'builtin' : 'extension');
    if (BUILTIN_VERDICTS.has(name)) return base('builtin');
    if (findTarget(name)) {
      this.report('error', 'parse/wrong-family-target', `target '${name}' does not exist in ${this.family === 'ipv4' ? 'iptables (IPv4)' : 'ip6tables (IPv6)'}`, nameToken);
      rule.broken = true;
      return base('unknown');
    }
    if (UNMODELLED_TARGETS.has(name)) {
      this.report('warning', 'parse/unknown-target', `target '${name}' is not modelled by iptables-lens: kept as written, its options are not checked`, nameToken);
      return base('unknown');
    }
    // Not a target and not (yet) a chain: a jump to a chain; checked when the table is complete.
    return base('chain');
  }

  /** Checks that need the whole rule: required options, protocol needed by a match. */
  private checkRule(rule: Rule): void {
    // iptables refuses interfaces the hook cannot know (iptables.c: "Can't use -o with INPUT").
    const { inInterface, outInterface } = rule.criteria;
    if (outInterface && (rule.chain === 'INPUT' || rule.chain === 'PREROUTING')) {
      this.report('error', 'parse/interface-in-hook', `-o cannot be used in ${rule.chain}: the outgoing interface is not known yet there`, outInterface.written);
      rule.broken = true;
    }
    if (inInterface && (rule.chain === 'OUTPUT' || rule.chain === 'POSTROUTING')) {
      this.report('error', 'parse/interface-in-hook', `-i cannot be used in ${rule.chain}: locally generated packets have no incoming interface there`, inInterface.written);
      rule.broken = true;
    }
    const proto = rule.criteria.protocol && !rule.criteria.protocol.negated ? rule.criteria.protocol.args[0]?.text.toLowerCase() : undefined;
    const portProtocol = proto !== undefined && PORT_PROTOCOLS.has(proto);
    for (const match of rule.matches) {
      if (match.module !== 'multiport' || !match.options.length) continue;
      // multiport checks the protocol while parsing its option, so -p must come before it.
      const protocolBefore = rule.criteria.protocol && rule.criteria.protocol.span.start < match.options[0].span.start;
      if (!portProtocol || !protocolBefore) {
        this.report('error', 'parse/match-needs-protocol', `-m multiport needs '-p tcp' (or udp, udplite, sctp, dccp) before its ports`, match.moduleToken ?? match.span);
        rule.broken = true;
      }
    }
    const natTarget = rule.target;
    if (natTarget && NAT_PORT_TARGETS.has(natTarget.name) && !natPortProtocol(rule.criteria.protocol, this.family)) {
      const withPort = natTarget.options.find((o) => o.name === 'to-ports' || o.args.some((a) => hasNatPort(a.text)));
      if (withPort) {
        this.report('error', 'parse/target-needs-protocol', `${natTarget.name} with a port needs '-p tcp' (or udp, sctp, dccp${this.family === 'ipv4' ? ', icmp' : ''}) on the rule`, withPort.span);
        rule.broken = true;
      }
    }
    for (const match of rule.matches) {
      if (!match.known) continue;
      const spec = findMatch(match.module, this.family)!;
      this.checkRequired(spec, match.options, match.moduleToken ?? match.span, `-m ${match.module}`, rule);
      if (spec.validate) {
        for (const issue of safeValidate(() => spec.validate!(match))) {
          this.report(issue.severity ?? 'error', `match/${match.module}`, issue.message, issue.option?.span ?? match.span);
          if ((issue.severity ?? 'error') === 'error') rule.broken = true;
        }
      }
      // (sctp, dccp, icmp and icmp6 are refused only when the kernel loads the rule: analysis place/match-protocol)
      const needed = PROTOCOL_MATCHES.get(match.module);
      if (needed && !match.implicit && !protocolCheckedAtLoad(match.module, match.options.map((o) => o.name)) && protocolMissingFor(rule, needed)) {
        // (named as written: `-m icmpv6` is the icmp6 match)
        const written = match.moduleToken?.text ?? match.module;
        const negatedText = rule.criteria.protocol?.negated ? rule.criteria.protocol.args[0]?.text : undefined;
        const negatedProtocol = negatedText === undefined ? undefined : protocolKey(negatedText);
        if (negatedProtocol !== undefined && negatedProtocol !== 'all' && negatedProtocol !== '0' && !needed.includes(negatedProtocol)) {
          // `! -p udp -m tcp --dport 80`: iptables-nft wants the match's own protocol behind the `!` and
          // refuses the rule while reading it; iptables-legacy refuses to load it
          this.report('error', 'parse/match-needs-protocol', `${match.module.toUpperCase()} match requires '-p ${needed[0]}' (iptables-nft refuses '! -p ${negatedText}' before -m ${written} with these options; iptables-legacy refuses to load the rule)`, match.moduleToken ?? match.span);
          rule.broken = true;
        } else if (rule.criteria.protocol?.negated) {
          // `! -p tcp -m tcp`: iptables-nft reads and loads it (as a port match on any transport header), legacy refuses to load it
          this.report('warning', 'parse/match-needs-protocol', `-m ${written} after a negated -p: iptables-legacy refuses to load this rule; iptables-nft loads it and compares the ports of any transport header (\`th dport\`), whatever the protocol`, match.moduleToken ?? match.span);
        } else {
          this.report('error', 'parse/match-needs-protocol', `-m ${written} needs '-p ${needed[0]}' on the same rule (iptables rejects it otherwise)`, match.moduleToken ?? match.span);
          rule.broken = true;
        }
      }
    }
    const target = rule.target;
    if (target && (target.kind === 'extension' || target.kind === 'builtin')) {
      const spec = findTarget(target.name, this.family);
      if (spec) {
        this.checkRequired(spec, target.options, target.token, `-j ${target.name}`, rule);
        if (spec.validate) {
          for (const issue of safeValidate(() => spec.validate!(target))) {
            this.report(issue.severity ?? 'error', `target/${target.name}`, issue.message, issue.option?.span ?? target.span);
            if ((issue.severity ?? 'error') === 'error') rule.broken = true;
          }
        }
      }
    }
  }

  private checkRequired(spec: MatchSpec | TargetSpec, options: OptionUse[], at: Span, label: string, rule: Rule): void {
    for (const option of spec.options) {
      if (option.required && !options.some((o) => o.name === option.name)) {
        this.report('error', 'parse/missing-option', `${label} needs --${option.name}`, at);
        rule.broken = true;
      }
    }
    for (const group of spec.needsOneOf ?? []) {
      if (options.some((o) => group.options.includes(o.name))) continue;
      this.report('error', 'parse/missing-option', group.message, at);
      rule.broken = true;
    }
    if (options.length < 2 && !spec.options.some((o) => o.also || o.alsoBefore)) return;
    // libxtables refuses options it declares exclusive (`.excl`) and options without their companion (`.also`)
    for (const group of spec.conflicts ?? []) {
      const given = options.filter((o) => group.includes(o.name));
      if (given.length < 2) continue;
      this.report('error', 'parse/option-conflict', `${spec.name}: option "--${given[1].name}" cannot be used together with "--${given[0].name}".`, given[1].span);
      rule.broken = true;
    }
    for (const use of options) {
      const missing = spec.options.find((o) => o.name === use.name)?.also?.find((name) => !options.some((o) => o.name === name));
      if (!missing) continue;
      this.report('error', 'parse/option-conflict', `${spec.name}: option "--${use.name}" also requires "--${missing}".`, use.span);
      rule.broken = true;
    }
    options.forEach((use, index) => {
      const missing = spec.options.find((o) => o.name === use.name)?.alsoBefore?.find((name) => !options.slice(0, index).some((o) => o.name === name));
      if (!missing) return;
      this.report('error', 'parse/option-conflict', `${spec.name}: option "--${use.name}" needs "--${missing}" before it`, use.span);
      rule.broken = true;
    });
  }

  // ---------------------------------------------------------------- table / file end

  private closeTable(state: TableState): void {
    const table = state.table;
    state.rows?.trim();
    // Jumps are resolved now that every chain of the table is known.
    for (const target of state.pendingJumps) {
      const line = target.line;
      const declaredAt = declaredLine(state, target.name);
      const chain = table.chains.get(target.name);
      if (!chain || declaredAt === undefined || declaredAt === Number.MAX_SAFE_INTEGER) {
        this.report('error', 'parse/undeclared-chain', `jump to '${target.name}', which is neither a chain declared in table ${table.name} nor a known target`, target.token, {
          fixes: this.declareChainFixFor(state, target.name),
        });
      } else if (declaredAt > line) {
        this.report('error', 'parse/chain-declared-later', `chain '${target.name}' is declared after this rule (line ${declaredAt + 1}); iptables-restore needs the declaration first`, target.token, {
          related: chain.declSpan ? [{ span: chain.declSpan, message: 'declared here' }] : undefined,
        });
      }
    }
    state.pendingJumps = [];
    for (const chain of table.chains.values()) {
      if (chain instanceof LazyChain && !chain.isMaterialized) continue; // positions are set when the lazy rules are read
      chain.rules.forEach((rule, index) => {
        rule.position = index + 1;
      });
    }
  }

  private declareChainFixFor(state: TableState, name: string): Problem['fixes'] {
    const saved = this.current;
    this.current = state;
    const fixes = this.declareChainFix(name);
    this.current = saved;
    return fixes;
  }

  private finishFile(lastLine: number): void {
    // What is reported now is about the file, not about its last line (see reparseAfterLineEdit).
    this.lineIndex = lastLine + 1;
    if (this.current) {
      const state = this.current;
      const end = this.text.length;
      this.report('error', 'parse/missing-commit', `table '${state.table.name}' is never committed: add COMMIT at the end (iptables-restore: COMMIT expected at line ${lastLine + 1})`, {
        start: state.table.headerSpan.start,
        end: state.table.headerSpan.end,
      }, {
        related: [{ span: { start: end, end }, message: 'end of file' }],
        fixes: [{ title: 'Add COMMIT', edits: [{ span: { start: end, end }, newText: (this.text.endsWith('\n') || end === 0 ? '' : '\n') + 'COMMIT\n' }] }],
      });
      this.closeTable(state);
      this.current = undefined;
    }
  }
}

/** Trace mode's chain: its `-A` lines are kept as (line, start, end) numbers until `rules` is read. */
class LazyChain implements Chain {
  policy?: string;
  policySpan?: Span;
  // The declaration line's spans as numbers (-1: none), objects made when read: 40k declarations
  // of a kube dump would otherwise make 160k small objects (see declared()).
  #declStart = -1;
  #declEnd = -1;
  #nameStart = -1;
  #nameEnd = -1;
  #countersStart = -1;
  #packets = 0;
  #bytes = 0;
  /** counters set as an object (the full parse's declaration path, a re-read's moved copy) */
  #counters?: Counters;
  get declSpan(): Span | undefined {
    return this.#declStart < 0 ? undefined : { start: this.#declStart, end: this.#declEnd };
  }
  set declSpan(span: Span | undefined) {
    this.#declStart = span ? span.start : -1;
    this.#declEnd = span ? span.end : -1;
  }
  get nameSpan(): Span | undefined {
    return this.#nameStart < 0 ? undefined : { start: this.#nameStart, end: this.#nameEnd };
  }
  set nameSpan(span: Span | undefined) {
    this.#nameStart = span ? span.start : -1;
    this.#nameEnd = span ? span.end : -1;
  }
  get counters(): Counters | undefined {
    if (this.#counters || this.#countersStart < 0) return this.#counters;
    return { packets: this.#packets, bytes: this.#bytes, span: { start: this.#countersStart, end: this.#declEnd } };
  }
  set counters(counters: Counters | undefined) {
    this.#counters = counters;
    this.#countersStart = -1;
  }
  /** `:NAME POLICY [packets:bytes]` at [start, end): the name ends at nameEnd, the counters start at countersStart. */
  declared(start: number, end: number, nameEnd: number, countersStart: number, packets: number, bytes: number): void {
    this.#declStart = start;
    this.#declEnd = end;
    this.#nameStart = start + 1;
    this.#nameEnd = nameEnd;
    this.#counters = undefined;
    this.#countersStart = countersStart;
    this.#packets = packets;
    this.#bytes = bytes;
  }
  /** its `-A` lines: rows of the table's RuleRows (state.rows), linked first to last (-1: none) */
  firstRow = -1;
  lastRow = -1;
  rowCount = 0;
  /** checked mode: the line that declared the chain (MAX_SAFE_INTEGER: used undeclared), when known here */
  declaredAt?: number;
  /** checked mode: how a `-j` to this name reads (rule-templates.ts chainKind), once computed */
  jumpKind?: number;
  /** checked mode: its number in the table's ChainNameIndex */
  indexEntry = -1;
  private parsed?: Rule[];

  constructor(
    public name: string,
    public table: string,
    public builtin: boolean,
    policy: string | undefined,
    readonly state: TableState,
    readonly parser: Parser,
  ) {
    if (policy) this.policy = policy;
  }

  /** File row `row` of the table's rows as this chain's last line. */
  file(row: number): void {
    if (this.lastRow >= 0) this.state.rows!.nexts[this.lastRow] = row;
    else this.firstRow = row;
    this.lastRow = row;
    this.rowCount++;
  }

  /** Undo the last file(): `previousLast` was the last row before it. */
  unfileLast(previousLast: number): void {
    if (previousLast >= 0) this.state.rows!.nexts[previousLast] = -1;
    else this.firstRow = -1;
    this.lastRow = previousLast;
    this.rowCount--;
  }

  /** The same rows as `chain` (a re-read version's copy of its chain: the rows were copied with the table's). */
  takeRowsOf(chain: LazyChain): void {
    this.firstRow = chain.firstRow;
    this.lastRow = chain.lastRow;
    this.rowCount = chain.rowCount;
  }

  /** The row of the line `line` and its index among the chain's rules; row -1 when it has none. */
  rowOfLine(line: number): { row: number; index: number } {
    const rows = this.state.rows;
    let index = 0;
    for (let row = this.firstRow; row >= 0 && rows; row = rows.nexts[row], index++) if (rows.lines[row] === line) return { row, index };
    return { row: -1, index: -1 };
  }

  get isMaterialized(): boolean {
    return this.parsed !== undefined;
  }

  get rules(): Rule[] {
    return (this.parsed ??= this.parser.materialize(this.state, this.name, this.firstRow, this.rowCount));
  }

  set rules(rules: Rule[]) {
    this.parsed = rules;
    this.rulesReplaced = true;
  }
  /** the rules were set (a flush …): they are no longer the chain's rows (chainRows) */
  rulesReplaced = false;
}

/**
 * Trace mode's rule: where it is and its chain are known at once; everything else is parsed from
 * its line the first time it is read. A long chain (kube-proxy's KUBE-SERVICES) is then indexed from
 * the line text (`cheapDispatchKey`) and only the candidate rules for a packet get parsed.
 */
class LazyRule implements Rule {
  private parsed?: Rule;

  // Every field costs 8 bytes × 113k rules at 10k services: what is the same for all rules of a
  // table is read from it.
  get command(): 'append' {
    return 'append';
  }
  get table(): string {
    return this.state.table.name;
  }

  constructor(
    private readonly parser: Parser,
    private readonly state: TableState,
    /** the chain the line was filed under (its `-A` name) */
    public chain: string,
    public line: number,
    private readonly start: number,
    private readonly end: number,
    public position: number,
    /** checked mode: template and broken flag (checkedRuleCode); UNCHECKED_RULE in trace mode */
    private readonly code: number,
    /** checked mode: offset of the target's name when the rule's template has a target, else -1 */
    private readonly targetStart: number,
    /** checked mode: the jumped-to chain's name (that chain's own string), when known */
    private readonly targetName: string | undefined,
    /** checked mode: that chain's number in its table (jumpTargetEntry), else -1 */
    readonly targetEntry = -1,
  ) {}

  private get detail(): Rule {
    return (this.parsed ??= this.parser.detailOf(this, this.state, this.code));
  }

  /** The outline shared by the rules of this rule's template, when it has one and no model yet. */
  get outline(): RuleOutline | undefined {
    const template = templateOfCode(this.code);
    return template >= 0 && !this.parsed ? this.state.templates?.outline(template) : undefined;
  }

  /** See optionText(). */
  optionText(owner: string, name: string): { text: string | undefined; negated: boolean } | null | undefined {
    const template = templateOfCode(this.code);
    if (template < 0 || this.parsed || !this.state.templates) return undefined;
    const location = this.state.templates.argumentOf(template, owner, name);
    if (!location) return null;
    if (location.arg < 0) return { text: undefined, negated: location.negated };
    // A value every rule of the template writes alike (a protocol, statistic's mode and probability) is not read from the line.
    return { text: location.fixedText ?? this.parser.tokenText(this.start, this.end, location.arg), negated: location.negated };
  }

  /** Forget the model (the parser's detail cache is full); it is rebuilt when read again. */
  dropDetail(): void {
    this.parsed = undefined;
  }

  get isParsed(): boolean {
    return this.parsed !== undefined;
  }

  get text(): string {
    return this.parser.source.slice(this.start, this.end);
  }

  get span(): Span {
    return { start: this.start, end: this.end };
  }
  get commandToken(): Token {
    return this.detail.commandToken;
  }
  get chainToken(): Token {
    if (this.parsed || this.code === UNCHECKED_RULE) return this.detail.chainToken;
    // `[p:b] -A NAME`: the name is the token after -A (checked mode filed only such lines).
    const text = this.parser.source;
    const isSpace = (c: number) => c === 32 || c === 9;
    let at = this.start;
    while (isSpace(text.charCodeAt(at))) at++; // an indented line
    for (let skip = text.charCodeAt(at) === 91 /* [ */ ? 2 : 1; skip > 0; skip--) {
      while (!isSpace(text.charCodeAt(at))) at++;
      while (isSpace(text.charCodeAt(at))) at++;
    }
    return makeToken(this.chain, at, at + this.chain.length, false);
  }
  get counters(): Counters | undefined {
    return this.detail.counters;
  }
  get criteria(): Criteria {
    return this.detail.criteria;
  }
  get genericOptions(): OptionUse[] {
    return this.detail.genericOptions;
  }
  get matches(): MatchUse[] {
    return this.detail.matches;
  }
  get target(): TargetUse | undefined {
    if (this.targetRead !== undefined) return this.targetRead ?? undefined;
    if (this.parsed) return this.parsed.target;
    // Kept apart from the model (which the parser may drop): every analysis reads every target,
    // several times. Built from the offset of its name when it has no options, else from the line.
    let target = this.parser.quickTargetOf(this.state, this.code, this.targetStart, this.end, this.targetName, this);
    if (target === 'no') target = this.readTarget();
    this.targetRead = target ?? null;
    return target;
  }
  /** The target with its tokens and options, from the line (or the model). */
  private readTarget(): TargetUse | undefined {
    const read = this.parser.targetOf(this, this.state, this.code);
    return read === 'model' ? this.detail.target : read;
  }
  /** For a target read by offset (OffsetTarget): its options, read from the line when first asked. */
  readTargetOptions(): OptionUse[] {
    return this.readTarget()?.options ?? [];
  }
  private targetRead?: TargetUse | null;
  get broken(): boolean {
    return this.code === UNCHECKED_RULE ? this.detail.broken : brokenOfCode(this.code);
  }
  get otherFamily(): boolean {
    if (this.code !== UNCHECKED_RULE) return otherFamilyOfCode(this.code);
    // Trace mode: only a line that has the option's text can have it (no model made for the others).
    const line = this.parser.source.slice(this.start, this.end);
    const mayHave = this.parser.ruleFamily === 'ipv4' ? line.includes('-6') || line.includes('--ipv6') : line.includes('-4') || line.includes('--ipv4');
    return mayHave && !!this.detail.otherFamily;
  }
}


/** LazyRule.code: what checking the line found, so reading it back needs no parse. */
/** The number written in text[start, end): decimal digits only, at most 15 (exact as a double). */
function digitsValue(text: string, start: number, end: number): number {
  let value = 0;
  for (let k = start; k < end; k++) value = value * 10 + (text.charCodeAt(k) - 48);
  return value;
}

/** text[a, a+length) === text[b, b+length): chain names compared where they are written. */
function sameText(text: string, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}

/** POSTROUTING: names longer than this are no built-in chain's (skips a set lookup per rule). */
const LONGEST_BUILTIN_CHAIN_NAME = 11;

const UNCHECKED_RULE = 0;
function checkedRuleCode(template: number, broken: boolean, targetWasChain: boolean, otherFamily = false): number {
  return ((template + 1) << 4) | (otherFamily ? 8 : 0) | (targetWasChain ? 4 : 0) | 2 | (broken ? 1 : 0);
}
function templateOfCode(code: number): number {
  return code === UNCHECKED_RULE ? -1 : (code >> 4) - 1;
}
function otherFamilyOfCode(code: number): boolean {
  return (code & 8) === 8;
}
function targetWasChainOfCode(code: number): boolean {
  return (code & 4) === 4;
}
function brokenOfCode(code: number): boolean {
  return (code & 1) === 1;
}
/** How many lazy rules keep their model at once (see Parser.detailOf). */
const DETAIL_CACHE_SIZE = 1024;

/**
 * What the dispatch index needs from a not-yet-parsed rule, read from its text: the exact
 * destination address (`-d A.B.C.D[/32]`, not negated) or else the exact destination port
 * (`--dport N` with `-p tcp|udp|sctp`, not negated). Undefined when the rule is already parsed or
 * anything is unusual — the index then files the rule as a wildcard, which is always safe.
 */
export function cheapDispatchKey(rule: Rule): { dst?: string; dport?: number } | undefined {
  if (!(rule instanceof LazyRule) || rule.isParsed) return undefined;
  let text = rule.text;
  if (text.includes('"')) {
    // Drop quoted arguments (comments) so that their words are not read as options.
    let out = '';
    let inQuote = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (inQuote) {
        if (c === '\\') i++;
        else if (c === '"') inQuote = false;
      } else if (c === '"') {
        inQuote = true;
        out += 'Q';
      } else out += c;
    }
    if (inQuote) return {};
    text = out;
  }
  const words = text.split(/[ \t]+/);
  let dst: string | undefined;
  let dstSeen = 0;
  let dport: number | undefined;
  let portProtocol = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const negated = words[i - 1] === '!';
    const value = words[i + 1];
    if (word === '-d' || word === '--destination' || word === '--dst') {
      dstSeen++;
      if (!negated && value !== undefined && STRICT_HOST.test(value)) dst = value.replace(/\/32$/, '');
    } else if (word === '-p' || word === '--protocol') {
      portProtocol = !negated && /^(tcp|udp|sctp|6|17|132)$/.test(value ?? '');
    } else if (word === '--dport' || word === '--destination-port') {
      const exact = !negated && value !== undefined && /^(0|[1-9]\d{0,4})$/.test(value) && Number(value) <= 65535;
      dport = exact && dport === undefined ? Number(value) : -1; // a second --dport: no key
    }
  }
  if (dstSeen === 1 && dst !== undefined) return { dst };
  if (dstSeen === 0 && portProtocol && dport !== undefined && dport >= 0) return { dport };
  return {};
}

/**
 * The place in its table's chains (table.chains order) of the chain a rule jumps or goes to, as
 * the checked parse found it; -1 when not known this way. Callers check the name at that place:
 * this saves a lookup by name per rule, it does not replace one.
 */
export function jumpTargetEntry(rule: Rule): number {
  return rule instanceof LazyRule ? rule.targetEntry : -1;
}

/**
 * The rows the checked parse filed a chain's rules in, for passes over every rule of a big table
 * that need no rule objects (the analyses' jump graph, reachability, placement): the table's
 * RuleRows, whose rows from chainFirstRow(chain) on, linked by `nexts`, are the chain's rules in
 * order. Undefined when the chain's rules are not rows of a checked parse (the full parse, trace
 * mode, rules replaced since): read chain.rules then.
 */
export function chainRows(chain: Chain): ChainRowsView | undefined {
  if (!(chain instanceof LazyChain) || chain.rulesReplaced || !chain.state.rows || !chain.state.templates) return undefined;
  return chain.state.rows;
}

/** How many rules the chain has, without making their objects when the parser's rows tell. */
export function ruleCountOf(chain: Chain): number {
  return chainRows(chain) ? (chain as LazyChain).rowCount : chain.rules.length;
}

/** The first of chainRows(chain) that is the chain's (-1: the chain has no rules). */
export function chainFirstRow(chain: Chain): number {
  return (chain as LazyChain).firstRow;
}

/** What the analyses read of a table's rows (RuleRows); see chainRows(). */
export interface ChainRowsView {
  readonly lines: Int32Array;
  readonly codes: Int32Array;
  readonly nexts: Int32Array;
  readonly targetNames: ReadonlyArray<string | undefined>;
  readonly targetEntries: Int32Array;
}

/** Whether the row's rule is broken (rule.broken). (Rows with a template only.) */
export function rowBroken(code: number): boolean {
  return brokenOfCode(code);
}

/** The template a row's line was checked with (rows' `codes`), -1 when none (read the rule object). */
export function rowTemplate(code: number): number {
  return templateOfCode(code);
}

/** Whether the row's rule is used by the analyses: not broken, not for the other family. (Rows with a template only.) */
export function rowUsable(code: number): boolean {
  return !brokenOfCode(code) && !otherFamilyOfCode(code);
}

/** The target every rule of template `template` of the chain's table has (null: none), and its name when they all write the same. */
export function templateTarget(chain: Chain, template: number): { kind: TargetUse['kind']; goto: boolean; name: string | undefined } | null {
  return (chain as LazyChain).state.templates!.targetOf(template);
}

/** The outline every rule of template `template` of the chain's table shares (see ruleOutline). */
export function templateOutline(chain: Chain, template: number): RuleOutline {
  return (chain as LazyChain).state.templates!.outline(template);
}

/** The target's name of the rule of row `row` of chainRows(chain) (a row with a template), read from its line; undefined when it has none. */
export function rowTargetName(chain: Chain, row: number): string | undefined {
  const lazy = chain as LazyChain;
  const rows = lazy.state.rows!;
  const index = lazy.state.templates!.targetIndex(templateOfCode(rows.codes[row]));
  return index < 0 ? undefined : (rows.targetNames[row] ?? lazy.parser.tokenText(rows.starts[row], rows.ends[row], index));
}

/** optionText() of the rule of row `row` of chainRows(chain), with no rule object made; undefined when its template is unknown. */
export function rowOptionText(chain: Chain, row: number, owner: string, name: string): { text: string | undefined; negated: boolean } | null | undefined {
  const lazy = chain as LazyChain;
  const rows = lazy.state.rows!;
  const template = templateOfCode(rows.codes[row]);
  if (template < 0) return undefined;
  const location = lazy.state.templates!.argumentOf(template, owner, name);
  if (!location) return null;
  if (location.arg < 0) return { text: undefined, negated: location.negated };
  return { text: location.fixedText ?? lazy.parser.tokenText(rows.starts[row], rows.ends[row], location.arg), negated: location.negated };
}

/**
 * How many generic options a rule has and which match modules, without building its model when the
 * parser can tell from the rule's template (checked mode); undefined means: read the rule itself.
 */
export function ruleOutline(rule: Rule): RuleOutline | undefined {
  return rule instanceof LazyRule ? rule.outline : undefined;
}

/**
 * The first argument of a rule's option and whether it is negated, read from the rule's line when
 * the parser can tell where it is from the rule's template — no model built. `owner`: '' for the
 * generic options (-s, -d, -p …), a match module for its options, '*' for any match, TARGET_OPTIONS
 * for the target's. null: the rule has no such option; undefined: not known this way (read the
 * rule's model).
 */
export function optionText(rule: Rule, owner: string, name: string): { text: string | undefined; negated: boolean } | null | undefined {
  return rule instanceof LazyRule ? rule.optionText(owner, name) : undefined;
}

/**
 * A rule's `-s` / `-d` / `-p`: its first argument and whether it is negated, from the rule's line
 * when the parser can tell (optionText: no model built for the 100k rules of a big dump), else from
 * the model; undefined when the rule has no such option.
 */
export function genericOptionText(rule: Rule, name: 'source' | 'destination' | 'protocol'): { text: string | undefined; negated: boolean } | undefined {
  const fromLine = optionText(rule, '', name);
  if (fromLine !== undefined) return fromLine ?? undefined;
  const option = rule.criteria[name];
  return option && { text: option.args[0]?.text, negated: option.negated };
}

/** A host address exactly as written in canonical dotted decimal (no octal/hex/short forms). */
const STRICT_HOST = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(\/32)?$/;

/** `10.0.0.1:80`, `[2001:db8::1]:80`, `:80-90` carry a port; `2001:db8::1` does not. */
function hasNatPort(text: string): boolean {
  if (text.startsWith('[')) return /\]:\d/.test(text);
  if ((text.match(/:/g) ?? []).length > 1) return false;
  return /:\d/.test(text);
}

/**
 * Matches that need the rule to name their protocol with -p (the kernel's xt_match.proto). iptables-nft
 * refuses tcp, udp and udplite without it when it reads the rule; the others only fail when the
 * kernel loads the rule (`--test` accepts them; probed with iptables 1.8.9 on Linux 6.18).
 */
export const PROTOCOL_MATCHES = new Map<string, string[]>([
  ['tcp', ['tcp', '6']],
  ['udp', ['udp', '17']],
  ['sctp', ['sctp', '132']],
  ['icmp', ['icmp', '1']],
  ['icmp6', ['icmpv6', 'ipv6-icmp', 'icmp6', '58']],
  ['dccp', ['dccp', '33']],
  ['udplite', ['udplite', '136']],
]);

/** The matches of PROTOCOL_MATCHES that only the kernel refuses without their protocol. */
export const PROTOCOL_CHECKED_AT_LOAD: ReadonlySet<string> = new Set(['sctp', 'dccp', 'icmp', 'icmp6']);

/**
 * Whether a match's missing protocol is found only when the kernel loads the rule: sctp, dccp, icmp and
 * icmp6 always; tcp and udp when iptables-nft cannot write the match as nft expressions and keeps the
 * xtables match (no option at all, or `--tcp-option`) — otherwise iptables-nft refuses the rule while
 * reading it. `options`: the names of the match's options. Probed with iptables 1.8.9.
 */
export function protocolCheckedAtLoad(module: string, options: readonly string[]): boolean {
  if (PROTOCOL_CHECKED_AT_LOAD.has(module)) return true;
  return (module === 'tcp' || module === 'udp') && (options.length === 0 || options.includes('tcp-option'));
}

/** Whether the rule fails to name one of `needed` as its (not negated) protocol. */
export function protocolMissingFor(rule: Rule, needed: readonly string[]): boolean {
  const proto = rule.criteria.protocol?.args[0]?.text;
  return proto === undefined || rule.criteria.protocol!.negated || !needed.includes(protocolKey(proto));
}

/**
 * A -p value as PROTOCOL_MATCHES lists it: a number in decimal however it is written (`0x6` and
 * `+6` are 6, as xtables_parse_protocol reads them), else the name in lower case.
 */
function protocolKey(text: string): string {
  return /^[ \t\n\v\f\r]*\+?[0-9]/.test(text) ? String(protocolNumber(text) ?? text) : text.toLowerCase();
}

function implicitModuleForProtocol(protocol: string, family: Family): string | undefined {
  // (a number loads the match its name has: `-p 0x11 --dport 53` is udp)
  const lower = protocolKey(protocol);
  switch (lower) {
    case 'tcp':
    case '6':
      return 'tcp';
    case 'udp':
    case '17':
      return 'udp';
    case 'sctp':
    case '132':
      return 'sctp';
    case 'icmp':
    case '1':
      return family === 'ipv4' ? 'icmp' : undefined;
    case 'icmpv6':
    case 'ipv6-icmp':
    case 'icmp6':
    case '58':
      return family === 'ipv6' ? 'icmp6' : undefined;
    case 'dccp':
      return 'dccp';
    default:
      return undefined;
  }
}

function optionNames(option: OptionSpec): string[] {
  return option.aliases ? [option.name, ...option.aliases] : [option.name];
}

function findOptionExact(options: readonly OptionSpec[], name: string): OptionSpec | undefined {
  for (const option of options) if (option.name === name || (option.aliases && option.aliases.includes(name))) return option;
  return undefined;
}

function safeValidate<T>(fn: () => T[]): T[] {
  try {
    return fn();
  } catch {
    return [];
  }
}

/** A rule's identity for `-D chain rule-spec`: its text from the first option on, whitespace-normalized. */
function ruleKey(text: string, rule: Rule): string {
  return text.slice(rule.chainToken.end, rule.span.end).trim().replace(/\s+/g, ' ');
}

function guessFamily(text: string, options: ParseOptions): { family: Family; reason: string } {
  if (options.family) return { family: options.family, reason: 'given' };
  const head = text.slice(0, 4096);
  if (/^# Generated by ip6tables-save/m.test(head)) return { family: 'ipv6', reason: 'header: ip6tables-save' };
  if (/^# Generated by iptables-save/m.test(head)) return { family: 'ipv4', reason: 'header: iptables-save' };
  if (options.fileName && /(\.v6|6\.rules|ip6tables[^/]*)$/i.test(options.fileName)) return { family: 'ipv6', reason: `file name ${options.fileName}` };
  if (options.fileName && /(\.v4|4\.rules)$/i.test(options.fileName)) return { family: 'ipv4', reason: `file name ${options.fileName}` };
  // Look at the first address-bearing options.
  const sample = text.length > 1_000_000 ? text.slice(0, 1_000_000) : text;
  const re = /\s(?:-s|-d|--source|--destination|--to-destination|--to-source)\s+!?\s*([0-9A-Fa-f:.]+)(?:\/\d+)?/g;
  let m: RegExpExecArray | null;
  let v4 = 0;
  let v6 = 0;
  while ((m = re.exec(sample)) && v4 + v6 < 50) {
    // (an IPv6 address has two colons or more; one colon is an IPv4 NAT value's port: `10.0.0.1:80`, `:8080`)
    const colons = m[1].split(':').length - 1;
    if (colons >= 2) v6++;
    else if (colons === 1 || m[1].includes('.')) v4++;
  }
  if (/-p (ipv6-icmp|icmpv6)|-m icmp6|--icmpv6-type/.test(sample)) v6 += 5;
  if (v6 > v4) return { family: 'ipv6', reason: 'IPv6 addresses in the rules' };
  return { family: 'ipv4', reason: v4 > 0 ? 'IPv4 addresses in the rules' : 'default (no header, no addresses)' };
}

/** Finished checked parses, with the parser that can re-read one of their lines (reparseAfterLineEdit). */
const CHECKED_PARSERS = new WeakMap<ParsedRuleset, Parser>();

/** What reparseAfterLineEdit changed to make a ruleset (see lineEditOf). */
export interface LineEdit {
  /**
   * The ruleset it was made from, while something else keeps it (weak: a chain of edits must not
   * keep every earlier version alive).
   */
  previous: WeakRef<ParsedRuleset>;
  /** index in `tables` of the table of the edited line (the same in both) */
  table: number;
  /** the chain of the edited rule, and the rule's index in chain.rules */
  chain: string;
  index: number;
  /** 0-based line */
  line: number;
  /** where the two texts differ (comparing two 17 MB texts again would take ~5–8 ms) */
  region: ChangedRegion;
}
const LINE_EDITS = new WeakMap<ParsedRuleset, LineEdit>();

/**
 * When `ruleset` came from reparseAfterLineEdit: the ruleset it was made from and the rule it
 * re-read. Everything else in the two is the same rule for rule (offsets after the edit moved),
 * same chains, same jumps — what an incremental analysis needs to know.
 */
export function lineEditOf(ruleset: ParsedRuleset): LineEdit | undefined {
  return LINE_EDITS.get(ruleset);
}

function hasLineBreak(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return true;
  }
  return false;
}

/** Chains copied between two pauses of a re-read (reparseAfterLineEditInSteps). */
const REPARSE_SLICE_CHAINS = 500;

/**
 * The parse of `text` when it is `previous.text` with one edit inside one `-A` line (no line
 * break added or removed, same chain, same jump): the previous parse with that line read again and
 * every later offset moved — a tenth of a whole parse of a 100k-line dump. Undefined for any other
 * edit (or when `previous` was not a checked parse): parse in full then. Gives what
 * parseRuleset(text) gives (test/parser/reparse.test.ts). `previous` is left as it was.
 */
export function reparseAfterLineEdit(previous: ParsedRuleset, text: string, options: ParseOptions = {}): ParsedRuleset | undefined {
  return runToEnd(reparseAfterLineEditInSteps(previous, text, options));
}

/** reparseAfterLineEdit() a slice at a time: each next() does a few milliseconds of work. */
export function* reparseAfterLineEditInSteps(previous: ParsedRuleset, text: string, options: ParseOptions = {}): Generator<void, ParsedRuleset | undefined, void> {
  const parser = CHECKED_PARSERS.get(previous);
  if (!parser) return undefined;
  try {
    return yield* parser.reparseAfterLineEdit(previous, text, options);
  } catch {
    return undefined; // the whole parse reports whatever this tripped on
  }
}

const LAZY_APPEND = /^(?:\[\d+:\d+\][ \t]+)?(?:-A|--append)[ \t]+([^ \t"]+)/;

/**
 * Parse for one trace (the CLI's cold `trace`): tables and chains are read at once, but a chain's
 * rules only when the simulator enters it — a packet visits a few dozen of a dump's thousands of
 * chains. The problems list is NOT complete (rules never read are never checked): use parseRuleset
 * for diagnostics. Falls back to the full parse when the file has commands other than -A.
 */
export function parseRulesetForTrace(text: string, options: ParseOptions = {}): ParsedRuleset {
  try {
    const parser = new Parser(text, options);
    parser.lazy = true;
    parser.parse();
    if (!parser.lazyFailed) return parser.result();
  } catch {
    // fall through to the full parse, which reports the problem
  }
  return parseRuleset(text, options);
}

/**
 * Parse an iptables-save / iptables-restore text: tables, chains and every problem at once; each
 * rule's model is built when first read. Never throws.
 */
export function parseRuleset(text: string, options: ParseOptions = {}): ParsedRuleset {
  const parser = createIncrementalParser(text, options);
  while (!parser.step(Number.MAX_SAFE_INTEGER));
  return parser.result();
}

/**
 * The reference parse: every rule's model built while reading, in file order. Same problems and
 * model as parseRuleset (test/parser/checked-parse.test.ts); slower and heavier on big dumps.
 */
export function parseRulesetEagerly(text: string, options: ParseOptions = {}): ParsedRuleset {
  const parser = createIncrementalParser(text, options, false);
  while (!parser.step(Number.MAX_SAFE_INTEGER));
  return parser.result();
}

export interface IncrementalParser {
  /** parse up to `maxLines` more lines; true when the whole text is done */
  step(maxLines: number): boolean;
  /** the model (complete once step() returned true) */
  result(): ParsedRuleset;
}

/** The same parse in slices, for callers that must stay responsive. Never throws. */
export function createIncrementalParser(text: string, options: ParseOptions = {}, checked = true): IncrementalParser {
  let failure: ParsedRuleset | undefined;
  const fail = (error: unknown): ParsedRuleset => {
    // A parser bug must not take the editor down: report it as a problem on the whole file.
    const message = error instanceof Error ? error.message : String(error);
    return {
      text,
      family: options.family ?? 'ipv4',
      familyReason: 'parser failure',
      tables: [],
      problems: [{ severity: 'error', code: 'internal/parser', message: `internal parser error (please report): ${message}`, span: { start: 0, end: Math.min(text.length, 1) } }],
      lineStarts: [0],
      commands: [],
    };
  };
  let parser: Parser | undefined;
  try {
    parser = new Parser(text, options);
    parser.lazy = parser.checked = checked;
  } catch (error) {
    failure = fail(error);
  }
  return {
    step(maxLines) {
      if (failure || !parser) return true;
      try {
        const done = parser.step(maxLines);
        if (parser.lazyFailed) {
          // A line only the full parse handles (-I, -N, odd quoting …): start over with it.
          parser = new Parser(text, options);
          return false;
        }
        return done;
      } catch (error) {
        failure = fail(error);
        return true;
      }
    },
    result() {
      return failure ?? parser!.result();
    },
  };
}

export type { Criteria, MatchUse, TableName };
