// A rule's class: what the analyses' passes over every rule read of it (usable? what kind of target?
// does it match every packet?), in a few bits worked out once per rule template from what the parser
// knows of all its rules (parser.ts templateTarget, templateOutline). TableFacts.ruleClass gives it
// for a rule of the table, so that the passes make no rule object for most of a big table's 100k
// rules; RULE_OBJECT means the template does not tell: read the rule object.
// test/property/rows-vs-objects.test.ts holds what the passes find this way to what they find on rule objects.

import type { RuleOutline } from '../rule-templates';
import type { TargetUse } from '../model';
import { FIRST_FRAGMENT_MODULES, dimensionOf, statefulOutline } from './constraints';
import { PROTOCOL_CHECKED_AT_LOAD, protocolCheckedAtLoad } from '../parser';
import { findMatch } from '../extensions/registry';

/** Verdicts that end the traversal of the current chain for every packet the rule matches. */
export const ALWAYS_TERMINAL: ReadonlySet<string> = new Set(['ACCEPT', 'DROP', 'REJECT', 'QUEUE', 'NFQUEUE', 'RETURN']);
/** NAT targets: the nat table stops at the first one that applies (NF_ACCEPT, or NF_DROP on failure). */
export const NAT_TERMINAL: ReadonlySet<string> = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP']);

/** The template does not tell (or the rule has none): read the rule object. */
export const RULE_OBJECT = -1;
/** broken, or for the other family (context.usable() is false) */
export const RULE_UNUSABLE = 1;
/** the kind of target (the bits under RULE_TARGET) */
export const RULE_TARGET = 7 << 1;
export const TARGET_NONE = 0;
/** a jump or goto to a chain */
export const TARGET_CHAIN = 1 << 1;
/** a verdict that ends the chain for every packet the rule matches (TableFacts.verdictTerminal) */
export const TARGET_VERDICT = 2 << 1;
export const TARGET_RETURN = 3 << 1;
/** any other built-in or extension target (a packet it matches goes on to the next rule) */
export const TARGET_OTHER = 4 << 1;
/** a target the registry does not know */
export const TARGET_UNKNOWN = 5 << 1;
export const RULE_GOTO = 1 << 4;
/** matches every packet, certainly (no criteria but comments) */
export const RULE_UNIVERSAL = 1 << 5;
/** never matches every packet, certainly (a stateful match, a negated or fragment criterion) */
export const RULE_NOT_UNIVERSAL = 1 << 6;
/** certainlyStateful() */
export const RULE_STATEFUL = 1 << 7;
/** its target is an extension (placement reads these) */
export const RULE_EXTENSION = 1 << 8;
/** it has a match the kernel checks when it loads the rule: its values (addrtype, u32, string: placement.ts checkMatchValues), where it is (owner, mac, policy …: checkMatchPlacement), its hashlimit table (checkHashlimitNames) */
export const RULE_LOAD_CHECKED = 1 << 9;
/** its constraints may leave no packet (mayBeEmptyOutline): its shape is read for reach/never-matches */
export const RULE_MAY_BE_EMPTY = 1 << 10;
/** only a negated option's value can leave no packet (`! -s 0.0.0.0/0`): negatedMayExcludeAll tells which rules */
export const RULE_NEGATIONS = 1 << 11;

/**
 * The class bits of every rule of a template whose rules have `target` (null: none) and `outline`,
 * in table `table`; RULE_OBJECT when they differ from rule to rule. Read as TableFacts.verdictTerminal,
 * walkStep and universal() read a rule object.
 */
export function templateClassBits(target: { kind: TargetUse['kind']; goto: boolean; name: string | undefined } | null, outline: RuleOutline, table: string): number {
  let bits = 0;
  if (target) {
    if (target.kind === 'chain') bits |= TARGET_CHAIN | (target.goto ? RULE_GOTO : 0);
    else if (target.name === undefined) return RULE_OBJECT; // (a name written differently line by line)
    else {
      const name = target.name;
      const verdict = (target.kind === 'builtin' || target.kind === 'extension') && (ALWAYS_TERMINAL.has(name) || (NAT_TERMINAL.has(name) && table === 'nat'));
      if (name === 'RETURN') {
        if (!verdict) return RULE_OBJECT;
        bits |= TARGET_RETURN;
      } else bits |= verdict ? TARGET_VERDICT : target.kind === 'unknown' ? TARGET_UNKNOWN : TARGET_OTHER;
      if (target.kind === 'extension') bits |= RULE_EXTENSION;
    }
  }
  // (as universal() reads a rule: plainlyUniversal, then mayBeUniversal's certain refusals)
  if (statefulOutline(outline)) bits |= RULE_STATEFUL | RULE_NOT_UNIVERSAL;
  else if (outline.genericOptions === 0 && outline.modules.every((module) => module === 'comment')) bits |= RULE_UNIVERSAL;
  else if (outline.generic.some((option) => option.negated || option.name === 'fragment')) bits |= RULE_NOT_UNIVERSAL;
  // (tcp and udp are read as xtables matches, checked at load, in kube-proxy's every `-p tcp -m tcp -j DNAT`:
  // only a rule whose -p is absent or negated is worth a look — one with another protocol is left out)
  const plainProtocol = outline.generic.some((option) => option.name === 'protocol' && !option.negated);
  const loadChecked = (module: string) =>
    module === 'addrtype' || module === 'u32' || module === 'string' || module === 'hashlimit' || PROTOCOL_CHECKED_AT_LOAD.has(module) || placedByKernel(module) ||
    (!plainProtocol && protocolCheckedAtLoad(module, outline.matchOptions.filter((o) => o.owner === module).map((o) => o.name)));
  if (outline.modules.some(loadChecked)) bits |= RULE_LOAD_CHECKED;
  bits |= mayBeEmptyOutline(outline);
  return bits;
}

/** Whether the kernel loads the match only in some tables or hooks (placement.ts checkMatchPlacement). */
function placedByKernel(module: string): boolean {
  const spec = findMatch(module);
  return !!spec && !!(spec.tables || spec.hooks || spec.refusedHooks);
}

/**
 * 0 when no rule with this outline can have an empty shape (constraints.ts): every dimension is
 * constrained at most once, by an option that is neither negated nor one whose value can empty it by
 * itself (a mark outside its mask, tcp flags outside theirs, a reversed range). RULE_NEGATIONS when
 * only the value of a negated option can (`! -s 0.0.0.0/0`, `! -i +`: negatedMayExcludeAll reads
 * it), RULE_MAY_BE_EMPTY otherwise. Most rules of a big dump are skipped this way.
 */
export function mayBeEmptyOutline(outline: RuleOutline): number {
  const seen = new Set<string>();
  const constrain = (dim: string): boolean => seen.size === seen.add(dim).size;
  let negations = 0;
  for (const option of outline.generic) {
    const dim = dimensionOf('', option.name);
    if (dim && constrain(dim)) return RULE_MAY_BE_EMPTY;
    if (option.negated && option.name !== 'fragment') negations = RULE_NEGATIONS;
  }
  for (const module of outline.modules) if (FIRST_FRAGMENT_MODULES.has(module) && constrain('frag')) return RULE_MAY_BE_EMPTY;
  for (const option of outline.matchOptions) {
    // (a string search window too small for its pattern)
    if (option.owner === 'string' && (option.name === 'from' || option.name === 'to')) return RULE_MAY_BE_EMPTY;
    const dim = dimensionOf(option.owner, option.name);
    if (!dim) continue;
    // (a value alone can leave nothing: a mark or TOS value outside its mask, flags outside theirs, a reversed range, `--ttl-lt 0`)
    if (dim === 'mark' || dim === 'connmark' || dim === 'ttl' || option.owner === 'tos' || option.name === 'tcp-flags' || option.owner === 'iprange' || constrain(dim)) return RULE_MAY_BE_EMPTY;
    if (option.negated) negations = RULE_NEGATIONS;
  }
  return negations;
}

/**
 * Whether negated option `name` of `owner` ('' for -p/-s/-d/-i/-o) with value `text` (undefined: not
 * known) may exclude every packet by itself, as ruleShape reads it: an address list with a /0 block,
 * the interface `+`, protocol `all`, a port range or list, any other modelled value. False only when
 * certainly not.
 */
export function negatedMayExcludeAll(owner: string, name: string, text: string | undefined): boolean {
  if (text === undefined) return true;
  const needle = excludesAllNeedle(owner, name);
  if (needle !== undefined && !text.includes(needle)) return false;
  if (owner === '') {
    if (name === 'in-interface' || name === 'out-interface') return text === '+';
    if (name === 'fragment') return false;
    return true;
  }
  if (name === 'sport' || name === 'dport' || name === 'sports' || name === 'dports') return text.includes(':') || text.includes(',');
  return true;
}

/**
 * Text that negated option `name` of `owner` must contain to exclude every packet (negatedMayExcludeAll):
 * an address a /0 block, an interface `+`. A line without it needs no reading of the option from
 * its row (kube-proxy's 10k `! -s POD_CIDR` rules). Undefined: no such shortcut.
 */
export function excludesAllNeedle(owner: string, name: string): string | undefined {
  if (owner !== '') return undefined;
  return name === 'source' || name === 'destination' ? '/0' : name === 'in-interface' || name === 'out-interface' ? '+' : undefined;
}
