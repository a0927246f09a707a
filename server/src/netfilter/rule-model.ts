// The parser's model objects: small classes whose spans are computed from the tokens they hold
// instead of being stored (a 100k-rule dump would otherwise keep ~600k extra span objects).

import type { MatchUse, OptionUse, Rule, Span, TargetUse, Token } from './model';
import { makeToken } from './tokenizer';

export class ParsedOption implements OptionUse {
  constructor(
    public name: string,
    public written: Token,
    public negated: boolean,
    /** the `!` token itself (a Token is a Span) */
    public negationSpan: Span | undefined,
    public args: Token[],
    private readonly spanStart: number,
  ) {}
  get span(): Span {
    const lastArg = this.args.length ? this.args[this.args.length - 1].end : 0;
    return { start: this.spanStart, end: Math.max(lastArg, this.written.end) };
  }
}

export class ParsedMatch implements MatchUse {
  options: OptionUse[] = [];
  constructor(
    public module: string,
    public moduleToken: Token | undefined,
    public flagToken: Token | undefined,
    public implicit: boolean,
    public known: boolean,
    private readonly spanStart: number,
    private readonly spanEnd: number,
  ) {}
  get span(): Span {
    return { start: this.spanStart, end: this.spanEnd };
  }
}

export class ParsedTarget implements TargetUse {
  options: OptionUse[] = [];
  constructor(
    public name: string,
    public token: Token,
    public flagToken: Token,
    public goto: boolean,
    public kind: TargetUse['kind'],
  ) {}
  get span(): Span {
    return { start: this.flagToken.start, end: this.token.end };
  }
}

const NO_TARGET_OPTIONS: OptionUse[] = Object.freeze([]) as unknown as OptionUse[];

/**
 * A target read from its rule line by offset (rule-templates.ts targetAt). The analyses read the
 * name, kind and goto of every one of 100k rules; its tokens, span and options are made only when
 * something asks (navigation, hovers, a trace), so reading a target allocates one object.
 */
export class OffsetTarget implements TargetUse {
  // Its tokens are made on every read, not kept: 16 bytes × 113k targets, read for a few of them.
  readonly #source: string;
  readonly #nameStart: number;
  #options: OptionUse[] = NO_TARGET_OPTIONS;
  #optionsFrom?: { readTargetOptions(): OptionUse[] };
  constructor(
    public name: string,
    public goto: boolean,
    public kind: TargetUse['kind'],
    /** the whole text and where `name` is written in it */
    source: string,
    nameStart: number,
    /** when the target has options: what reads them (its rule), asked on first use */
    optionsFrom?: { readTargetOptions(): OptionUse[] },
  ) {
    this.#source = source;
    this.#nameStart = nameStart;
    this.#optionsFrom = optionsFrom;
  }
  /** where the name is written in the text */
  get nameStart(): number {
    return this.#nameStart;
  }
  get options(): OptionUse[] {
    if (this.#optionsFrom) {
      this.#options = this.#optionsFrom.readTargetOptions();
      this.#optionsFrom = undefined;
    }
    return this.#options;
  }
  set options(options: OptionUse[]) {
    this.#options = options;
    this.#optionsFrom = undefined;
  }
  get token(): Token {
    return makeToken(this.name, this.#nameStart, this.#nameStart + this.name.length, false);
  }
  /** the `-j` / `-g` (long or short) before the name */
  get flagToken(): Token {
    const text = this.#source;
    const blank = (c: number) => c === 32 || c === 9;
    let end = this.#nameStart;
    while (end > 0 && blank(text.charCodeAt(end - 1))) end--;
    let start = end;
    while (start > 0 && !blank(text.charCodeAt(start - 1))) start--;
    return makeToken(text.slice(start, end), start, end, false);
  }
  get span(): Span {
    return { start: this.flagToken.start, end: this.#nameStart + this.name.length };
  }
}

/**
 * Arrays grown by push keep spare capacity (17+ slots); a 100k-rule dump has ~700k of them.
 * Copy each to its exact size once the rule is complete (the model is read-only afterwards).
 */
const EMPTY: never[] = Object.freeze([]) as unknown as never[];
function exact<T>(list: T[]): T[] {
  return list.length === 0 ? EMPTY : list.slice();
}
export function compactRule(rule: Rule): void {
  for (const option of rule.genericOptions) option.args = exact(option.args);
  rule.genericOptions = exact(rule.genericOptions);
  for (const match of rule.matches) {
    for (const option of match.options) option.args = exact(option.args);
    match.options = exact(match.options);
  }
  rule.matches = exact(rule.matches);
  if (rule.target) {
    for (const option of rule.target.options) option.args = exact(option.args);
    rule.target.options = exact(rule.target.options);
  }
}


