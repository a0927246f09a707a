// string match: option table from iptables 1.8.9 (libxt/libipt/libip6t_string), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse, OptionUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { assumedFact, fieldList, matchText, negateIf, parseNumber, undecided } from '../common';
import { error } from '../value-checks';
import type { ValueProblem } from '../../values';
import { MAX_PAYLOAD, headerBytes, type HeaderBytes } from '../../packet-bytes';

/** xt_string_info's pattern: XT_STRING_MAX_PATTERN_SIZE bytes */
const MAX_PATTERN = 128;

export const stringMatch: MatchSpec = {
  name: 'string',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['string', 'hex-string']],
  needsOneOf: [{ options: ['string', 'hex-string'], message: "STRING match: You must specify `--string' or `--hex-string'" }],
  doc: 'This module matches a given string by using some pattern matching strategy',
  evaluate: evaluateString,
  options: [
    {
      name: 'from', arity: 1, negatable: false, value: 'int', range: [0, 65535],
      doc: 'Set the offset from which it starts looking for any matching (counted from the start of the IP header; default 0)',
    },
    {
      name: 'to', arity: 1, negatable: false, value: 'int', range: [0, 65535],
      doc: 'Set the offset up to which should be scanned: the whole pattern must end before it (counted from the start of the IP header; default 65535)',
    },
    {
      name: 'algo', arity: 1, negatable: false, value: 'enum', values: ['bm', 'kmp'], required: true,
      // restore --test takes any name; the kernel's textsearch knows bm and kmp (fsm too, where built)
      check: (text) => (text === 'bm' || text === 'kmp' ? undefined : { severity: 'warning', message: `the kernel knows the algorithms bm and kmp: '${text}' fails when the rule is loaded unless its textsearch module exists` }),
      doc: 'Select the pattern matching strategy',
    },
    {
      name: 'string', arity: 1, negatable: true, value: 'string', check: stringProblem,
      doc: 'Matches the given pattern anywhere in the packet from its IP header on (headers included), within --from and --to',
    },
    {
      name: 'hex-string', arity: 1, negatable: true, value: 'string', check: hexStringProblem,
      doc: 'Matches the given pattern in hex notation (`|0d 0a|` blocks of hex bytes among plain characters), anywhere in the packet from its IP header on',
    },
    {
      name: 'icase', arity: 0, negatable: false, value: 'none',
      doc: 'Ignore case when searching (as the kernel upper-cases: ASCII and Latin-1 letters)',
    },
  ],
};

/** The bytes of `text` as the C string restore is given (UTF-8). */
function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** libxt_string's parse_string: at most 128 bytes. */
function stringProblem(text: string): ValueProblem | undefined {
  return bytesOf(text).length > MAX_PATTERN ? error(`STRING too long "${text}"`) : undefined;
}

const isHexDigit = (c: number | undefined): boolean => c !== undefined && ((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102));

/**
 * libxt_string's parse_hex_string, step by step: text with `|41 42|` blocks of hex byte pairs
 * (spaces allowed) and `\x` literals outside them, at most `limit` bytes once read (128 in a rule).
 * Its quirks are kept: after a closing `|` the next character is copied as it is (`|41||42|` is
 * `A|42`: the second `|` is a byte, the last one opens a block the text ends), and a `|` that ends
 * the text ends the pattern.
 */
export function decodeHexString(text: string, limit = MAX_PATTERN): { bytes: Uint8Array } | { error: string } {
  const s = bytesOf(text);
  const length = s.length;
  if (length === 0) return { error: 'STRING must contain at least one char' };
  const out: number[] = [];
  let i = 0;
  let hex = false;
  let literal = false;
  while (i < length) {
    if (out.length >= limit) return { error: `STRING too long "${text}"` };
    if (s[i] === 92 /* \ */ && !hex) literal = true;
    else if (s[i] === 92) return { error: 'Cannot include literals in hex data' };
    else if (s[i] === 124 /* | */) {
      if (hex) hex = false;
      else {
        hex = true;
        while (s[i + 1] === 32) i++; // (spaces right after the opening |)
      }
      if (i + 1 >= length) break;
      i++;
    }
    if (literal) {
      if (i + 1 >= length) return { error: 'Bad literal placement at end of string' };
      out.push(s[i + 1]);
      i += 2;
      literal = false;
    } else if (hex) {
      if (i + 1 >= length) return { error: 'Odd number of hex digits' };
      if (i + 2 >= length) return { error: 'Invalid hex block' };
      if (!isHexDigit(s[i])) return { error: `Invalid hex char '${String.fromCharCode(s[i])}'` };
      if (!isHexDigit(s[i + 1])) return { error: `Invalid hex char '${String.fromCharCode(s[i + 1])}'` };
      out.push(parseInt(String.fromCharCode(s[i], s[i + 1]), 16));
      i += s[i + 2] === 32 ? 3 : 2;
    } else {
      out.push(s[i]);
      i++;
    }
  }
  return { bytes: Uint8Array.from(out) };
}

/**
 * A packet line's payload text (`--hex-string` notation, at most MAX_PAYLOAD bytes) as bytes: '' is
 * none; undefined when absent or when it does not read (the packet line says why: decodeHexString).
 */
export function payloadBytes(text: string | undefined): Uint8Array | undefined {
  if (text === undefined) return undefined;
  if (text === '') return new Uint8Array(0);
  const decoded = decodeHexString(text, MAX_PAYLOAD);
  return 'bytes' in decoded ? decoded.bytes : undefined;
}

/** parse_hex_string's complaint about `--hex-string` text, if any. */
export function hexStringProblem(text: string): ValueProblem | undefined {
  const decoded = decodeHexString(text);
  return 'error' in decoded ? error(decoded.error) : undefined;
}

/**
 * Bytes as the hex-string syntax writes them (what decodeHexString reads back): printable ASCII as
 * it is, everything else, and `|`, `"` and `\`, in `|..|` blocks.
 */
export function formatHexString(bytes: Uint8Array): string {
  let text = '';
  let hexRun: string[] = [];
  const flush = () => {
    if (hexRun.length) text += `|${hexRun.join(' ')}|`;
    hexRun = [];
  };
  for (const byte of bytes) {
    const plain = byte >= 0x20 && byte < 0x7f && byte !== 0x7c /* | */ && byte !== 0x22 /* " */ && byte !== 0x5c; /* \ */
    if (plain) {
      flush();
      text += String.fromCharCode(byte);
    } else hexRun.push(byte.toString(16).padStart(2, '0'));
  }
  flush();
  return text;
}

// ───────────────────────────── matching a packet ─────────────────────────────

/** What the kernel's xt_string searches for: the pattern's bytes and the window. */
export interface StringSearch {
  pattern: Uint8Array;
  /** the search starts at this offset from the IP header (--from, default 0) … */
  from: number;
  /** … and the whole pattern lies before this one (--to, default 65535) */
  to: number;
  icase: boolean;
  negated: boolean;
}

/** The match's search, or undefined when its pattern does not read (the parser reported it). */
export function stringSearch(match: { options: OptionUse[] }): StringSearch | undefined {
  const option = (name: string) => match.options.find((o) => o.name === name);
  const plain = option('string');
  const hex = option('hex-string');
  const patternOption = plain ?? hex;
  if (!patternOption) return undefined;
  const text = patternOption.args[0]?.text ?? '';
  let pattern: Uint8Array;
  if (plain) pattern = bytesOf(text).slice(0, MAX_PATTERN);
  else {
    const decoded = decodeHexString(text);
    if ('error' in decoded) return undefined;
    pattern = decoded.bytes;
  }
  const offset = (name: string, fallback: number) => {
    const value = option(name)?.args[0]?.text;
    return value === undefined ? fallback : parseNumber(value) ?? fallback;
  };
  return { pattern, from: offset('from', 0), to: offset('to', 65535), icase: !!option('icase'), negated: patternOption.negated };
}

/** What a search looks for and where, in words (the hover on a pattern). */
export function describeSearch(search: StringSearch): string {
  const bytes = [...search.pattern].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const where = search.from === 0 && search.to === 65535 ? 'anywhere in the packet from its IP header on (headers included)' : `between offsets ${search.from} and ${search.to} from the IP header (the whole pattern inside)`;
  return `The pattern is ${search.pattern.length} byte${search.pattern.length === 1 ? '' : 's'}: \`${bytes}\` (\`${formatHexString(search.pattern)}\`), searched ${where}${search.icase ? ', in any case (ASCII and Latin-1 letters)' : ''}.`;
}

/**
 * The kernel's toupper (lib/ctype.c's Latin-1 table): a-z, 0xdf–0xf6 and 0xf8–0xff are lower case
 * and lose 0x20. The textsearch algorithms compare both sides upper-cased under --icase.
 */
export function kernelUpper(byte: number): number {
  return (byte >= 0x61 && byte <= 0x7a) || (byte >= 0xdf && byte <= 0xff && byte !== 0xf7) ? byte - 0x20 : byte;
}

/** What a search over the packet's bytes can say; `unknown` names the bytes it would need. */
export type SearchResult = { result: 'found' | 'absent' } | { result: 'unknown'; fields: string[]; volatile: boolean };

/**
 * skb_find_text over the packet from its IP header: is there an offset p ≥ from with the whole
 * pattern in [p, p + length) before min(to, packet length)? 'found' when some such place has every
 * byte known and equal, 'absent' when no place can hold it, else 'unknown' (it could lie in bytes
 * the trace does not know: the payload when none was given, TCP options, checksums …).
 */
export function searchPacket(search: StringSearch, bytes: HeaderBytes): SearchResult {
  const { pattern, icase } = search;
  const end = Math.min(search.to, bytes.length);
  const patternLength = pattern.length;
  const size = bytes.value.length;
  const fields = new Set<string>();
  let volatile = false;
  let possible = false;
  for (let p = search.from; p + patternLength <= end; p++) {
    let certain = true;
    let fits = true;
    for (let k = 0; k < patternLength && fits; k++) {
      const at = p + k;
      if (at >= size) certain = false; // past what the trace models: any byte
      else if (bytes.known[at] === 0xff) fits = (icase ? kernelUpper(bytes.value[at]) === kernelUpper(pattern[k]) : bytes.value[at] === pattern[k]);
      else {
        certain = false;
        fits = byteMayBe(bytes.value[at], bytes.known[at], pattern[k], icase);
      }
    }
    if (fits && certain) return { result: 'found' };
    if (!fits) continue;
    possible = true;
    for (let at = p; at < p + patternLength; at++) {
      if (at < size && bytes.known[at] === 0xff) continue;
      fields.add(at < size ? bytes.field[at] || 'payload' : 'payload');
      if (at < size && bytes.volatile[at]) volatile = true;
    }
    if (p + patternLength > size) break; // every later place reaches past what is modelled: nothing new to learn
  }
  return possible ? { result: 'unknown', fields: [...fields], volatile } : { result: 'absent' };
}

/** Can a byte of which only the `known` bits are known (they read `value`) be `wanted` (any case under icase)? */
function byteMayBe(value: number, known: number, wanted: number, icase: boolean): boolean {
  if (!icase) return (wanted & known) === (value & known);
  const upper = kernelUpper(wanted);
  for (let c = 0; c < 256; c++) if (kernelUpper(c) === upper && (c & known) === (value & known)) return true;
  return false;
}

function evaluateString(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const text = matchText('string', match.options);
  const search = stringSearch(match);
  if (!search) return undecided(`assumed ${text} matches (its pattern does not read)`);
  const bytes = headerBytes(ctx.packet);
  const found = searchPacket(search, bytes);
  if (found.result !== 'unknown') return (found.result === 'found') !== search.negated;
  const hint = found.fields.includes('payload') && ctx.packet.payload === undefined ? '; a packet line gives it with payload "…"' : '';
  const assumption = `assumed ${text} matches (the pattern could lie in the ${fieldList(found.fields)}, which a trace does not know${hint})`;
  // Bytes the trace does not know are the packet's own (payload, options, identification) and stay as
  // they are along the path: the same search over the same known bytes finds the same. A checksum
  // changes with TTL and NAT: such a search is assumed afresh each time.
  if (found.volatile) return negateIf(search.negated, undecided(assumption));
  const key = `string ${text} over ${knownBytesSignature(bytes)}`;
  const known = assumedFact(ctx.packet, key);
  if (known !== undefined) return known !== search.negated;
  return negateIf(search.negated, undecided(assumption, { fact: { key, ifMatches: true } }));
}

/** The known bytes of the packet, as text (a fact key: same text, same unknown bytes, same answer). */
function knownBytesSignature(bytes: HeaderBytes): string {
  let text = `${bytes.length}:`;
  for (let k = 0; k < bytes.value.length; k++) text += bytes.known[k] === 0 ? '..' : (bytes.value[k] & bytes.known[k]).toString(16).padStart(2, '0') + (bytes.known[k] === 0xff ? '' : '/' + bytes.known[k].toString(16));
  return text;
}
