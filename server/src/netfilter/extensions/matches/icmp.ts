// icmp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_icmp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText, parseNumber } from '../common';
import { readUnsigned, type ValueProblem } from '../../values';

export const icmpMatch: MatchSpec = {
  name: 'icmp',
  families: ['ipv4'],
  doc: 'ICMP type/code match (loaded by -p icmp)',
  evaluate: evaluateIcmp,
  options: [
    {
      name: 'icmp-type', arity: 1, negatable: true, value: 'string', required: true,
      check: (text) => problemOf(resolveIcmpType(text, ICMP_TYPES, 'ICMP')),
      doc: 'This allows specification of the ICMP type, which can be a numeric ICMP type, type/code pair, or one of the ICMP type names shown by the command iptables -p icmp -h',
    },
  ],
};

/** name → [type, lowest code, highest code] (libxt icmp_codes); `any` is type 255 in the kernel. */
export const ICMP_TYPES: Record<string, [number, number, number]> = {
  any: [255, 0, 255],
  'echo-reply': [0, 0, 255], pong: [0, 0, 255],
  'destination-unreachable': [3, 0, 255],
  'network-unreachable': [3, 0, 0], 'host-unreachable': [3, 1, 1], 'protocol-unreachable': [3, 2, 2],
  'port-unreachable': [3, 3, 3], 'fragmentation-needed': [3, 4, 4], 'source-route-failed': [3, 5, 5],
  'network-unknown': [3, 6, 6], 'host-unknown': [3, 7, 7], 'network-prohibited': [3, 9, 9],
  'host-prohibited': [3, 10, 10], 'TOS-network-unreachable': [3, 11, 11], 'TOS-host-unreachable': [3, 12, 12],
  'communication-prohibited': [3, 13, 13], 'host-precedence-violation': [3, 14, 14], 'precedence-cutoff': [3, 15, 15],
  'source-quench': [4, 0, 255],
  redirect: [5, 0, 255], 'network-redirect': [5, 0, 0], 'host-redirect': [5, 1, 1],
  'TOS-network-redirect': [5, 2, 2], 'TOS-host-redirect': [5, 3, 3],
  'echo-request': [8, 0, 255], ping: [8, 0, 255],
  'router-advertisement': [9, 0, 255], 'router-solicitation': [10, 0, 255],
  'time-exceeded': [11, 0, 255], 'ttl-exceeded': [11, 0, 255],
  'ttl-zero-during-transit': [11, 0, 0], 'ttl-zero-during-reassembly': [11, 1, 1],
  'parameter-problem': [12, 0, 255], 'ip-header-bad': [12, 0, 0], 'required-option-missing': [12, 1, 1],
  'timestamp-request': [13, 0, 255], 'timestamp-reply': [14, 0, 255],
  'address-mask-request': [17, 0, 255], 'address-mask-reply': [18, 0, 255],
};
Object.setPrototypeOf(ICMP_TYPES, null); // keys come from dumps: `constructor` must not find Object's

/**
 * An ipset element's ICMP part (`icmp:echo-request`, `icmp:8/0` as ipset save writes them) →
 * [type, codeMin, codeMax]: a whole name, or type/code. Not the icmp match's reading (prefixes,
 * 0–255 checks): that is resolveIcmpType.
 */
export function parseIcmpType(text: string, table: Record<string, [number, number, number]>): [number, number, number] | undefined {
  const named = table[text] ?? Object.entries(table).find(([name]) => name.toLowerCase() === text.toLowerCase())?.[1];
  if (named) return named;
  const [t, c] = text.split('/');
  const type = parseNumber(t);
  if (type === undefined) return undefined;
  if (c === undefined) return [type, 0, 255];
  const code = parseNumber(c);
  return code === undefined ? undefined : [type, code, code];
}

/** An `--icmp-type` / `--icmpv6-type` value as iptables reads it, or what iptables-restore says against it. */
export type IcmpTypeResolution = { type: number; codeMin: number; codeMax: number } | { error: string };

/**
 * An `--icmp-type` / `--icmpv6-type` value as iptables 1.8.9 reads it (probed with
 * iptables-restore --test): a case-insensitive prefix of exactly one name, in the table's order
 * (`echo-req`, `ANY`; `echo` is ambiguous), else TYPE[/CODE], each 0–255 in decimal, 0x hex or
 * 0-led octal. `skip`: names this reading does not know (added in a later iptables).
 */
export function resolveIcmpType(text: string, table: Record<string, [number, number, number]>, label: 'ICMP' | 'ICMPv6', skip?: ReadonlySet<string>): IcmpTypeResolution {
  // A whole name is no other name's prefix (in both tables), so it is never ambiguous: the
  // simulator's common case, once per rule and packet, without the walk.
  const exact = skip?.has(text) ? undefined : table[text];
  if (exact) return { type: exact[0], codeMin: exact[1], codeMax: exact[2] };
  const lower = text.toLowerCase();
  let found: string | undefined;
  for (const [name, lowerName] of lowerCaseNames(table)) {
    if (skip?.has(name) || !lowerName.startsWith(lower)) continue;
    if (found !== undefined) return { error: `Ambiguous ${label} type \`${text}': \`${found}' or \`${name}'?` };
    found = name;
  }
  if (found !== undefined) {
    const [type, codeMin, codeMax] = table[found];
    return { type, codeMin, codeMax };
  }
  const slash = text.indexOf('/');
  const type = byteValue(slash < 0 ? text : text.slice(0, slash));
  if (type === undefined) return { error: `Unknown ${label} type \`${text}'` };
  if (slash < 0) return { type, codeMin: 0, codeMax: 255 };
  const code = byteValue(text.slice(slash + 1));
  if (code === undefined) return { error: `Unknown ${label} code \`${text}'` };
  return { type, codeMin: code, codeMax: code };
}

/** Each table's names with their lower-case spelling, in the table's order (made once). */
const LOWER_CASE_NAMES = new WeakMap<object, Array<[string, string]>>();
function lowerCaseNames(table: Record<string, [number, number, number]>): Array<[string, string]> {
  let names = LOWER_CASE_NAMES.get(table);
  if (!names) LOWER_CASE_NAMES.set(table, (names = Object.keys(table).map((name) => [name, name.toLowerCase()])));
  return names;
}

/** 0–255 written as strtoul(…, 0) reads the whole text: decimal, 0x hex, 0-led octal. */
/** A type or code as xtables_strtoui reads it (strtoul base 0, white space and `+` allowed), up to 255. */
function byteValue(text: string): number | undefined {
  const read = readUnsigned(text, 0);
  return read && read.end === text.length && read.value <= 255n && !text.trimStart().startsWith('-') ? Number(read.value) : undefined;
}

/** The option check's answer for a resolution (an error when iptables-restore rejects it). */
export function problemOf(resolution: IcmpTypeResolution): ValueProblem | undefined {
  return 'error' in resolution ? { severity: 'error', message: resolution.error } : undefined;
}

/** A resolution as [type, codeMin, codeMax] (undefined when iptables rejects the value). */
export function icmpTypeSpec(resolution: IcmpTypeResolution): [number, number, number] | undefined {
  return 'error' in resolution ? undefined : [resolution.type, resolution.codeMin, resolution.codeMax];
}

export function icmpTypeMatches(spec: [number, number, number] | undefined, type: number | undefined, code: number | undefined): boolean {
  if (!spec) return false;
  if (spec[0] === 255) return true; // kernel: type 0xFF matches every ICMP packet
  return type === spec[0] && (code ?? 0) >= spec[1] && (code ?? 0) <= spec[2];
}

function evaluateIcmp(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const p = ctx.packet;
  if (p.proto !== 1 || p.fragment) return false;
  return evaluateOptions(
    match.options,
    (option) =>
      option.name === 'icmp-type'
        ? icmpTypeMatches(icmpTypeSpec(resolveIcmpType(option.args[0]?.text ?? '', ICMP_TYPES, 'ICMP')), p.icmpType, p.icmpCode)
        : undefined,
    (option) => `-m icmp ${optionText(option)}`,
  );
}
