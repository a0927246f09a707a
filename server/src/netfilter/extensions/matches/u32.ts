// u32 match: option table from iptables 1.8.9 (libxt/libipt/libip6t_u32), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
//
// The program is read as libxt_u32's u32_parse reads it (same limits, same messages) and run as
// the kernel's xt_u32 runs it, on the packet's header bytes with the bits the trace knows
// (packet-bytes.ts): a test is decided when the bits it compares are known, whatever the rest.
import type { Family, MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { assumedFact, fieldList, matchText, negateIf, undecided } from '../common';
import { readUnsigned, type ValueProblem } from '../../values';
import { fieldAt, headerBytes, ipLayout, transportLayout, type HeaderBytes } from '../../packet-bytes';

export const u32Match: MatchSpec = {
  name: 'u32',
  doc: 'U32 tests whether quantities of up to 4 bytes extracted from a packet have specified values',
  evaluate: evaluateU32,
  options: [
    {
      name: 'u32', arity: 1, negatable: true, value: 'string', required: true,
      check: (text) => problemOf(parseU32Program(text)),
      doc: 'The argument amounts to a program in a small language described below',
    },
  ],
};

// ───────────────────────────── the program ─────────────────────────────

export type U32Operator = '&' | '<<' | '>>' | '@';

export interface U32Test {
  /** the first number is where the first 4 bytes are read; then each operator with its number */
  start: number;
  steps: Array<{ operator: U32Operator; number: number }>;
  /** the test holds when the value lies in one of these (inclusive) */
  ranges: Array<{ min: number; max: number }>;
}

/** XT_U32_MAXSIZE: numbers per location, ranges per test, tests per program. */
const MAX_SIZE = 10;

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

/** xtables_strtoui(s, base 0, max UINT32_MAX) at `at`; undefined when no digit is read or it overflows. */
function readNumber(text: string, at: number): { value: number; end: number } | undefined {
  const read = readUnsigned(text, at);
  return read && read.value <= 0xffffffffn ? { value: Number(read.value), end: read.end } : undefined;
}

/** libxt_u32's u32_parse: the program, or iptables' own message for what is wrong with it. */
export function parseU32Program(text: string): U32Test[] | { error: string } {
  const tests: U32Test[] = [];
  let test: U32Test = { start: 0, steps: [], ranges: [] };
  let locations = 0; // numbers read in this test's location
  let inValues = false;
  let i = 0;
  const fail = (message: string) => ({ error: `u32: ${message}` });
  const number = (): number | undefined => {
    const read = readNumber(text, i);
    if (!read) return undefined;
    i = read.end;
    return read.value;
  };
  for (;;) {
    while (isSpace(text[i])) i++;
    if (i >= text.length) {
      if (!inValues) return fail('abrupt end of input after location specifier');
      if (test.ranges.length === 0) return fail('test ended with no value specified');
      tests.push(test);
      if (tests.length > MAX_SIZE) return fail(`at char ${i}: too many "&&"s`);
      return tests;
    }
    if (!inValues) {
      if (text[i] === '=') {
        if (locations === 0) return fail(`at char ${i}: location spec missing`);
        i++;
        inValues = true;
        continue;
      }
      let operator: U32Operator | undefined;
      if (locations !== 0) {
        const c = text[i];
        if (c === '&') operator = '&';
        else if (c === '<' || c === '>') {
          if (text[++i] !== c) return fail(`at char ${i}: a second '${c}' was expected`);
          operator = c === '<' ? '<<' : '>>';
        } else if (c === '@') operator = '@';
        else return fail(`at char ${i}: operator expected`);
        i++;
      }
      const at = i;
      const value = number();
      if (value === undefined) return fail(`at char ${at}: not a number or out of range`);
      if (operator) test.steps.push({ operator, number: value });
      else test.start = value;
      if (++locations > MAX_SIZE) return fail(`at char ${i}: too many operators`);
    } else if (text[i] === '&') {
      if (text[++i] !== '&') return fail(`at char ${i}: a second '&' was expected`);
      if (test.ranges.length === 0) return fail(`at char ${i}: value spec missing`);
      tests.push(test);
      if (tests.length > MAX_SIZE) return fail(`at char ${i}: too many "&&"s`);
      test = { start: 0, steps: [], ranges: [] };
      i++;
      inValues = false;
      locations = 0;
    } else {
      if (test.ranges.length > 0) {
        if (text[i] !== ',') return fail(`at char ${i}: expected "," or "&&"`);
        i++;
      }
      let at = i;
      const min = number();
      if (min === undefined) return fail(`at char ${at}: not a number or out of range`);
      while (isSpace(text[i])) i++;
      let max = min;
      if (text[i] === ':') {
        i++;
        at = i;
        const read = number();
        if (read === undefined) return fail(`at char ${at}: not a number or out of range`);
        max = read;
      }
      test.ranges.push({ min, max });
      if (test.ranges.length > MAX_SIZE) return fail(`at char ${i}: too many ","s`);
    }
  }
}

function problemOf(parsed: U32Test[] | { error: string }): ValueProblem | undefined {
  return 'error' in parsed ? { severity: 'error', message: parsed.error } : undefined;
}

// ───────────────────────────── running it ─────────────────────────────

/** A 32-bit value of which only the bits in `known` are known (both unsigned). */
interface PartialWord {
  value: number;
  known: number;
}

/** What one test (or the whole program) came to, with the header fields it read but did not know. */
type TestResult = { result: boolean } | { result: 'unknown'; unknownFields: string[]; volatile: boolean; signature: string };

/** The 4 bytes at `pos`, big-endian; bytes past the modelled header (payload) are unknown. */
function read4(bytes: HeaderBytes, pos: number): PartialWord {
  let value = 0;
  let known = 0;
  for (let k = 0; k < 4; k++) {
    const at = pos + k;
    const modelled = at < bytes.value.length;
    value = (value << 8) | (modelled ? bytes.value[at] : 0);
    known = (known << 8) | (modelled ? bytes.known[at] : 0);
  }
  return { value: value >>> 0, known: known >>> 0 };
}

/** Notes the fields of the bytes read at `pos` that have bits in `lost` (unknown bits that reach the compare). */
function noteUnknown(bytes: HeaderBytes, pos: number, lost: number, unknownFields: Set<string>, touched: { volatile: boolean }): void {
  for (let k = 0; k < 4; k++) {
    if (((lost >>> (8 * (3 - k))) & 0xff) === 0) continue;
    const at = pos + k;
    unknownFields.add(at < bytes.field.length ? bytes.field[at] : 'bytes past the headers (options, payload)');
    if (at < bytes.volatile.length && bytes.volatile[at]) touched.volatile = true;
  }
}

/**
 * xt_u32's u32_match_it for one test, bit-exact where bits are known. (The kernel refuses to load a
 * shift by 32 or more, analysis place/match-value; here such a count is taken modulo 32.)
 */
function runTest(test: U32Test, bytes: HeaderBytes): TestResult {
  const length = bytes.length;
  const unknownFields = new Set<string>();
  const touched = { volatile: false };
  let pos = test.start;
  if (length < 4 || pos > length - 4) return { result: false };
  let word = read4(bytes, pos);
  // Which bits of the last 4 bytes read still reach the value, to name the unknown fields it uses.
  let readAt = pos;
  let surviving = 0xffffffff; // bits of the value that still come from the read, as positions in the read word
  let shift = 0; // value bit i comes from read bit i + shift (negative: shifted left)
  let at = 0;
  for (const { operator, number } of test.steps) {
    switch (operator) {
      case '&':
        word = { value: (word.value & number) >>> 0, known: (word.known | ~number) >>> 0 };
        surviving &= shiftBack(number, shift);
        break;
      case '<<': {
        const n = number & 31;
        word = { value: (word.value << n) >>> 0, known: ((word.known << n) | ((1 << n) - 1)) >>> 0 };
        shift -= n;
        surviving &= shiftBack(0xffffffff, shift);
        break;
      }
      case '>>': {
        const n = number & 31;
        word = { value: word.value >>> n, known: (word.known >>> n | ~(0xffffffff >>> n)) >>> 0 };
        shift += n;
        surviving &= shiftBack(0xffffffff, shift);
        break;
      }
      case '@': {
        if (word.known !== 0xffffffff) {
          noteUnknown(bytes, readAt, surviving & ~read4(bytes, readAt).known, unknownFields, touched);
          return { result: 'unknown', unknownFields: [...unknownFields], volatile: touched.volatile, signature: knownBitsRead(bytes, readAt, surviving) };
        }
        if (at + word.value > 0xffffffff) return { result: false };
        at += word.value;
        pos = number;
        if (at + 4 > 0xffffffff || length < at + 4 || pos > length - at - 4) return { result: false };
        readAt = at + pos;
        word = read4(bytes, readAt);
        surviving = 0xffffffff;
        shift = 0;
        break;
      }
    }
  }
  const low = (word.value & word.known) >>> 0; // unknown bits 0: the least the value can be
  const high = (word.value | ~word.known) >>> 0; // unknown bits 1: the most
  let possible = false;
  for (const { min, max } of test.ranges) {
    if (min <= low && high <= max) return { result: true };
    if (high < min || low > max) continue;
    // A single value: possible exactly when it agrees with the known bits.
    if (min === max && ((min & word.known) >>> 0) !== low) continue;
    possible = true;
  }
  if (!possible) return { result: false };
  noteUnknown(bytes, readAt, surviving & ~read4(bytes, readAt).known, unknownFields, touched);
  return { result: 'unknown', unknownFields: [...unknownFields], volatile: touched.volatile, signature: knownBitsRead(bytes, readAt, surviving) };
}

/**
 * Where the undecided read was and the known bits of it that reach the compare: with the program,
 * what the answer depends on besides the unmodelled bits (a TTL it also reads changes it).
 */
function knownBitsRead(bytes: HeaderBytes, readAt: number, surviving: number): string {
  const word = read4(bytes, readAt);
  return `${readAt}:${((word.value & word.known & surviving) >>> 0).toString(16)}/${((word.known & surviving) >>> 0).toString(16)}`;
}

/** The mask over the read word of the bits that land on `mask` in the value, given value bit i = read bit i + shift. */
function shiftBack(mask: number, shift: number): number {
  if (shift >= 32 || shift <= -32) return 0;
  return (shift >= 0 ? mask << shift : mask >>> -shift) >>> 0;
}

/** Every test must hold (`&&`); the first that is false settles it, as in the kernel's loop. */
export function runU32Program(tests: readonly U32Test[], bytes: HeaderBytes): TestResult {
  const unknownFields = new Set<string>();
  let volatile = false;
  const signatures: string[] = [];
  for (const test of tests) {
    const outcome = runTest(test, bytes);
    if (outcome.result === false) return outcome;
    if (outcome.result === 'unknown') {
      volatile ||= outcome.volatile;
      signatures.push(outcome.signature);
      for (const field of outcome.unknownFields) unknownFields.add(field);
    }
  }
  return signatures.length ? { result: 'unknown', unknownFields: [...unknownFields], volatile, signature: signatures.join(' ') } : { result: true };
}

function evaluateU32(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const option = match.options.find((o) => o.name === 'u32');
  const program = option ? parseU32Program(option.args[0]?.text ?? '') : undefined;
  const text = matchText('u32', match.options);
  if (!option || !program || 'error' in program) return undecided(`assumed ${text} matches (the program does not parse)`);
  const outcome = runU32Program(program, headerBytes(ctx.packet));
  if (outcome.result !== 'unknown') return negateIf(option.negated, outcome.result);
  const assumption = `assumed ${text} matches (it reads the ${fieldList(outcome.unknownFields)}, which a trace does not model)`;
  // The unmodelled bytes (identification, sequence numbers, payload) are the packet's own: the same
  // program reading them with the same known bits holds or not all along the path, whatever NAT or
  // routing did to the rest (a checksum read is the exception: TTL and NAT change it).
  if (outcome.volatile) return undecided(assumption);
  const holds = `u32 ${option.args[0]?.text ?? ''} reading ${outcome.signature}`;
  const known = assumedFact(ctx.packet, holds);
  if (known !== undefined) return option.negated ? !known : known;
  return undecided(assumption, { fact: { key: holds, ifMatches: !option.negated } });
}

// ───────────────────────────── explaining it ─────────────────────────────

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * The program in plain words, one line per test: where it reads, what it keeps, which header
 * fields those bits are, and what it compares them with. `protocol`: the rule's -p, to name the
 * transport header's fields after the usual `0>>22&0x3C@` (jump over the IPv4 header).
 */
export function describeU32Program(text: string, family: Family, protocol?: number): string[] {
  const parsed = parseU32Program(text);
  if ('error' in parsed) return [parsed.error];
  return parsed.map((test) => describeTest(test, family, protocol));
}

function describeTest(test: U32Test, family: Family, protocol: number | undefined): string {
  const steps = test.steps;
  const bytes = (at: number) => `bytes ${at}–${at + 3}`;
  const header = family === 'ipv4' ? 'IPv4' : 'IPv6';
  const ipLength = ipLayoutLength(family);
  let words = `${header} header ${bytes(test.start)}`;
  let layout = ipLayout(family) as ReturnType<typeof transportLayout>;
  let beyond: string | undefined;
  let readAt = test.start;
  let surviving = 0xffffffff; // bits of the read word that reach the compare (see runTest)
  let shift = 0;
  let first = 0;
  const transport = protocol !== undefined ? transportLayout(protocol, family) : undefined;
  // (TCP options, when the header has any, come before the payload: both are past its 20 bytes)
  const afterTransport = transport ? (protocol === 6 ? 'TCP options or payload' : `${transport[0][2].split(' ')[0]} payload`) : undefined;
  if (test.start + 4 > ipLength) {
    // Past the fixed header: the transport header's fields when -p names it (and there are no IP options).
    words = `bytes ${test.start}–${test.start + 3} from the ${header} header's start`;
    if (transport && test.start >= ipLength) {
      layout = transport;
      readAt = test.start - ipLength;
      beyond = afterTransport;
    } else layout = undefined;
  }
  // `0>>22&0x3C@N`: IHL × 4, the IPv4 header's length: N is an offset into the transport header.
  if (family === 'ipv4' && test.start === 0 && steps.length >= 3 && steps[0].operator === '>>' && steps[0].number === 22 &&
      steps[1].operator === '&' && steps[1].number === 0x3c && steps[2].operator === '@') {
    words = `${bytes(steps[2].number)} after the IPv4 header`;
    layout = transport;
    beyond = afterTransport;
    readAt = steps[2].number;
    first = 3;
    // `…@12>>26&0x3C@N`: the TCP header's length (data offset × 4): N is an offset into the payload.
    if (protocol === 6 && readAt === 12 && steps.length >= 6 && steps[3].operator === '>>' && steps[3].number === 26 &&
        steps[4].operator === '&' && steps[4].number === 0x3c && steps[5].operator === '@') {
      words = `TCP payload ${bytes(steps[5].number)}`;
      layout = undefined;
      readAt = steps[5].number;
      first = 6;
    }
  }
  for (let s = first; s < steps.length; s++) {
    const { operator, number } = steps[s];
    if (operator === '&') surviving &= shiftBack(number, shift);
    else if (operator === '<<') surviving &= shiftBack(0xffffffff, (shift -= number & 31));
    else if (operator === '>>') surviving &= shiftBack(0xffffffff, (shift += number & 31));
    if (operator === '@') {
      words += `, then @ jumps by that value to the ${bytes(number)} after it`;
      layout = undefined; // the offset is computed: its fields cannot be named
      readAt = number;
      surviving = 0xffffffff;
      shift = 0;
    } else {
      words += ` ${operator} ${operator === '&' ? hex(number) : number}`;
    }
  }
  const fields = fieldsOf(layout, readAt, surviving, beyond);
  const values = test.ranges.map(({ min, max }) => (min === max ? `= ${min} (${hex(min)}${asciiOf(min)})` : `in ${min}–${max} (${hex(min)}–${hex(max)})`)).join(' or ');
  return fields.length ? `the ${fieldList(fields)} (${words}) ${values}` : `${words} ${values}`;
}

/** `, "GET "` when the four bytes of `value` are printable ASCII (payload tests compare text). */
function asciiOf(value: number): string {
  let text = '';
  for (let shift = 24; shift >= 0; shift -= 8) {
    const c = (value >>> shift) & 0xff;
    if (c < 0x20 || c > 0x7e) return '';
    text += String.fromCharCode(c);
  }
  return `, "${text}"`;
}

function ipLayoutLength(family: Family): number {
  const layout = ipLayout(family);
  const [offset, size] = layout[layout.length - 1];
  return offset + size;
}

/** The names of the header fields whose bytes (of the 4 read at `readAt`) have bits in `kept`. */
function fieldsOf(layout: ReturnType<typeof transportLayout>, readAt: number, kept: number, beyond?: string): string[] {
  const names: string[] = [];
  for (let k = 0; k < 4; k++) {
    if (((kept >>> (8 * (3 - k))) & 0xff) === 0) continue;
    const name = layout ? fieldAt(layout, readAt + k) ?? beyond : undefined;
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}
