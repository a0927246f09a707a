// time match: option table from iptables 1.8.9 (libxt/libipt/libip6t_time), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
//
// Values are read as libxt_time reads them (same messages) into xt_time's fields, and a packet with
// a time (TraceRequest.time, `at …` in a packet line) is matched as xt_time matches it; without one
// the match stays undecided. --kerneltz reads the kernel's timezone, which a dump does not tell.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { optionOf } from '../types';
import { assumedFact, matchText, stableMatchFact, undecided } from '../common';
import type { ValueProblem } from '../../values';

const SECONDS_PER_DAY = 86400;
/** XT_TIME_ALL_WEEKDAYS, XT_TIME_ALL_MONTHDAYS: bit i is weekday i (Mon = 1 … Sun = 7) / day i of the month */
const ALL_WEEKDAYS = 0xfe;
const ALL_MONTHDAYS = 0xfffffffe;
const INT_MAX = 0x7fffffff;
const WEEK_DAYS = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export const timeMatch: MatchSpec = {
  name: 'time',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['localtz', 'utc'], ['kerneltz', 'utc']],
  doc: 'This matches if the packet arrival time/date is within a given range',
  evaluate: evaluateTime,
  validate(match) {
    // libxtables' exclusions, in the order of libxt_time's option table
    const localtz = optionOf(match, 'localtz');
    const utc = optionOf(match, 'utc');
    const kerneltz = optionOf(match, 'kerneltz');
    if (localtz && utc) return [{ option: utc, message: 'time: option "--localtz" cannot be used together with "--utc".' }];
    if (utc && kerneltz) return [{ option: utc, message: 'time: option "--utc" cannot be used together with "--kerneltz".' }];
    // libxt_time's final check
    const contiguous = optionOf(match, 'contiguous');
    const info = timeInfo(match);
    if (contiguous && !('error' in info) && info.daytimeStart < info.daytimeStop) {
      return [{ option: contiguous, message: 'time: --contiguous only makes sense when stoptime is smaller than starttime' }];
    }
    return [];
  },
  options: [
    {
      name: 'datestart', arity: 1, negatable: false, value: 'time', check: (text) => problemOf(parseDate(text)),
      doc: 'Only match from the given date/time on (ISO 8601 "T" notation, YYYY[-MM[-DD[Thh[:mm[:ss]]]]])',
    },
    {
      name: 'datestop', arity: 1, negatable: false, value: 'time', check: (text) => problemOf(parseDate(text)),
      doc: 'Only match during the given time, which must be in ISO 8601 "T" notation',
    },
    {
      name: 'timestart', arity: 1, negatable: false, value: 'time', check: (text) => problemOf(parseDaytime(text)),
      doc: 'Only match from the given daytime on (hh:mm[:ss])',
    },
    {
      name: 'timestop', arity: 1, negatable: false, value: 'time', check: (text) => problemOf(parseDaytime(text)),
      doc: 'Only match during the given daytime',
    },
    {
      name: 'contiguous', arity: 0, negatable: false, value: 'none',
      doc: 'When --timestop is smaller than --timestart value, match this as a single time period instead distinct intervals',
    },
    {
      name: 'weekdays', arity: 1, negatable: true, value: 'string', check: (text) => problemOf(parseWeekdays(text)),
      doc: 'Only match on the given weekdays',
    },
    {
      name: 'monthdays', arity: 1, negatable: true, value: 'string', check: (text) => problemOf(parseMonthdays(text)),
      doc: 'Only match on the given days of the month',
    },
    {
      name: 'localtz', arity: 0, negatable: false, value: 'none',
      doc: 'Deprecated alias of --kerneltz',
    },
    {
      name: 'utc', arity: 0, negatable: false, value: 'none',
      doc: 'Interpret times as UTC (the default)',
    },
    {
      name: 'kerneltz', arity: 0, negatable: false, value: 'none',
      doc: 'Use the kernel timezone instead of UTC to determine whether a packet meets the time regulations',
    },
  ],
};

type Parsed<T> = T | { error: string };

function problemOf(parsed: Parsed<unknown>): ValueProblem | undefined {
  return typeof parsed === 'object' && parsed !== null && 'error' in parsed ? { severity: 'error', message: (parsed as { error: string }).error } : undefined;
}

/** strtoul(s, &e, 10): leading white space and a sign, then digits; `end` where it stopped (no digits: where it started). */
function strtoul10(text: string, at: number): { value: number; end: number } {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text.slice(at));
  if (!m) return { value: 0, end: at };
  const magnitude = Number(m[2]);
  // A `-` wraps around, as unsigned long does: never a valid field here.
  return { value: m[1] === '-' && magnitude !== 0 ? Number.MAX_SAFE_INTEGER : magnitude, end: at + m[0].length };
}

/**
 * `YYYY[-MM[-DD[Thh[:mm[:ss]]]]]` as libxt_time's time_parse_date reads it: seconds since the epoch,
 * UTC, fields normalised as mktime does (month 0 is December of the year before, day 0 the last
 * day of the month before).
 */
export function parseDate(text: string): Parsed<number> {
  const fail = { error: `Invalid date "${text}" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]` };
  const fields = [0, 1, 1, 0, 0, 0];
  const separators = ['-', '-', 'T', ':', ':', ''];
  const limits = [2038, 12, 31, 23, 59, 59];
  let at = 0;
  for (let k = 0; k < 6; k++) {
    const { value, end } = strtoul10(text, at);
    const next = text[end] ?? '';
    if ((next !== separators[k] && next !== '') || value > limits[k] || (k === 0 && value < 1970)) return fail;
    fields[k] = value;
    if (next === '') break;
    at = end + 1;
  }
  const [year, month, day, hour, minute, second] = fields;
  const seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  return seconds >= 0 ? seconds : { error: 'mktime returned an error' };
}

/** `hh:mm[:ss]` as time_parse_minutes reads it: seconds since midnight. (Its message shows the field it stopped at.) */
export function parseDaytime(text: string): Parsed<number> {
  const fail = (rest: string) => ({ error: `invalid time "${rest}" specified, should be hh:mm[:ss] format and within the boundaries` });
  const hour = strtoul10(text, 0);
  if (text[hour.end] !== ':' || hour.value > 23) return fail(text);
  const minuteAt = hour.end + 1;
  const minute = strtoul10(text, minuteAt);
  const afterMinute = text[minute.end] ?? '';
  if ((afterMinute !== ':' && afterMinute !== '') || minute.value > 59) return fail(text.slice(minuteAt));
  if (afterMinute === '') return 3600 * hour.value + 60 * minute.value;
  const secondAt = minute.end + 1;
  const second = strtoul10(text, secondAt);
  if (second.end < text.length || second.value > 59) return fail(text.slice(secondAt));
  return 3600 * hour.value + 60 * minute.value + second.value;
}

/** Comma-separated pieces as libxt_time's my_strseg cuts them, each kept to `width` characters (its buffer). */
function segments(text: string, width: number): string[] {
  const pieces: string[] = [];
  let rest: string | undefined = text;
  while (rest !== undefined && rest !== '') {
    const comma = rest.indexOf(',');
    pieces.push((comma < 0 ? rest : rest.slice(0, comma)).slice(0, width));
    rest = comma < 0 ? undefined : rest.slice(comma + 1);
  }
  return pieces;
}

/** strtoul(s, &e, 0) of a whole piece; undefined unless every character was read. */
function wholeNumber(piece: string): { value: number; rest: string } {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(piece);
  if (!m) return { value: 0, rest: piece };
  const digits = m[2];
  const value = /^0[xX]/.test(digits) ? parseInt(digits, 16) : digits.length > 1 && digits[0] === '0' ? parseInt(digits, 8) : Number(digits);
  // strtoul of "-N" wraps around to a huge number: never a valid day
  return { value: m[1] === '-' && value !== 0 ? Number.MAX_SAFE_INTEGER : value, rest: piece.slice(m[0].length) };
}

/** --monthdays: bit i for day i (pieces of at most 2 characters, as libxt_time's buffer holds). */
export function parseMonthdays(text: string): Parsed<number> {
  let mask = 0;
  for (const day of segments(text, 2)) {
    const { value, rest } = wholeNumber(day);
    if (rest !== '' || value > 31) return { error: `${day} is not a valid day for --monthdays` };
    mask = (mask | (1 << value)) >>> 0;
  }
  return mask;
}

/** --weekdays: 1–7 or names compared on their first two letters (pieces of at most 3 characters). */
export function parseWeekdays(text: string): Parsed<number> {
  let mask = 0;
  for (const day of segments(text, 3)) {
    const { value, rest } = wholeNumber(day);
    if (rest === '') {
      if (value === 0) return { error: 'No, the week does NOT begin with Sunday.' };
      mask = (mask | (value < 32 ? 1 << value : 0)) >>> 0;
      continue;
    }
    let valid = false;
    for (let i = 1; i <= 7; i++) {
      // strncmp(day, name, 2) === 0: the same first two characters
      if (day.length >= 2 && day.slice(0, 2) === WEEK_DAYS[i].slice(0, 2)) {
        mask = (mask | (1 << i)) >>> 0;
        valid = true;
      }
    }
    if (!valid) return { error: `${day} is not a valid day specifier` };
  }
  return mask;
}

/** The match as xt_time's xt_time_info holds it. */
export interface TimeInfo {
  dateStart: number;
  dateStop: number;
  daytimeStart: number;
  daytimeStop: number;
  weekdays: number;
  monthdays: number;
  kernelTz: boolean;
  contiguous: boolean;
}

export function timeInfo(match: MatchUse): Parsed<TimeInfo> {
  const info: TimeInfo = { dateStart: 0, dateStop: INT_MAX, daytimeStart: 0, daytimeStop: SECONDS_PER_DAY - 1, weekdays: ALL_WEEKDAYS, monthdays: ALL_MONTHDAYS, kernelTz: false, contiguous: false };
  for (const option of match.options) {
    const text = option.args[0]?.text ?? '';
    let parsed: Parsed<number> | undefined;
    switch (option.name) {
      case 'datestart': parsed = parseDate(text); if (typeof parsed === 'number') info.dateStart = parsed; break;
      case 'datestop': parsed = parseDate(text); if (typeof parsed === 'number') info.dateStop = parsed; break;
      case 'timestart': parsed = parseDaytime(text); if (typeof parsed === 'number') info.daytimeStart = parsed; break;
      case 'timestop': parsed = parseDaytime(text); if (typeof parsed === 'number') info.daytimeStop = parsed; break;
      case 'weekdays':
        parsed = parseWeekdays(text);
        if (typeof parsed === 'number') info.weekdays = option.negated ? (parsed ^ ALL_WEEKDAYS) >>> 0 : parsed;
        break;
      case 'monthdays':
        parsed = parseMonthdays(text);
        if (typeof parsed === 'number') info.monthdays = option.negated ? (parsed ^ ALL_MONTHDAYS) >>> 0 : parsed;
        break;
      case 'contiguous': info.contiguous = true; break;
      case 'kerneltz': case 'localtz': info.kernelTz = true; break;
    }
    if (parsed !== undefined && typeof parsed !== 'number') return parsed;
  }
  return info;
}

/** xt_time's time_mt at `stamp` (seconds since the epoch, UTC). */
export function timeMatches(info: TimeInfo, stamp: number): boolean {
  if (stamp < info.dateStart || stamp > info.dateStop) return false;
  const daytime = ((stamp % SECONDS_PER_DAY) + SECONDS_PER_DAY) % SECONDS_PER_DAY;
  let day = stamp;
  if (info.daytimeStart < info.daytimeStop) {
    if (daytime < info.daytimeStart || daytime > info.daytimeStop) return false;
  } else {
    if (daytime < info.daytimeStart && daytime > info.daytimeStop) return false;
    // --contiguous: the early hours of a window across midnight belong to the day it started on
    if (info.contiguous && daytime <= info.daytimeStop) day -= SECONDS_PER_DAY;
  }
  const daysSinceEpoch = Math.floor(day / SECONDS_PER_DAY);
  const weekday = ((4 + daysSinceEpoch - 1) % 7 + 7) % 7 + 1; // 1970-01-01 was a Thursday; Mon = 1 … Sun = 7
  if (!(info.weekdays & (1 << weekday))) return false;
  if (info.monthdays !== ALL_MONTHDAYS) {
    const monthday = new Date(day * 1000).getUTCDate();
    if (!((info.monthdays >>> monthday) & 1)) return false;
  }
  return true;
}

function evaluateTime(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const info = timeInfo(match);
  const stamp = ctx.packet.time;
  if (!('error' in info) && !info.kernelTz && stamp !== undefined) return timeMatches(info, stamp);
  const reason = 'error' in info
    ? `its values do not parse: ${info.error}`
    : info.kernelTz
      ? "--kerneltz reads the kernel's timezone, which the dump does not tell"
      : 'the arrival time is unknown; trace with `at YYYY-MM-DDThh:mmZ` to decide it';
  const text = matchText('time', match.options);
  const fact = stableMatchFact(text, ctx.packet);
  return assumedFact(ctx.packet, fact) ?? undecided(`assumed ${text} matches (${reason})`, { fact: { key: fact, ifMatches: true } });
}

const hhmmss = (seconds: number) => [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60].map((n) => String(n).padStart(2, '0')).join(':');

/** The match in plain words, as the kernel reads it (for hovers): the window, the days, the dates, the zone. */
export function describeTimeMatch(match: MatchUse): string {
  const info = timeInfo(match);
  if ('error' in info) return `Does not parse: ${info.error}`;
  const parts: string[] = [];
  const { daytimeStart: start, daytimeStop: stop } = info;
  if (start === 0 && stop === SECONDS_PER_DAY - 1) parts.push('at any time of day');
  else if (start < stop) parts.push(`from ${hhmmss(start)} to ${hhmmss(stop)}`);
  else if (start === stop) parts.push(`at any time of day (--timestart equal to --timestop: the kernel reads it as the whole day)`);
  else {
    parts.push(`from ${hhmmss(start)} to ${hhmmss(stop)} the next morning ${info.contiguous ? '(--contiguous: the hours after midnight count as the day the window opened on)' : '(days are read from the packet\'s own date: the hours after midnight count for the next day)'}`);
  }
  if (info.weekdays !== ALL_WEEKDAYS) {
    const days = WEEK_DAYS.filter((_, i) => i >= 1 && (info.weekdays >> i) & 1);
    parts.push(days.length ? `on ${days.join(', ')}` : 'on no weekday: never');
  }
  if (info.monthdays !== ALL_MONTHDAYS) {
    const days: number[] = [];
    for (let d = 1; d <= 31; d++) if ((info.monthdays >>> d) & 1) days.push(d);
    parts.push(days.length ? `on day${days.length > 1 ? 's' : ''} ${days.join(', ')} of the month` : 'on no day of the month: never');
  }
  const date = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (info.dateStart !== 0) parts.push(`from ${date(info.dateStart)}`);
  if (info.dateStop !== INT_MAX) parts.push(`until ${date(info.dateStop)}`);
  return `Matches ${parts.join('; ')}. Times are ${info.kernelTz ? "in the kernel's timezone (--kerneltz)" : 'UTC'}.`;
}

