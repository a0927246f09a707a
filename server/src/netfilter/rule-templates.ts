// Rule-line templates: how the parser checks 100k generated rules without building 100k rule models.
//
// A kube-proxy dump repeats a few dozen rule *shapes* — the same options in the same order, only the
// addresses, ports, comments and chain hashes differ. The first line of a shape is parsed in full
// (the exemplar); when it has no problem, its shape becomes a template that records which tokens
// must be identical (options, modules, protocols, targets, values that a whole-rule check reads)
// and which value check the parser ran on every other token. A later line of the same shape is then
// checked by running exactly those value checks on its own values — the same functions with the
// same arguments the full parse would call — so its problems are the full parse's problems.
// Anything a template cannot vouch for (abbreviated options, `--opt=value`, odd quoting, counters
// it cannot read, a line with problems) is parsed in full. test/parser/checked-parse.test.ts holds
// the two parses equal on every fixture and on random dumps.

import type { Counters, Criteria, Family, OptionUse, Rule, TargetUse, Token } from './model';
import { OffsetTarget, ParsedMatch, ParsedOption, ParsedTarget } from './rule-model';
import { makeToken, ownCopy } from './tokenizer';
import type { OptionSpec } from './extensions/types';
import { findMatch, findTarget } from './extensions/registry';
import { NAT_PORT_TARGETS, PORT_PROTOCOLS, checkAddress, checkInterface, checkValue, natPortProtocol, type ValueProblem } from './values';

/** Token classes in a shape: written verbatim, a free value, or a user chain name. */
const VERBATIM = 0;
const VALUE = 1;
/** `-A NAME` where NAME is no built-in chain name of any table */
const RULE_CHAIN = 2;
/** `-j NAME` / `-g NAME` where NAME is a declared user chain and no target name */
const TARGET_CHAIN = 3;
/** `-j NAME` written verbatim where NAME is also a chain of the table (decides the target's kind) */
const VERBATIM_CHAIN_NAME = 4;
const isFixed = (cls: number): boolean => cls === VERBATIM || cls === VERBATIM_CHAIN_NAME;

const MAX_TOKENS = 128;
/** the longest of BUILTIN_CHAIN_NAMES */
const LONGEST_BUILTIN_NAME = 11;
/** Names the parser's rule checks compare chain names with (whatever the table). */
export const BUILTIN_CHAIN_NAMES = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

/** A line split into tokens, as offsets only (no strings, no objects): the scratch of one line. */
export class LineTokens {
  readonly starts = new Int32Array(MAX_TOKENS);
  readonly ends = new Int32Array(MAX_TOKENS);
  /** 1 when the token is one whole double-quoted argument (`"a b"`) */
  readonly quoted = new Uint8Array(MAX_TOKENS);
  count = 0;

  /**
   * Split like tokenizer.ts, for the lines a template can check: false when the line has more than
   * MAX_TOKENS tokens, an unterminated quote, or quotes anywhere but around a whole argument.
   */
  scan(text: string, start: number, end: number): boolean {
    let n = 0;
    let i = start;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9) {
        i++;
        continue;
      }
      if (n === MAX_TOKENS) return false;
      const tokenStart = i;
      i = c === 34 ? quotedTokenEnd(text, i, end) : plainTokenEnd(text, i, end);
      if (i < 0) return false;
      this.quoted[n] = c === 34 ? 1 : 0;
      this.starts[n] = tokenStart;
      this.ends[n] = i;
      n++;
    }
    this.count = n;
    return true;
  }

  /** The token's value (unquoted), as the full tokenizer would give it. */
  value(text: string, index: number): string {
    const start = this.starts[index];
    const end = this.ends[index];
    if (!this.quoted[index]) return text.slice(start, end);
    const inner = text.slice(start + 1, end - 1);
    return inner.includes('\\') ? inner.replace(/\\(.)/gs, '$1') : inner;
  }
}

/**
 * Where the whole quoted argument starting at text[i] (a `"`) ends — after its closing quote, with
 * backslash escapes inside — or -1 when it is unterminated or not followed by a separator.
 */
function quotedTokenEnd(text: string, i: number, end: number): number {
  i++;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i += 2;
    else if (c === 34) break;
    else i++;
  }
  if (i >= end) return -1;
  i++;
  return i < end && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 9 ? -1 : i;
}

/** Where the unquoted token starting at text[i] ends, or -1 when it has a quote inside (not templated). */
function plainTokenEnd(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) return i;
    if (c === 34) return -1;
    i++;
  }
  return i;
}

type ValueCheck = (text: string, quoted: boolean) => ValueProblem | ValueProblem[] | undefined;

interface TemplateCheck {
  token: number;
  code: string;
  check: ValueCheck;
  /** an error from this check makes the rule unusable for analysis (as in the full parse) */
  breaksRule: boolean;
}

// The exemplar's model with token indices (relative to the `-A` token) in place of tokens: a rule of
// the same shape is built from it by putting its own tokens in (instantiate), no parsing involved.
interface OptionSkeleton {
  name: string;
  written: number;
  negation: number;
  args: number[];
}
interface MatchSkeleton {
  module: string;
  moduleToken: number;
  flagToken: number;
  implicit: boolean;
  /** token whose start / end bound the match's span */
  spanStart: number;
  spanEnd: number;
  options: OptionSkeleton[];
}
interface RuleSkeleton {
  generic: OptionSkeleton[];
  matches: MatchSkeleton[];
  target?: { token: number; flag: number; goto: boolean; kind: TargetUse['kind']; options: OptionSkeleton[] };
}

interface Template {
  count: number;
  classes: Uint8Array;
  /** the exemplar's text of every token that must be identical (verbatim or pinned) */
  fixed: Array<string | undefined>;
  checks: TemplateCheck[];
  /** index of the `-j`/`-g` name when it is a jump to a chain (checked against declarations later) */
  chainTarget: number;
  skeleton: RuleSkeleton;
  outline: RuleOutline;
  id: number;
  /** per token, flagKind() of the token before it when that one is written verbatim (shape()'s `flag`), else NOT_A_FLAG */
  previousFlag: Uint8Array;
  /** the template that followed this one the last time (matchPredicted) */
  next?: Template;
  /** owner → option → where its first argument is (see argumentOf), filled on demand */
  arguments?: Map<string, Map<string, OptionLocation | null>>;
}

/** Where a rule's option is in its line: token index of its first argument (-1: none), and `!`. */
export interface OptionLocation {
  arg: number;
  negated: boolean;
  /** the argument's text when every rule of the template writes the same (a pinned or verbatim token, unquoted) */
  fixedText?: string;
}

/** What every rule of a template has in common, readable without building a rule's model. */
export interface RuleOutline {
  /** number of generic options (-p, -s, -d, -i, -o, -f) */
  genericOptions: number;
  /** the modules of rule.matches, in order */
  modules: readonly string[];
  /** the generic options (rule.genericOptions), in order */
  generic: readonly OutlineOption[];
  /** the options of the matches, in order */
  matchOptions: readonly OutlineOption[];
}
export interface OutlineOption {
  /** match module; '' for a generic option */
  owner: string;
  name: string;
  negated: boolean;
}

/** What a template says about one line: the problems of its values, and its jump to a chain. */
export interface TemplateVerdict {
  problems: Array<{ problem: ValueProblem; code: string; token: number }>;
  /** token index of the jumped-to chain's name, or -1 */
  chainTarget: number;
  /** the rule would be marked broken by the full parse */
  broken: boolean;
  /** the template's number, for instantiate() */
  template: number;
}

/** What the shape of a line depends on besides its text: the table's chains. */
export interface ShapeContext {
  /** the `-A` chain's name is one of BUILTIN_CHAIN_NAMES */
  ruleChainNamedLikeBuiltin: boolean;
  /**
   * For the `-j`/`-g` name written at text[start, end): NO_CHAIN when the table has no such chain,
   * USER_CHAIN when it has and the name can only mean that chain, NAMED_LIKE_TARGET when the name is
   * also a target or built-in name. Sets chainName to the name (the chain's own string when there
   * is such a chain: no new string per line).
   */
  chainKind(text: string, start: number, end: number): number;
  chainName: string;
}
export const NO_CHAIN = 0;
export const USER_CHAIN = 1;
export const NAMED_LIKE_TARGET = 2;

const MAX_TEMPLATES_PER_SHAPE = 16;
/** argumentOf / optionText owner for the options of the rule's target (`--to-destination` …) */
export const TARGET_OPTIONS = '@target';
const NO_PROBLEMS: TemplateVerdict['problems'] = [];

// A template's checks are made here, not inside learn(): a closure made there would keep learn()'s
// scope — the whole text of the version that taught the template — alive as long as the template.
function valueCheck(spec: OptionSpec, family: Family, owner: string, argIndex: number): TemplateCheck['check'] {
  return (value, quoted) => checkValue(spec, value, family, owner, quoted, argIndex);
}
function addressCheck(family: Family): TemplateCheck['check'] {
  return (value) => addressListProblems(value, family);
}

export class RuleTemplates {
  private readonly byHash = new Map<number, Template[]>();
  private readonly all: Template[] = [];
  private readonly classes = new Uint8Array(MAX_TOKENS);
  private hash = 0;
  /** the `-j`/`-g` name of the line last shaped, and its token index (-1: none was read) */
  targetName = '';
  targetToken = -1;
  /** lines checked by a template / parsed in full (for the benchmark's notes and tests) */
  hits = 0;
  misses = 0;

  /**
   * Classify the tokens of `-A CHAIN …` (tokens[first] is `-A`) and hash the shape. Must run before
   * lookup() and learn() for the same line.
   */
  shape(text: string, tokens: LineTokens, first: number, context: ShapeContext): void {
    const classes = this.classes;
    let hash = 0x811c9dc5 ^ (tokens.count - first);
    this.targetToken = -1;
    let previous = -1;
    for (let k = first; k < tokens.count; k++) {
      const start = tokens.starts[k];
      const end = tokens.ends[k];
      const c0 = text.charCodeAt(start);
      let cls = VERBATIM;
      if (k === first + 1) {
        cls = context.ruleChainNamedLikeBuiltin ? VERBATIM : RULE_CHAIN;
      } else if (k > first + 1 && !(c0 === 45 /* - */ || (c0 === 33 /* ! */ && end - start === 1))) {
        const flag = previous >= 0 ? flagKind(text, tokens.starts[previous], tokens.ends[previous]) : NOT_A_FLAG;
        if (tokens.quoted[k]) {
          // A quoted target, module or protocol is never templated (learn declines it): fixed here
          // so that it cannot match a template learnt from an unquoted line.
          const c1 = text.charCodeAt(start + 1);
          cls = flag !== NOT_A_FLAG || c1 === 45 || c1 === 33 || c1 === 92 || c1 === 34 ? VERBATIM : VALUE;
        } else {
          cls = VALUE;
          if (flag === TARGET_FLAG) {
            const kind = context.chainKind(text, start, end);
            cls = kind === USER_CHAIN ? TARGET_CHAIN : kind === NAMED_LIKE_TARGET ? VERBATIM_CHAIN_NAME : VERBATIM;
            this.targetName = context.chainName;
            this.targetToken = k;
          } else if (flag === STRUCTURAL_FLAG) {
            cls = VERBATIM;
          }
        }
      }
      classes[k] = cls;
      hash = Math.imul(hash ^ (cls + 1), 16777619);
      if (isFixed(cls)) {
        // A sample of the characters is enough: lookup() compares fixed tokens in full.
        const length = end - start;
        hash = Math.imul(hash ^ length, 16777619);
        hash = Math.imul(hash ^ c0 ^ (text.charCodeAt(start + (length >> 1)) << 8) ^ (text.charCodeAt(end - 1) << 16) ^ (text.charCodeAt(start + 2) << 24), 16777619);
      }
      previous = k;
    }
    this.hash = hash >>> 0;
  }

  /** lookup()'s answer, one object reused line after line (100k lines: no garbage) */
  private readonly verdict: TemplateVerdict = { problems: NO_PROBLEMS, chainTarget: -1, broken: false, template: -1 };

  /**
   * The template for the line last shaped, checking its values; undefined when there is none. The
   * verdict is valid until the next lookup().
   */
  lookup(text: string, tokens: LineTokens, first: number): TemplateVerdict | undefined {
    const candidates = this.byHash.get(this.hash);
    if (!candidates) return undefined;
    const count = tokens.count - first;
    search: for (const template of candidates) {
      if (template.count !== count) continue;
      for (let k = 0; k < count; k++) {
        if (template.classes[k] !== this.classes[first + k]) continue search;
        const fixed = template.fixed[k];
        if (fixed !== undefined) {
          const start = tokens.starts[first + k];
          if (tokens.ends[first + k] - start !== fixed.length || !writtenAt(text, start, fixed)) continue search;
        }
      }
      return this.verdictOf(template, text, tokens, first);
    }
    return undefined;
  }

  /** Run `template`'s value checks on the line in `tokens` (it has the template's shape): the verdict. */
  private verdictOf(template: Template, text: string, tokens: LineTokens, first: number): TemplateVerdict {
    // Nearly every line has no problem: one shared empty list, a list of its own only when needed.
    let problems: TemplateVerdict['problems'] = NO_PROBLEMS;
    let broken = false;
    const checks = template.checks;
    for (let c = 0; c < checks.length; c++) {
      const { token, code, check, breaksRule } = checks[c];
      const found = check(tokens.value(text, first + token), tokens.quoted[first + token] === 1);
      if (found === undefined) continue;
      for (const problem of Array.isArray(found) ? found : [found]) {
        if (problems === NO_PROBLEMS) problems = [];
        problems.push({ problem, code, token: first + token });
        if (breaksRule && problem.severity === 'error') broken = true;
      }
    }
    this.hits++;
    const verdict = this.verdict;
    verdict.problems = problems;
    verdict.chainTarget = template.chainTarget >= 0 ? first + template.chainTarget : -1;
    verdict.broken = broken;
    verdict.template = template.id;
    return verdict;
  }

  /** the template of the line checked last (see followed()), to predict the next line's */
  private lastTemplate: Template | undefined;

  /**
   * The fast lane of a generated dump: lines come in runs of known shapes (a kube-proxy endpoint
   * chain is always "mark for masquerade, then DNAT"), so the template that followed the previous
   * line's template last time is tried first, scanning the line *against* it — fixed tokens compared
   * where they are written, only the free values scanned — instead of scan(), shape() and lookup()
   * in turn. `line` is [start, end) and starts with its command (no `[p:b]` counters: first = 0).
   * Fills `tokens` exactly as scan() does and returns lookup()'s verdict when the line has that
   * template's shape as shape() would classify it; undefined otherwise (then take the usual path:
   * its answer is the same whenever this one gives one, see test/parser/checked-parse.test.ts).
   */
  matchPredicted(text: string, start: number, end: number, tokens: LineTokens, context: ShapeContext): TemplateVerdict | undefined {
    const previous = this.lastTemplate;
    const template = previous?.next;
    if (template === undefined) return undefined;
    const count = template.count;
    const classes = template.classes;
    const fixed = template.fixed;
    this.targetToken = -1;
    let i = start;
    for (let k = 0; k < count; k++) {
      let c = text.charCodeAt(i);
      while (i < end && (c === 32 || c === 9)) c = text.charCodeAt(++i);
      if (i >= end) return undefined;
      const tokenStart = i;
      const expected = fixed[k];
      let quoted = 0;
      if (expected !== undefined) {
        // Written verbatim or pinned: the same characters, then a separator or the end of the line
        // (which may end before the text does: a `\r` of CRLF is not the line's).
        if (i + expected.length > end || !writtenAt(text, i, expected)) return undefined;
        i += expected.length;
        if (i < end && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 9) return undefined;
        quoted = c === 34 ? 1 : 0;
        if (classes[k] !== VERBATIM_CHAIN_NAME && !(template.previousFlag[k] === TARGET_FLAG && classes[k] === VERBATIM)) {
          tokens.starts[k] = tokenStart;
          tokens.ends[k] = i;
          tokens.quoted[k] = quoted;
          continue;
        }
      } else {
        // A free value, read as scan() reads it.
        quoted = c === 34 /* " */ ? 1 : 0;
        i = quoted ? quotedTokenEnd(text, i, end) : plainTokenEnd(text, i, end);
        if (i < 0) return undefined;
      }
      tokens.starts[k] = tokenStart;
      tokens.ends[k] = i;
      tokens.quoted[k] = quoted;
      // The class shape() would give this token must be the template's.
      const c0 = text.charCodeAt(tokenStart);
      const cls = classes[k];
      if (k === 1) {
        // the rule's chain: RULE_CHAIN unless named like a built-in chain (then verbatim: compared above)
        if (cls !== RULE_CHAIN || quoted || c0 === 45 /* - */) return undefined;
        if (i - tokenStart <= LONGEST_BUILTIN_NAME && BUILTIN_CHAIN_NAMES.has(text.slice(tokenStart, i))) return undefined;
        continue;
      }
      if (c0 === 45 /* - */ || (c0 === 33 /* ! */ && i - tokenStart === 1)) return undefined; // shape(): an option, verbatim
      const flag = template.previousFlag[k];
      if (quoted) {
        if (cls !== VALUE || flag !== NOT_A_FLAG) return undefined;
        const c1 = text.charCodeAt(tokenStart + 1);
        if (c1 === 45 || c1 === 33 || c1 === 92 || c1 === 34) return undefined;
      } else if (flag === TARGET_FLAG) {
        const kind = context.chainKind(text, tokenStart, i);
        if (cls !== (kind === USER_CHAIN ? TARGET_CHAIN : kind === NAMED_LIKE_TARGET ? VERBATIM_CHAIN_NAME : VERBATIM)) return undefined;
        this.targetName = context.chainName;
        this.targetToken = k;
      } else if (cls !== VALUE || flag !== NOT_A_FLAG) {
        return undefined;
      }
    }
    let c = text.charCodeAt(i);
    while (i < end && (c === 32 || c === 9)) c = text.charCodeAt(++i);
    if (i < end) return undefined; // more tokens than the template has
    tokens.count = count;
    return this.verdictOf(template, text, tokens, 0);
  }

  /**
   * After a line was checked: `id` is its template's number (-1: none). Remembered as the successor
   * of the previous line's template, which matchPredicted() tries next time.
   */
  followed(id: number): void {
    const template = id >= 0 ? this.all[id] : undefined;
    const previous = this.lastTemplate;
    if (previous !== undefined && template !== undefined) previous.next = template;
    this.lastTemplate = template;
  }

  /**
   * Make a template from a line the full parser read without any problem (`rule` is its model, the
   * line last shaped). Declines whatever it cannot replay exactly. Returns the template's number, or -1.
   */
  learn(text: string, tokens: LineTokens, first: number, rule: Rule, family: Family): number {
    this.misses++;
    const count = tokens.count - first;
    const byStart = new Map<number, number>();
    const byEnd = new Map<number, number>();
    for (let k = 0; k < count; k++) {
      byStart.set(tokens.starts[first + k], k);
      byEnd.set(tokens.ends[first + k], k);
    }
    const fixed: Array<string | undefined> = new Array(count).fill(undefined);
    const classes = this.classes.slice(first, first + count);
    for (let k = 0; k < count; k++) if (isFixed(classes[k])) fixed[k] = ownCopy(text.slice(tokens.starts[first + k], tokens.ends[first + k]));
    const covered = new Uint8Array(count);
    const checks: TemplateCheck[] = [];
    const indexOf = (token: Token): number => {
      const k = byStart.get(token.start);
      if (k === undefined || tokens.ends[first + k] !== token.end) throw DECLINE;
      covered[k] = 1;
      return k;
    };
    const pin = (token: Token): void => {
      if (token.quoted) throw DECLINE; // see shape(): a quoted structural token is never templated
      const k = indexOf(token);
      if (!isFixed(classes[k])) fixed[k] = ownCopy(text.slice(token.start, token.end));
    };
    const checkArgs = (specs: readonly OptionSpec[], options: Rule['matches'][number]['options'], owner: string): void => {
      for (const option of options) {
        const spec = specs.find((s) => s.name === option.name);
        if (!spec) throw DECLINE;
        option.args.forEach((arg, index) => checks.push({ token: indexOf(arg), code: `value/${spec.value}`, check: valueCheck(spec, family, owner, index), breaksRule: false }));
      }
    };
    try {
      indexOf(rule.commandToken);
      indexOf(rule.chainToken);
      for (const option of rule.genericOptions) {
        switch (option.name) {
          case 'protocol':
            for (const arg of option.args) pin(arg);
            break;
          case 'source':
          case 'destination':
            for (const arg of option.args) checks.push({ token: indexOf(arg), code: 'value/address', check: addressCheck(family), breaksRule: true });
            break;
          case 'in-interface':
          case 'out-interface':
            for (const arg of option.args) checks.push({ token: indexOf(arg), code: 'value/interface', check: checkInterface, breaksRule: true });
            break;
          case 'fragment':
            if (option.args.length) throw DECLINE;
            break;
          default:
            throw DECLINE;
        }
        indexOf(option.written);
        if (option.negationSpan) indexOf(option.negationSpan as Token);
      }
      for (const match of rule.matches) {
        if (!match.known) throw DECLINE;
        const spec = findMatch(match.module, family);
        if (!spec) throw DECLINE;
        if (match.moduleToken) pin(match.moduleToken);
        if (match.flagToken) indexOf(match.flagToken);
        for (const option of match.options) {
          indexOf(option.written);
          if (option.negationSpan) indexOf(option.negationSpan as Token);
          // A whole-match check (statistic, LOG) reads the values: they must be identical.
          if (spec.validate) for (const arg of option.args) pin(arg);
        }
        if (!spec.validate) checkArgs(spec.options, match.options, match.module);
      }
      let chainTarget = -1;
      const target = rule.target;
      if (target) {
        indexOf(target.flagToken);
        const k = indexOf(target.token);
        if (target.kind === 'chain') {
          if (target.options.length || target.token.quoted) throw DECLINE;
          chainTarget = k;
        } else {
          if (classes[k] === TARGET_CHAIN) throw DECLINE;
          pin(target.token);
          const spec = findTarget(target.name, family);
          if (spec) {
            for (const option of target.options) {
              indexOf(option.written);
              if (option.negationSpan) indexOf(option.negationSpan as Token);
            }
            // Whole-target checks, and the NAT port check of a rule without a port protocol, read the values.
            const protocol = rule.criteria.protocol;
            if (spec.validate || (NAT_PORT_TARGETS.has(target.name) && !natPortProtocol(protocol, family))) for (const option of target.options) for (const arg of option.args) pin(arg);
            else checkArgs(spec.options, target.options, target.name);
          } else if (target.options.length) throw DECLINE;
        }
      }
      // Every token must be accounted for: an unexplained one means the parser read the line in a way
      // the template cannot see.
      for (let k = 0; k < count; k++) if (!covered[k]) throw DECLINE;
      let list = this.byHash.get(this.hash);
      if (!list) this.byHash.set(this.hash, (list = []));
      if (list.length >= MAX_TEMPLATES_PER_SHAPE) return -1;
      // The full parse checks each value when its option is read: in token order.
      checks.sort((a, b) => a.token - b.token);
      const skeleton = skeletonOf(rule, byStart, byEnd);
      const outline: RuleOutline = {
        genericOptions: skeleton.generic.length,
        modules: skeleton.matches.map((m) => m.module),
        generic: skeleton.generic.map((o) => ({ owner: '', name: o.name, negated: o.negation >= 0 })),
        matchOptions: skeleton.matches.flatMap((m) => m.options.map((o) => ({ owner: m.module, name: o.name, negated: o.negation >= 0 }))),
      };
      const previousFlag = new Uint8Array(count);
      for (let k = 2; k < count; k++) {
        const before = fixed[k - 1];
        if (isFixed(classes[k - 1]) && before !== undefined) previousFlag[k] = flagKind(before, 0, before.length);
      }
      const template: Template = { count, classes, fixed, checks, chainTarget, skeleton, outline, id: this.all.length, previousFlag };
      list.push(template);
      this.all.push(template);
      return template.id;
    } catch (error) {
      if (error !== DECLINE) throw error;
      return -1;
    }
  }

  outline(id: number): RuleOutline {
    return this.all[id].outline;
  }

  /**
   * Where the first option `name` is in the lines of template `id`: of the generic options when
   * `owner` is '', of the target when it is TARGET_OPTIONS, else of the first match (of module
   * `owner`, or of any module when `owner` is '*') that has it. null when the rules of this template
   * do not have it.
   */
  argumentOf(id: number, owner: string, name: string): OptionLocation | null {
    const template = this.all[id];
    let byName = (template.arguments ??= new Map()).get(owner);
    if (!byName) template.arguments.set(owner, (byName = new Map()));
    const known = byName.get(name);
    if (known !== undefined) return known;
    let found: OptionLocation | null = null;
    const locate = (options: OptionSkeleton[]) => {
      const option = options.find((o) => o.name === name);
      if (option) {
        const arg = option.args.length ? option.args[0] : -1;
        const fixed = arg >= 0 ? template.fixed[arg] : undefined;
        found = { arg, negated: option.negation >= 0 };
        if (fixed !== undefined && fixed.charCodeAt(0) !== 34 /* " */) found.fixedText = fixed;
      }
      return !!option;
    };
    if (owner === '') locate(template.skeleton.generic);
    else if (owner === TARGET_OPTIONS) locate(template.skeleton.target?.options ?? []);
    else for (const match of template.skeleton.matches) if ((owner === '*' || match.module === owner) && locate(match.options)) break;
    byName.set(name, found);
    return found;
  }

  /**
   * The target of every rule of template `id` (null: they have none): its kind, whether it is a
   * goto, and its name when every rule writes the same one (a verdict, a target extension).
   */
  targetOf(id: number): { kind: TargetUse['kind']; goto: boolean; name: string | undefined } | null {
    const template = this.all[id];
    const t = template.skeleton.target;
    if (!t) return null;
    const fixed = template.fixed[t.token];
    return { kind: t.kind, goto: t.goto, name: fixed !== undefined && fixed.charCodeAt(0) !== 34 /* " */ ? fixed : undefined };
  }

  /** Token index (from the `-A`) of the target's name in the lines of template `id`, or -1. */
  targetIndex(id: number): number {
    return this.all[id].skeleton.target?.token ?? -1;
  }

  /**
   * The target of a line of template `id` from the offset of its name alone — no scan of the line.
   * Its options, when the template's target has some, are read from `optionsFrom` when first asked
   * (the analyses read names, kinds and gotos only); without `optionsFrom` such a target is
   * undefined (use instantiateTarget).
   */
  targetAt(id: number, text: string, nameStart: number, lineEnd: number, knownName?: string, optionsFrom?: { readTargetOptions(): OptionUse[] }): TargetUse | undefined {
    const template = this.all[id];
    const t = template.skeleton.target;
    if (!t || (t.options.length && !optionsFrom)) return undefined;
    let nameEnd = nameStart;
    while (nameEnd < lineEnd && !isSeparator(text.charCodeAt(nameEnd))) nameEnd++;
    const length = nameEnd - nameStart;
    // The name without slicing the line: the chain's own string, or the template's (a target name
    // the template pins, like ACCEPT), else read from the line.
    const fixed = template.fixed[t.token];
    const name = knownName !== undefined && knownName.length === length ? knownName : fixed !== undefined && fixed.length === length ? fixed : makeToken(text.slice(nameStart, nameEnd), nameStart, nameEnd, false).text;
    return new OffsetTarget(name, t.goto, t.kind, text, nameStart, t.options.length ? optionsFrom : undefined);
  }

  /**
   * Only the target of a rule line checked by template `id` (the analyses read every rule's target;
   * building just that is a fraction of the whole model). `tokens` holds the line, scanned.
   */
  instantiateTarget(id: number, text: string, tokens: LineTokens, first: number): TargetUse | undefined {
    const t = this.all[id].skeleton.target;
    if (!t) return undefined;
    const token = (k: number): Token => makeToken(tokens.value(text, first + k), tokens.starts[first + k], tokens.ends[first + k], tokens.quoted[first + k] === 1);
    const option = (o: OptionSkeleton): OptionUse => {
      const negation = o.negation >= 0 ? token(o.negation) : undefined;
      const written = token(o.written);
      return new ParsedOption(o.name, written, negation !== undefined, negation, o.args.length === 0 ? NO_TOKENS : o.args.map(token), negation ? negation.start : written.start);
    };
    const nameToken = token(t.token);
    const target = new ParsedTarget(nameToken.text, nameToken, token(t.flag), t.goto, t.kind);
    if (t.options.length) target.options = t.options.map(option);
    return target;
  }

  /**
   * The model of a rule line checked by template `id`: the template's skeleton with the line's own
   * tokens (`tokens` from tokenizeLine, `first` the index of `-A`). Identical to the full parse's.
   */
  instantiate(id: number, tokens: Token[], first: number, base: Omit<Rule, 'criteria' | 'genericOptions' | 'matches' | 'target' | 'commandToken' | 'chainToken' | 'chain'> & { counters?: Counters }): Rule {
    const skeleton = this.all[id].skeleton;
    const token = (k: number): Token => tokens[first + k];
    const option = (o: OptionSkeleton): OptionUse => {
      const negation = o.negation >= 0 ? token(o.negation) : undefined;
      const written = token(o.written);
      return new ParsedOption(o.name, written, negation !== undefined, negation, o.args.length === 0 ? NO_TOKENS : o.args.map(token), negation ? negation.start : written.start);
    };
    const criteria: Criteria = {};
    const genericOptions = skeleton.generic.length === 0 ? NO_OPTIONS : skeleton.generic.map(option);
    for (const generic of genericOptions) {
      switch (generic.name) {
        case 'protocol': criteria.protocol = generic; break;
        case 'source': criteria.source = generic; break;
        case 'destination': criteria.destination = generic; break;
        case 'in-interface': criteria.inInterface = generic; break;
        case 'out-interface': criteria.outInterface = generic; break;
        case 'fragment': criteria.fragment = generic; break;
      }
    }
    const matches = skeleton.matches.length === 0 ? NO_MATCHES : skeleton.matches.map((m) => {
      const match = new ParsedMatch(m.module, m.moduleToken >= 0 ? token(m.moduleToken) : undefined, m.flagToken >= 0 ? token(m.flagToken) : undefined, m.implicit, true, token(m.spanStart).start, token(m.spanEnd).end);
      if (m.options.length) match.options = m.options.map(option);
      return match;
    });
    let target: ParsedTarget | undefined;
    if (skeleton.target) {
      const t = skeleton.target;
      const nameToken = token(t.token);
      target = new ParsedTarget(nameToken.text, nameToken, token(t.flag), t.goto, t.kind);
      if (t.options.length) target.options = t.options.map(option);
    }
    const chainToken = token(1);
    // Same property order as the parser's rule objects (one object shape for V8).
    return {
      table: base.table,
      chain: chainToken.text,
      position: base.position,
      command: 'append',
      span: base.span,
      line: base.line,
      commandToken: token(0),
      chainToken,
      counters: base.counters,
      criteria,
      genericOptions,
      matches,
      broken: base.broken,
      target,
    };
  }
}

const DECLINE = new Error('template declined');
const isSeparator = (c: number): boolean => c === 32 || c === 9;
const NO_TOKENS: Token[] = Object.freeze([]) as unknown as Token[];
const NO_OPTIONS: OptionUse[] = Object.freeze([]) as unknown as OptionUse[];
const NO_MATCHES: Rule['matches'] = Object.freeze([]) as unknown as Rule['matches'];

/** The exemplar's model in token indices (see RuleSkeleton). */
function skeletonOf(rule: Rule, byStart: Map<number, number>, byEnd: Map<number, number>): RuleSkeleton {
  const indexOfStart = (offset: number): number => {
    const k = byStart.get(offset);
    if (k === undefined) throw DECLINE;
    return k;
  };
  const indexOf = (token: Token): number => indexOfStart(token.start);
  const option = (o: OptionUse): OptionSkeleton => ({ name: o.name, written: indexOf(o.written), negation: o.negationSpan ? indexOf(o.negationSpan as Token) : -1, args: o.args.map(indexOf) });
  const indexOfEnd = (offset: number): number => {
    const k = byEnd.get(offset);
    if (k === undefined) throw DECLINE;
    return k;
  };
  return {
    generic: rule.genericOptions.map(option),
    matches: rule.matches.map((m) => ({
      module: m.module,
      moduleToken: m.moduleToken ? indexOf(m.moduleToken) : -1,
      flagToken: m.flagToken ? indexOf(m.flagToken) : -1,
      implicit: m.implicit,
      spanStart: indexOfStart(m.span.start),
      spanEnd: indexOfEnd(m.span.end),
      options: m.options.map(option),
    })),
    target: rule.target && { token: indexOf(rule.target.token), flag: indexOf(rule.target.flagToken), goto: rule.target.goto, kind: rule.target.kind, options: rule.target.options.map(option) },
  };
}

const NOT_A_FLAG = 0;
/** -j, --jump, -g, --goto: the next token names the target */
const TARGET_FLAG = 1;
/** -m, --match, -p, --protocol: the next token decides which options exist */
const STRUCTURAL_FLAG = 2;

/** Which of the flags whose argument shapes the rule spans [start, end) is (without slicing). */
function flagKind(text: string, start: number, end: number): number {
  const length = end - start;
  if (text.charCodeAt(start) !== 45 /* - */) return NOT_A_FLAG;
  if (length === 2) {
    const c = text.charCodeAt(start + 1);
    if (c === 106 /* j */ || c === 103 /* g */) return TARGET_FLAG;
    if (c === 109 /* m */ || c === 112 /* p */) return STRUCTURAL_FLAG;
    return NOT_A_FLAG;
  }
  if (length === 6 && (text.startsWith('--jump', start) || text.startsWith('--goto', start))) return TARGET_FLAG;
  if ((length === 7 && text.startsWith('--match', start)) || (length === 10 && text.startsWith('--protocol', start))) return STRUCTURAL_FLAG;
  return NOT_A_FLAG;
}

/** The parser's -s/-d check: one problem per bad comma-separated part. */
function addressListProblems(value: string, family: Family): ValueProblem[] | undefined {
  if (!value.includes(',')) {
    // one address (nearly always): no list to split
    const problem = checkAddress(value, family);
    return problem ? [problem] : undefined;
  }
  let problems: ValueProblem[] | undefined;
  for (const part of value.split(',')) {
    const problem = checkAddress(part, family);
    if (problem) (problems ??= []).push(problem);
  }
  return problems;
}

/**
 * Whether `expected` is written in `text` at `at` (the caller checked it fits). The same answer as
 * text.startsWith(expected, at), without the builtin call: most of the ≈ 1.5 million tokens of a
 * 10k-service dump's rule lines are fixed ones compared here, most of them a few characters long.
 */
function writtenAt(text: string, at: number, expected: string): boolean {
  for (let k = 0; k < expected.length; k++) if (text.charCodeAt(at + k) !== expected.charCodeAt(k)) return false;
  return true;
}
