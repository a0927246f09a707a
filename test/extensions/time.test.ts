// The time match: values read as libxt_time reads them (messages probed against
// iptables-nft-restore 1.8.9; test/parser/restore-agreement.test.ts replays them through restore),
// and xt_time's decision at a given second. Kernel check against the real clock:
// test/kernel/dumps/time.rules; traces: test/trace/cases/time-*.trace.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDate, parseDaytime, parseMonthdays, parseWeekdays, timeInfo, timeMatches } from '../../server/src/netfilter/extensions/matches/time';
import { formatTraceTime, parsePacketLine, parseTraceTime } from '../../server/src/netfilter/trace/packet-line';
import { parseFragment } from './fragment';

const show = (parsed: number | { error: string }, format: (n: number) => string = String) => (typeof parsed === 'number' ? format(parsed) : parsed.error);
const iso = (seconds: number) => formatTraceTime(seconds);

test('dates, daytimes, weekdays and month days: what iptables-nft-restore 1.8.9 makes of them', () => {
  const dates: Array<[string, string]> = [
    ['2020', '2020-01-01T00:00:00Z'],
    ['2020-02-30', '2020-03-01T00:00:00Z'], // normalised as mktime does
    ['2020-0', '2019-12-01T00:00:00Z'],
    ['2020-01-00', '2019-12-31T00:00:00Z'],
    ['2020-01-01T', '2020-01-01T00:00:00Z'],
    ['2020-1-1T1:2:3', '2020-01-01T01:02:03Z'],
    ['+2020', '2020-01-01T00:00:00Z'],
    ['2038-12-31T23:59:59', '2038-12-31T23:59:59Z'],
    ['2020-13', 'Invalid date "2020-13" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]'],
    ['1969', 'Invalid date "1969" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]'],
    ['2039', 'Invalid date "2039" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]'],
    ['1970-0', 'mktime returned an error'],
  ];
  assert.deepEqual(dates.map(([text]) => [text, show(parseDate(text), iso)]), dates);
  const times: Array<[string, string]> = [
    ['10:00', '36000'],
    ['1:2:3', '3723'],
    ['24:00', 'invalid time "24:00" specified, should be hh:mm[:ss] format and within the boundaries'],
    ['10:60', 'invalid time "60" specified, should be hh:mm[:ss] format and within the boundaries'],
    ['10:00:60', 'invalid time "60" specified, should be hh:mm[:ss] format and within the boundaries'],
    ['10', 'invalid time "10" specified, should be hh:mm[:ss] format and within the boundaries'],
    ['10:00:00:00', 'invalid time "00:00" specified, should be hh:mm[:ss] format and within the boundaries'],
    ['10:5x', 'invalid time "5x" specified, should be hh:mm[:ss] format and within the boundaries'],
  ];
  assert.deepEqual(times.map(([text]) => [text, show(parseDaytime(text))]), times);
  const binary = (n: number) => n.toString(2);
  const weekdays: Array<[string, string]> = [
    ['Mon', '10'], ['Mo', '10'], ['Monday', '10'], ['Mon,', '10'], ['0x3', '1000'], ['Sat,Sun', '11000000'], ['8', '100000000'],
    ['M', 'M is not a valid day specifier'], ['mon', 'mon is not a valid day specifier'],
    ['0', 'No, the week does NOT begin with Sunday.'], ['Mon,,Tue', 'No, the week does NOT begin with Sunday.'],
  ];
  assert.deepEqual(weekdays.map(([text]) => [text, show(parseWeekdays(text), binary)]), weekdays);
  const monthdays: Array<[string, string]> = [
    ['31', '1' + '0'.repeat(31)], ['0', '1'], ['1,,2', '111'], ['100', '10000000000'], // (kept to 2 characters: 10)
    ['32', '32 is not a valid day for --monthdays'], ['08', '08 is not a valid day for --monthdays'],
  ];
  assert.deepEqual(monthdays.map(([text]) => [text, show(parseMonthdays(text), binary)]), monthdays);
});

test('xt_time at a given second: windows across midnight, --contiguous, equal start and stop, ! on days', () => {
  const at = (text: string) => parseTraceTime(text)!;
  const matches = (options: string, when: string) => {
    const info = timeInfo(parseFragment(`-m time ${options}`).matches[0]);
    assert.ok(!('error' in info), options);
    return timeMatches(info, at(when));
  };
  // 2026-11-23 is a Monday
  assert.equal(matches('--timestart 08:00 --timestop 18:00', '2026-11-23T18:00:00Z'), true); // inclusive
  assert.equal(matches('--timestart 08:00 --timestop 18:00', '2026-11-23T18:00:01Z'), false);
  assert.equal(matches('--timestart 22:00 --timestop 06:00', '2026-11-23T23:00Z'), true);
  assert.equal(matches('--timestart 22:00 --timestop 06:00', '2026-11-23T12:00Z'), false);
  assert.equal(matches('--timestart 10:00 --timestop 10:00', '2026-11-23T03:00Z'), true); // equal: the whole day (kernel case)
  assert.equal(matches('--timestart 22:00 --timestop 06:00 --weekdays Mon', '2026-11-24T01:00Z'), false); // Tuesday's early hours
  assert.equal(matches('--timestart 22:00 --timestop 06:00 --weekdays Mon --contiguous', '2026-11-24T01:00Z'), true); // …count as Monday
  assert.equal(matches('--timestart 22:00 --timestop 06:00 --weekdays Mon --contiguous', '2026-11-23T01:00Z'), false); // …and Monday's as Sunday
  assert.equal(matches('! --weekdays Sat,Sun', '2026-11-23T12:00Z'), true);
  assert.equal(matches('! --weekdays Sat,Sun', '2026-11-22T12:00Z'), false);
  assert.equal(matches('--monthdays 23', '2026-11-23T12:00Z'), true);
  assert.equal(matches('! --monthdays 23', '2026-11-23T12:00Z'), false);
  assert.equal(matches('--datestart 2026-11-23T12:00 --datestop 2026-11-23T12:00', '2026-11-23T12:00:00Z'), true);
  assert.equal(matches('--datestop 2026-11-23T12:00', '2026-11-23T12:00:01Z'), false);
});

test('a packet line takes `at` a time (UTC unless an offset is given) and writes it back', () => {
  assert.equal(parseTraceTime('2026-11-23T09:30Z'), Date.UTC(2026, 10, 23, 9, 30) / 1000);
  assert.equal(parseTraceTime('2026-11-23T09:30'), Date.UTC(2026, 10, 23, 9, 30) / 1000);
  assert.equal(parseTraceTime('2026-11-23 10:30:15+01:00'), Date.UTC(2026, 10, 23, 9, 30, 15) / 1000);
  assert.equal(parseTraceTime('2026-11-23'), Date.UTC(2026, 10, 23) / 1000);
  for (const bad of ['2026-02-30T10:00Z', '2026-11-23T24:00Z', 'tomorrow', '2026-11-23T9:30Z']) assert.equal(parseTraceTime(bad), undefined, bad);
  const parsed = parsePacketLine('10.0.0.9 -> 10.0.0.1:22 at 2026-11-23T10:30+01:00');
  assert.equal(parsed.request?.time, Date.UTC(2026, 10, 23, 9, 30) / 1000);
  assert.equal(parsed.normalized, '10.0.0.9 -> 10.0.0.1:22/tcp at 2026-11-23T09:30:00Z');
  assert.equal(parsePacketLine(parsed.normalized!).request?.time, parsed.request?.time);
  assert.match(parsePacketLine('10.0.0.9 -> 10.0.0.1:22 at noon').error ?? '', /'at' needs a date and time/);
});
