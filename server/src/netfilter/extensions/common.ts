// Shared helpers for match evaluate() and target apply(): number and port grammar as iptables
// parses it, negation, and combining per-option outcomes.
//
// Convention for undecided outcomes: `assumption` describes the branch on which the match
// MATCHES (e.g. `assumed 10.0.0.1 in ipset KUBE-X`); the simulator labels the other branch.

import type { MatchUse, OptionUse } from '../model';
import type { EvalContext, MatchOutcome } from './types';
import { dropsFullPortRanges, mergesNegatedPorts } from '../saved-by';
import { parseAddress } from '../addr';
import { readDecimal } from '../values';

/** strtoul(text, 0): decimal, 0x hex, leading-0 octal. Undefined for anything else. */
export function parseNumber(text: string): number | undefined {
  // Fast path for the common case, plain decimal without a leading zero (hot: every address octet).
  const length = text.length;
  if (length > 0 && length < 10) {
    let value = 0;
    let k = 0;
    for (; k < length; k++) {
      const c = text.charCodeAt(k) - 48;
      if (c < 0 || c > 9) break;
      value = value * 10 + c;
    }
    if (k === length && (length === 1 || text.charCodeAt(0) !== 48)) return value;
  }
  // (strtoul also takes a `+`)
  const trimmed = text.trim();
  const t = trimmed.startsWith('+') ? trimmed.slice(1) : trimmed;
  let n: number;
  // strtoul base 0, as libxtables reads numbers: 0x hex, a leading 0 octal (so `08` is invalid), else decimal.
  if (/^0x[0-9a-f]+$/i.test(t)) n = parseInt(t.slice(2), 16);
  else if (/^0[0-7]+$/.test(t)) n = parseInt(t.slice(1), 8);
  else if (/^0\d+$/.test(t)) return undefined;
  else if (/^\d+$/.test(t)) n = parseInt(t, 10);
  else return undefined;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** `value[/mask]` → unsigned 32-bit pair; mask defaults to 0xffffffff. */
export function parseMarkMask(text: string): { value: number; mask: number } | undefined {
  const [v, m] = text.split('/');
  const value = parseNumber(v);
  const mask = m === undefined ? 0xffffffff : parseNumber(m);
  if (value === undefined || mask === undefined) return undefined;
  return { value: value >>> 0, mask: mask >>> 0 };
}

export function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

/** Service names seen in dumps (iptables-save prints numbers; hand-written files use names). */
export const SERVICES: Record<string, number> = {
  ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, bootps: 67, bootpc: 68, tftp: 69, http: 80, www: 80,
  kerberos: 88, pop3: 110, ntp: 123, netbios_ns: 137, imap: 143, snmp: 161, ldap: 389, https: 443, syslog: 514,
  submission: 587, ldaps: 636, imaps: 993, pop3s: 995, openvpn: 1194, mysql: 3306, 'http-alt': 8080, postgresql: 5432,
};
Object.setPrototypeOf(SERVICES, null); // keys come from dumps: `constructor` must not find Object's

export function parsePort(text: string): number | undefined {
  const n = parseNumber(text);
  if (n !== undefined) return n <= 65535 ? n : undefined;
  return SERVICES[text];
}

/**
 * A port as xtables_getportbyname reads it — udp, dccp and conntrack ports, TPROXY --on-port, ipvs
 * (libxtables' XTTYPE_PORT/PORTRC) — through getaddrinfo's numeric service: decimal (`053` is 53,
 * `0x35` is no number), kept to 16 bits (`70000` is 4464), refused when it is negative as a C int;
 * else a name from /etc/services. tcp, sctp and multiport read C numbers instead (parsePort).
 * Checked against iptables-nft-restore 1.8.9 (test/parser/restore-agreement.test.ts).
 */
export function parseServicePort(text: string): number | undefined {
  const read = readDecimal(text, 0);
  if (!read || read.end !== text.length) return SERVICES[text];
  const asInt = BigInt.asIntN(32, read.value);
  return asInt < 0n ? undefined : Number(asInt & 0xffffn);
}

/** parsePortRange for the ports xtables_getportbyname reads (see parseServicePort). */
export function parseServicePortRange(text: string): { from: number; to: number } | undefined {
  return parsePortRange(text, ':', parseServicePort);
}

/** `a`, `a:b`, `:b`, `a:` (iptables also accepts `a-b` in multiport? no: only `:`). */
export function parsePortRange(text: string, separator = ':', port: (text: string) => number | undefined = parsePort): { from: number; to: number } | undefined {
  const at = text.indexOf(separator);
  if (at < 0) {
    const p = port(text);
    return p === undefined ? undefined : { from: p, to: p };
  }
  const from = at === 0 ? 0 : port(text.slice(0, at));
  const to = at === text.length - 1 ? 65535 : port(text.slice(at + 1));
  if (from === undefined || to === undefined) return undefined;
  return { from, to };
}

/** `n` or `n:m` (length, ttl ranges, SPI ranges). */
export function parseIntRange(text: string): { from: number; to: number } | undefined {
  const [a, b] = text.split(':');
  const from = a === '' ? 0 : parseNumber(a);
  const to = b === undefined ? from : b === '' ? Number.MAX_SAFE_INTEGER : parseNumber(b);
  if (from === undefined || to === undefined) return undefined;
  return { from, to };
}

export function inRange(value: number | undefined, range: { from: number; to: number } | undefined): boolean {
  return value !== undefined && range !== undefined && value >= range.from && value <= range.to;
}

export type UndecidedOutcome = Exclude<MatchOutcome, boolean>;

/**
 * An outcome the engine cannot decide. `negated`: how the other branch reads (say it whenever
 * `assumption` has a reason in parentheses or no `matches`: the derived text would misread);
 * `fact`: the one question it depends on (see assumedFact).
 */
export function undecided(assumption: string, extra: { probability?: number; negated?: string; fact?: UndecidedOutcome['fact'] } = {}): UndecidedOutcome {
  const outcome: UndecidedOutcome = { undecided: true, assumption };
  if (extra.negated !== undefined) outcome.negatedAssumption = extra.negated;
  if (extra.probability !== undefined) outcome.probability = extra.probability;
  if (extra.fact !== undefined) outcome.fact = extra.fact;
  return outcome;
}

/**
 * How the branch where an undecided match does NOT match reads, when its outcome did not say:
 * `assumed X matches (why)` → `assumed X does not match (why)`; other texts `assumed not: X`.
 */
export function negateAssumption(assumption: string): string {
  const why = / (matches|matched)( \([^()]*(?:\([^()]*\)[^()]*)*\))?$/.exec(assumption);
  if (why) return `${assumption.slice(0, why.index)} ${why[1] === 'matches' ? 'does not match' : 'did not match'}${why[2] ?? ''}`;
  return `assumed not: ${assumption.replace(/^assumed /, '')}`;
}

/** The text of the branch where `outcome` does not match. */
export function negatedAssumptionOf(outcome: UndecidedOutcome): string {
  return outcome.negatedAssumption ?? negateAssumption(outcome.assumption);
}

/** Apply `!` of an option to its outcome (an undecided outcome swaps its two branches). */
export function negateIf(negated: boolean, outcome: MatchOutcome): MatchOutcome {
  if (!negated) return outcome;
  if (typeof outcome === 'boolean') return !outcome;
  return undecided(negatedAssumptionOf(outcome), {
    negated: outcome.assumption,
    probability: outcome.probability !== undefined ? 1 - outcome.probability : undefined,
    fact: outcome.fact ? { key: outcome.fact.key, ifMatches: !outcome.fact.ifMatches } : undefined,
  });
}

/**
 * Several undecided outcomes that must all hold (the options of one match, the matches of one
 * rule): one fork, `assumed A and B` / `assumed not all of: A; B`. Chance multiplies; a fact is
 * kept only when it is the sole question.
 */
export function allUndecided(open: readonly UndecidedOutcome[]): UndecidedOutcome {
  if (open.length === 1) return open[0];
  const bare = (text: string) => text.replace(/^assumed /, '');
  const probabilities = open.map((o) => o.probability);
  const known = probabilities.every((p) => p !== undefined);
  return undecided(`assumed ${open.map((o) => bare(o.assumption)).join(' and ')}`, {
    negated: `assumed not all of: ${open.map((o) => bare(o.assumption)).join('; ')}`,
    probability: known ? probabilities.reduce((a, b) => a! * b!, 1) : undefined,
  });
}

/** All options of a match must hold: false wins, then undecided (assumptions joined), else true. */
export function all(outcomes: MatchOutcome[]): MatchOutcome {
  const open: UndecidedOutcome[] = [];
  for (const outcome of outcomes) {
    if (outcome === false) return false;
    if (outcome !== true) open.push(outcome);
  }
  return open.length === 0 ? true : allUndecided(open);
}

/**
 * Fact keys for what a path may assume (Packet.assumedFacts): whether an address is one of the
 * node's (addrtype LOCAL, routing), whether an element is in a set whose contents are not given.
 */
export function localAddressFact(address: string): string {
  const parsed = parseAddress(address);
  return `local ${parsed ? `${parsed.family} ${parsed.value.toString(16)}` : address}`;
}

export function ipsetMemberFact(set: string, element: string): string {
  return `ipset ${set} ${element}`;
}

/** What this path already assumed about `key`, if anything. */
export function assumedFact(packet: { assumedFacts?: Readonly<Record<string, boolean>> }, key: string): boolean | undefined {
  return packet.assumedFacts?.[key];
}

/** Evaluate each option with `decide`; unknown options (not handled) make the match undecided. */
export function evaluateOptions(
  options: OptionUse[],
  decide: (option: OptionUse) => MatchOutcome | undefined,
  describe: (option: OptionUse) => string,
): MatchOutcome {
  return all(
    options.map((option) => {
      const outcome = decide(option);
      if (outcome === undefined) return undecided(`assumed ${describe(option)} matches`);
      return negateIf(option.negated, outcome);
    }),
  );
}

/** `! --name a b` as written (canonical name), for assumption texts. */
export function optionText(option: OptionUse): string {
  return `${option.negated ? '! ' : ''}--${option.name}${option.args.length ? ' ' + option.args.map((a) => a.text).join(' ') : ''}`;
}

/** Header fields in words: `the TTL`, `the TTL and checksum`, `a, b and c` ('packet' for none). */
export function fieldList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? 'packet';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function matchText(module: string, options: OptionUse[]): string {
  return `-m ${module} ${options.map(optionText).join(' ')}`.trim();
}

/**
 * A match the engine cannot decide from a packet: always undecided, with a precise reason.
 * `stable`: its answer is a fact about this packet that nothing later in the traversal changes
 * (the sending process, the arrival time, the payload …), so the path keeps the answer it assumed
 * for the same match on the same addresses, ports and interfaces (see stableMatchFact).
 */
export function alwaysUndecided(module: string, reason: string, options: { stable?: boolean } = {}) {
  return (match: { options: OptionUse[] }, ctx: EvalContext): MatchOutcome => {
    const text = matchText(module, match.options);
    const assumption = `assumed ${text} matches (${reason})`;
    if (!options.stable) return undecided(assumption);
    const fact = stableMatchFact(text, ctx.packet);
    return assumedFact(ctx.packet, fact) ?? undecided(assumption, { fact: { key: fact, ifMatches: true } });
  };
}

/** Fact key of a stable match (alwaysUndecided): its text and what NAT or routing may change. */
export function stableMatchFact(text: string, packet: EvalContext['packet']): string {
  return `match ${text} @ ${packet.src} ${packet.sport ?? ''} ${packet.dst} ${packet.dport ?? ''} ${packet.inIface ?? ''} ${packet.outIface ?? ''}`;
}

export function arg(option: OptionUse | undefined, index = 0): string | undefined {
  return option?.args[index]?.text;
}

/** apply() of targets that only observe or tweak what the engine does not model (LOG, TCPMSS …). */
export function continueTarget(describe?: (target: { name: string; options: OptionUse[] }) => string, assumption?: string) {
  return (target: { name: string; options: OptionUse[] }) => ({
    verdict: 'CONTINUE' as const,
    description: describe ? describe(target) : `${target.name} ${target.options.map(optionText).join(' ')}`.trim(),
    ...(assumption ? { assumption } : {}),
  });
}

/**
 * tcp/udp `! --sport A ! --dport B` (single ports) as iptables-nft 1.8.9 loads it: one compare of
 * both ports, true unless both are equal (saved-by.ts mergesNegatedPorts). Undefined when the rule
 * has no such pair or the dump was not saved by that version: evaluate the options one by one.
 */
export function mergedNegatedPorts(match: { options: OptionUse[] }, ctx: EvalContext, port: (text: string) => number | undefined = parsePort): { outcome: boolean; rest: OptionUse[] } | undefined {
  if (!mergesNegatedPorts(ctx.node.savedBy) || !nftTranslatesPortMatch(match)) return undefined;
  const sport = match.options.find((o) => o.name === 'sport');
  const dport = match.options.find((o) => o.name === 'dport');
  if (!sport?.negated || !dport?.negated) return undefined;
  const [a, b] = [sport.args[0]?.text ?? '', dport.args[0]?.text ?? ''];
  if (a.includes(':') || b.includes(':')) return undefined;
  const [from, to] = [port(a), port(b)];
  if (from === undefined || to === undefined) return undefined;
  return { outcome: !(ctx.packet.sport === from && ctx.packet.dport === to), rest: match.options.filter((o) => o !== sport && o !== dport) };
}

/**
 * Whether iptables-nft turns this tcp/udp match into nftables expressions (its port and flag quirks
 * then apply): a tcp match with `--tcp-option`, `!` or not, goes to the kernel as the xtables match
 * (iptables 1.8.9 add_nft_tcp), which tests ports and flags as iptables-legacy does. Found by the
 * kernel campaign (seed 1160603: `! --sport 0:65535 --tcp-option 4` never matched).
 */
export function nftTranslatesPortMatch(match: { options: OptionUse[] }): boolean {
  return !match.options.some((o) => o.name === 'tcp-option');
}

/**
 * The port options of a tcp/udp match that iptables-nft 1.8.9 loads as no test at all: ranges over
 * every port, whatever their `!` (saved-by.ts dropsFullPortRanges) — unless every option is such a
 * range without `!`: that match is all zeros, loaded as the xtables match, which keeps them.
 * `everyPort` reads an option's value the way the caller's match does. Empty when none is dropped.
 */
export function portOptionsNftDrops(match: { module: string; options: OptionUse[] }, drops: boolean, everyPort: (text: string) => boolean): OptionUse[] {
  if (!drops || (match.module !== 'tcp' && match.module !== 'udp') || !nftTranslatesPortMatch(match)) return [];
  const full = match.options.filter((o) => (o.name === 'sport' || o.name === 'dport') && everyPort(o.args[0]?.text ?? ''));
  if (full.length === 0 || (full.length === match.options.length && full.every((o) => !o.negated))) return [];
  return full;
}

/** The options of a tcp/udp match as the iptables that saved the dump loads them (portOptionsNftDrops). */
export function loadedPortOptions(match: MatchUse, ctx: EvalContext, port: (text: string) => number | undefined): OptionUse[] {
  const dropped = portOptionsNftDrops(match, dropsFullPortRanges(ctx.node.savedBy), (text) => {
    const range = parsePortRange(text, ':', port);
    return !!range && range.from === 0 && range.to === 65535;
  });
  return dropped.length === 0 ? match.options : match.options.filter((o) => !dropped.includes(o));
}

/**
 * `-m tcp` / `-m udp` on a rule with `! -p …`: iptables-legacy refuses to load the rule; iptables-nft
 * loads it as a compare of the transport header's port bytes (`th dport`) whatever the protocol, which
 * the engine does not model: undecided, with the reason.
 */
export function negatedProtocolMatch(module: string, match: { options: OptionUse[] }, ctx: EvalContext): MatchOutcome {
  const text = matchText(module, match.options);
  const fact = stableMatchFact(text, ctx.packet);
  return assumedFact(ctx.packet, fact) ?? undecided(`assumed ${text} matches (after a negated -p, iptables-nft compares the ports of any transport header; iptables-legacy refuses the rule)`, { fact: { key: fact, ifMatches: true } });
}
