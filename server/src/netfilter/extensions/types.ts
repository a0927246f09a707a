// The contract every match / target extension file fulfils.
// One file per extension (extensions/matches/tcp.ts, extensions/targets/DNAT.ts …) declares its
// options with their grammar and docs; the parser, completion, hovers and the simulator all read
// from the registry built in extensions/registry.ts, never from ad-hoc tables elsewhere.

import type { Family, MatchUse, OptionUse, Rule, TargetUse } from '../model';
import type { HookPosition, NodeContext, Packet } from '../packet';
import type { ValueProblem } from '../values';

/** Grammar of an option's value, used for validation, completion and hovers. */
export type ValueKind =
  | 'none' // flag without argument
  | 'string'
  | 'int' // integer; like iptables (strtoul base 0) also 0x hex and leading-0 octal
  | 'int-range' // n or n:m (length, connbytes, SPI ranges …)
  | 'number' // integer or decimal (probability)
  | 'port' // 80 or service name
  | 'port-range' // 80, 80:90, :90, 80:
  | 'port-list' // multiport: 80,443,8000:8080
  | 'address' // IPv4/IPv6 address or hostname, optionally /mask
  | 'address-list' // comma-separated addresses
  | 'address-range' // a.b.c.d-e.f.g.h
  | 'interface'
  | 'mark' // value[/mask], hex or decimal
  | 'hex'
  | 'flags' // comma list from `values`
  | 'enum' // one of `values`
  | 'enum-list' // comma list of `values`
  | 'nat-range' // [ip[-ip]][:port[-port]]
  | 'rate' // 5/sec, 10/minute
  | 'time'
  | 'raw'; // anything; kept verbatim

export interface OptionSpec {
  /** canonical long name without leading dashes, as iptables-save prints it */
  name: string;
  /** other spellings accepted by iptables (long names without dashes, e.g. `destination-port`) */
  aliases?: string[];
  /** number of argument tokens: 0, 1, 2; `[min, max]` when optional (iptables' optional_argument) */
  arity: number | [number, number];
  /** true when `! --opt` is accepted */
  negatable: boolean;
  value: ValueKind;
  /** allowed words for `enum`, `enum-list`, `flags`, in the order of the extension's own table (see valueMatch) */
  values?: string[];
  /**
   * How the extension compares a word with `values` (values.ts valueWord): 'nocase' (strcasecmp, the
   * default), 'exact' (strcmp), or 'prefix' (strncasecmp over the word's length: the first value, in
   * table order, that the word begins — `EST` is ESTABLISHED, `tcp` is tcp-reset).
   */
  valueMatch?: 'nocase' | 'exact' | 'prefix';
  /** other words the extension reads as a value, tried together with it (pkttype's `bcast` for broadcast) */
  valueAliases?: Readonly<Record<string, readonly string[]>>;
  /**
   * How an `enum-list` / `flags` value is split when the extension splits it with strtok() on these
   * separators: empty items are skipped (`,SYN` is SYN; `,` is no item at all). Without it, the list
   * is libxtables' strchr(',') loop, where an empty item is an error. Words compare as valueMatch says.
   */
  strtokList?: { separators: string };
  /** short, plain-language description shown in hovers and completion */
  doc: string;
  /** required for the extension to be valid (iptables rejects the rule without it) */
  required?: boolean;
  /**
   * `int` values: the bounds restore checks, inclusive (the option table's .min/.max, else the
   * field's width; probed with iptables-nft-restore 1.8.9). Default [0, 4294967295] (UINT32).
   */
  range?: readonly [number, number | bigint];
  /** restore's message for a number outside `range`, where the extension words it itself */
  rangeMessage?: (text: string) => string;
  /** options this one needs beside it (libxtables' `.also`: "option X also requires Y") */
  also?: readonly string[];
  /** options this one needs earlier in the same match (owner's --suppl-groups: "you need to use --gid-owner first") */
  alsoBefore?: readonly string[];
  /** option may appear more than once in one match instance */
  repeatable?: boolean;
  /** what iptables-restore says about a value that `value` alone cannot judge (icmp type names) */
  check?: (text: string, family: Family, argIndex: number) => ValueProblem | undefined;
}

/** Result of evaluating a match against a packet. */
export type MatchOutcome =
  | boolean
  | {
      /** the engine cannot decide: the simulator forks into "matches" / "does not match" */
      undecided: true;
      /** recorded on the path where it matches, e.g. `assumed -m recent --rcheck matches` */
      assumption: string;
      /** recorded on the path where it does not (derived from `assumption` when absent: see negateAssumption) */
      negatedAssumption?: string;
      /** probability that it matches, when known (statistic random); otherwise the fork is unweighted */
      probability?: number;
      /**
       * The open question this match depends on, when it is one fact about the node or its sets
       * (`10.0.0.1 is local`): the fork settles it for the rest of each path, so a later rule that
       * asks the same question gets the same answer instead of forking again (see assumedFact).
       */
      fact?: { key: string; ifMatches: boolean };
    };

export interface EvalContext {
  packet: Packet;
  node: NodeContext;
  position: HookPosition;
  rule: Rule;
}

export interface MatchSpec {
  name: string;
  aliases?: string[];
  /** families the module exists in; omitted = both */
  families?: Family[];
  /** one-line description for hovers and completion */
  doc: string;
  options: OptionSpec[];
  /**
   * Decide whether the packet satisfies this match (negations of individual options included).
   * Absent: the simulator treats the match as undecided and forks.
   */
  evaluate?(match: MatchUse, ctx: EvalContext): MatchOutcome;
  /** groups of options of which iptables accepts at most one in a rule (libxtables' `.excl`; probed, see OPTION_CONFLICTS in test/extensions/restore-agreement.test.ts) */
  conflicts?: ReadonlyArray<readonly string[]>;
  /** groups of options of which the match needs at least one (the extension's final check), with restore's message */
  needsOneOf?: ReadonlyArray<{ options: readonly string[]; message: string }>;
  /** extra validation beyond arity/grammar; returns messages for options that are wrong */
  validate?(match: MatchUse): Array<{ option?: OptionUse; message: string; severity?: 'error' | 'warning' }>;
  /**
   * Tables the kernel loads the match in (its checkentry reads the table name; omitted = all). The
   * kernel refuses the rule elsewhere when it loads it; `iptables-restore --test` does not check it
   * (analysis/placement.ts: place/match-table).
   */
  tables?: string[];
  /**
   * Built-in chains (hooks) the kernel loads the match from (the xt_match's `.hooks`; omitted = all).
   * Both iptables-legacy and iptables-nft also refuse it in a user chain reached from another hook
   * (place/match-hook).
   */
  hooks?: string[];
  /**
   * Hooks the match's checkentry refuses because of the options it has (`policy --dir out` in
   * INPUT): each with the option that decides it and why. iptables-legacy checks them in user chains
   * by the hooks they are reached from; iptables-nft only in built-in chains (place/match-hook).
   */
  refusedHooks?(match: MatchUse): Array<{ option: OptionUse; hooks: readonly string[]; reason: string }>;
}

/** What a target does to the packet and to the traversal. */
export interface TargetEffect {
  /**
   * ACCEPT / DROP / REJECT / QUEUE / NFQUEUE / RETURN end the chain traversal (RETURN only the
   * current chain); CONTINUE goes on with the next rule (MARK, LOG …).
   * NAT targets that rewrite say ACCEPT for the table traversal (that is what the kernel does: the
   * nat table stops at the first NAT verdict).
   */
  verdict: 'ACCEPT' | 'DROP' | 'REJECT' | 'QUEUE' | 'RETURN' | 'CONTINUE' | 'STOLEN';
  /** packet fields changed, already applied to `packet` by the target */
  rewrite?: Partial<Pick<Packet, 'src' | 'dst' | 'sport' | 'dport' | 'mark' | 'ctmark' | 'dscp' | 'ttl'>>;
  /** human description of the change, e.g. `DNAT 10.96.0.10:53 → 10.244.0.2:53` */
  description?: string;
  /** when the effect depends on something the engine cannot know */
  assumption?: string;
}

export interface TargetSpec {
  name: string;
  aliases?: string[];
  families?: Family[];
  doc: string;
  /** true when the target always ends the traversal of the current table (ACCEPT, DROP, DNAT …) */
  terminating: boolean;
  /** tables the kernel accepts the target in (omitted = all) */
  tables?: string[];
  /** built-in chains (hooks) the kernel accepts the target from; user chains are checked by where they are reached from */
  hooks?: string[];
  options: OptionSpec[];
  /** Apply the target to `ctx.packet` (mutate it) and say what happened. Absent = CONTINUE with an assumption. */
  apply?(target: TargetUse, ctx: EvalContext): TargetEffect;
  /** groups of options of which iptables accepts at most one in a rule (as MatchSpec.conflicts) */
  conflicts?: ReadonlyArray<readonly string[]>;
  /** as MatchSpec.needsOneOf */
  needsOneOf?: ReadonlyArray<{ options: readonly string[]; message: string }>;
  validate?(target: TargetUse): Array<{ option?: OptionUse; message: string; severity?: 'error' | 'warning' }>;
}

/** Options of the rule itself (not of an extension): -p, -s, -d, -i, -o, -f, -j, -g, -m. */
export interface GenericOptionSpec extends OptionSpec {
  short?: string;
}

/** Find an option by canonical name or alias. */
export function findOption(options: readonly OptionSpec[], name: string): OptionSpec | undefined {
  for (const option of options) {
    if (option.name === name) return option;
    if (option.aliases && option.aliases.includes(name)) return option;
  }
  return undefined;
}

/** Helper for evaluate(): the option with that canonical name in a match use. */
export function optionOf(use: { options: OptionUse[] }, name: string): OptionUse | undefined {
  for (const option of use.options) if (option.name === name) return option;
  return undefined;
}
