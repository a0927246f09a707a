// The engine's data model: what the parser produces and every analysis consumes.
// Plain data only. Every token keeps its [start, end) offsets into the source text so that
// editors, the CLI and tests can all point at the exact characters.

export interface Span {
  /** offset of the first character (UTF-16 code units, as JavaScript strings index) */
  start: number;
  /** offset just past the last character */
  end: number;
}

/**
 * A token is its own span (flat on purpose: a 100k-rule dump has ~1.5M tokens, and one object
 * per token instead of two keeps the model within the language server's memory budget).
 */
export interface Token extends Span {
  /** the token's value after unquoting (`"a b"` → `a b`) */
  text: string;
  /** true when the token was written with double quotes */
  quoted?: boolean;
}

export function spanOf(span: Span): Span {
  return { start: span.start, end: span.end };
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface RelatedLocation {
  span: Span;
  message: string;
}

export interface Problem {
  severity: Severity;
  /** stable code, e.g. `parse/missing-commit`, `reach/unreachable`; documented in README */
  code: string;
  message: string;
  span: Span;
  related?: RelatedLocation[];
  /** machine-applicable fixes, when the fix is certain */
  fixes?: Fix[];
}

export interface TextEdit {
  span: Span;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

export type Family = 'ipv4' | 'ipv6';

export const TABLE_NAMES = ['raw', 'mangle', 'nat', 'filter', 'security'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

/** Built-in chains of each table, in the kernel's hook order. */
export const BUILTIN_CHAINS: Record<TableName, readonly string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};
Object.setPrototypeOf(BUILTIN_CHAINS, null); // keys come from dumps: `constructor` must not find Object's

export function isBuiltinChain(table: string, chain: string): boolean {
  const list = (BUILTIN_CHAINS as Record<string, readonly string[] | undefined>)[table];
  return !!list && list.includes(chain);
}

/**
 * For each rule of a chain, how many rules before it are marked for the other family (null when none
 * is): restore skips those, so the kernel's number of rule `position` (its trace, `iptables -L
 * --line-numbers`) is `position - skipped[position - 1]`.
 */
/**
 * How many rules the kernel holds for one rule: none when restore skips it (other family), and one
 * per source × destination address when `-s`/`-d` list several (iptables expands `-s a,b` into one
 * rule per address when it loads the line; checked with iptables-nft 1.8.9 in a namespace).
 */
export function kernelRuleCount(rule: Rule): number {
  if (rule.otherFamily) return 0;
  const count = (option: OptionUse | undefined) => (option ? (option.args[0]?.text.split(',').length ?? 1) : 1);
  return count(rule.criteria.source) * count(rule.criteria.destination);
}

/**
 * Per rule of a chain, how many kernel rules come before it (the kernel's trace and `iptables -L
 * --line-numbers` count those); null when that is the rule's own position minus one for every rule.
 * `addressLists`: whether the file has any `-s`/`-d` list (hasAddressLists) — without one only
 * skipped rules shift the numbers, and the rules' addresses need not be read.
 */
export function kernelRulesBefore(rules: readonly Rule[], addressLists: boolean): Int32Array | null {
  let count = 0;
  let shifted = false;
  const before = new Int32Array(rules.length);
  for (let k = 0; k < rules.length; k++) {
    before[k] = count;
    const n = addressLists ? kernelRuleCount(rules[k]) : rules[k].otherFamily ? 0 : 1;
    if (n !== 1) shifted = true;
    count += n;
  }
  return shifted ? before : null;
}

/**
 * Does any `-s`/`-d` of the dump list several addresses (remembered per parsed version)? Commas are rare in dumps (iptables-save
 * never writes such a list), so each one is looked at: about 2 ms for a 17 MB kube-proxy dump.
 */
export function hasAddressLists(ruleset: Ruleset): boolean {
  let found = addressListsOf.get(ruleset);
  if (found === undefined) addressListsOf.set(ruleset, (found = textHasAddressLists(ruleset.text)));
  return found;
}
const addressListsOf = new WeakMap<Ruleset, boolean>();

function textHasAddressLists(text: string): boolean {
  for (let at = text.indexOf(','); at >= 0; at = text.indexOf(',', at + 1)) {
    let start = at;
    while (start > 0 && !isBlank(text.charCodeAt(start - 1))) start--;
    let end = start - 1;
    while (end > 0 && isBlank(text.charCodeAt(end - 1))) end--;
    let optionStart = end;
    while (optionStart > 0 && !isBlank(text.charCodeAt(optionStart - 1))) optionStart--;
    const option = text.slice(optionStart, end);
    if (option === '-s' || option === '-d' || option === '--source' || option === '--destination' || option === '--src' || option === '--dst') return true;
  }
  return false;
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

export interface Counters {
  packets: number;
  bytes: number;
  span: Span;
}

/** One line of the file as the parser saw it (kept for tools that work per line). */
export interface Line {
  /** 0-based line number */
  index: number;
  span: Span;
}

export interface Ruleset {
  /** the whole source text the spans refer to */
  text: string;
  family: Family;
  /** why `family` was chosen (header comment, addresses seen, file name hint …) */
  familyReason: string;
  tables: Table[];
  problems: Problem[];
  /** start offset of each line, for offset → line/column conversion */
  lineStarts: number[];
}

export interface Table {
  name: string;
  /** `*filter` line */
  headerSpan: Span;
  nameSpan: Span;
  /** the `COMMIT` line, absent when the file ends without it */
  commitSpan?: Span;
  /** chains by name, in declaration order (Map keeps insertion order) */
  chains: Map<string, Chain>;
  /** whole block from `*table` to `COMMIT` (or to the end of the last line belonging to it) */
  span: Span;
}

export interface Chain {
  name: string;
  table: string;
  builtin: boolean;
  /** ACCEPT / DROP for built-in chains, undefined for user chains (`-`) */
  policy?: string;
  policySpan?: Span;
  counters?: Counters;
  /** the `:NAME POLICY [p:b]` line; absent for chains created only by `-N` or never declared */
  declSpan?: Span;
  /** the name inside the declaration (or inside the `-N` command) */
  nameSpan?: Span;
  rules: Rule[];
}

export type Command = 'append' | 'insert' | 'delete' | 'replace' | 'new-chain' | 'delete-chain' | 'flush' | 'zero' | 'policy';

/** A command line that is not an append/insert of a rule (kept so navigation can see it). */
export interface CommandLine {
  command: Command;
  span: Span;
  chain?: Token;
}

/** An option as written in the rule: `! --dport 80`, `--tcp-flags SYN,ACK SYN`, `-s 10.0.0.0/8`. */
export interface OptionUse {
  /** canonical long name without dashes, e.g. `dport`, `source`, `set-xmark` */
  name: string;
  /** the token as written (`-s`, `--src`, `--destination-port`) */
  written: Token;
  negated: boolean;
  /** the `!` token, wherever it was written (before the option, or legacy `-s ! x`) */
  negationSpan?: Span;
  args: Token[];
  /** from the start of `!` (or the option) to the end of its last argument */
  span: Span;
}

export interface MatchUse {
  /** module name as loaded, e.g. `tcp`, `conntrack`; for implicitly loaded protocol matches, the protocol */
  module: string;
  /** the module's token after `-m`; absent for an implicitly loaded match (`-p tcp --dport 22`) */
  moduleToken?: Token;
  /** `-m` / `--match` token */
  flagToken?: Token;
  implicit: boolean;
  options: OptionUse[];
  span: Span;
  /** false when the module is not in the registry (kept verbatim, options unchecked) */
  known: boolean;
}

export type TargetKind = 'builtin' | 'extension' | 'chain' | 'unknown';

export interface TargetUse {
  name: string;
  token: Token;
  /** `-j` / `--jump` / `-g` / `--goto` token */
  flagToken: Token;
  goto: boolean;
  kind: TargetKind;
  options: OptionUse[];
  span: Span;
}

/** The generic (non-extension) criteria of a rule, decoded. */
export interface Criteria {
  protocol?: OptionUse;
  source?: OptionUse;
  destination?: OptionUse;
  inInterface?: OptionUse;
  outInterface?: OptionUse;
  fragment?: OptionUse;
}

export interface Rule {
  table: string;
  chain: string;
  /** 1-based position inside its chain after all -A/-I in the file are applied */
  position: number;
  command: 'append' | 'insert';
  /** the whole line, without the line break */
  span: Span;
  /** 0-based line number */
  line: number;
  commandToken: Token;
  chainToken: Token;
  counters?: Counters;
  criteria: Criteria;
  /** generic options in source order (same objects as in `criteria`) */
  genericOptions: OptionUse[];
  matches: MatchUse[];
  target?: TargetUse;
  /** true when a parse error made the rule unusable for analysis (kept for navigation) */
  broken: boolean;
  /**
   * true when the rule is marked for the other family (`-6` in an IPv4 file, `-4` in an IPv6 one):
   * iptables-restore skips it silently, so the kernel never has it (kept for navigation)
   */
  otherFamily?: boolean;
}
