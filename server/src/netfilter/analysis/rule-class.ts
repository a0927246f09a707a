// A rule's class: what the analyses' passes over every rule read of it (usable? what kind of target?
// does it match every packet?), in a few bits worked out once per rule template from what the parser
// knows of all its rules (parser.ts templateTarget, templateOutline). TableFacts.ruleClass gives it
// for a rule of the table, so that the passes make no rule object for most of a big table's 100k
// rules; RULE_OBJECT means the template does not tell: read the rule object.
// test/property/rows-vs-objects.test.ts holds what the passes find this way to what they find on rule objects.

import type { RuleOutline } from '../rule-templates';
import type { TargetUse } from '../model';
import { statefulOutline } from './constraints';
import { PROTOCOL_CHECKED_AT_LOAD, protocolCheckedAtLoad } from '../parser';

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
/** it has a match whose values the kernel checks when it loads the rule: addrtype, u32 (placement.ts checkMatchValues) */
export const RULE_LOAD_CHECKED = 1 << 9;

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
    module === 'addrtype' || module === 'u32' || PROTOCOL_CHECKED_AT_LOAD.has(module) ||
    (!plainProtocol && protocolCheckedAtLoad(module, outline.matchOptions.filter((o) => o.owner === module).map((o) => o.name)));
  if (outline.modules.some(loadChecked)) bits |= RULE_LOAD_CHECKED;
  return bits;
}
