// time match: option table from iptables 1.8.9 (libxt/libipt/libip6t_time), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const timeMatch: MatchSpec = {
  name: 'time',
  doc: 'This matches if the packet arrival time/date is within a given range',
  evaluate: alwaysUndecided('time', 'the arrival time is unknown', { stable: true }),
  options: [
    {
      name: 'datestart', arity: 1, negatable: false, value: 'time',
      doc: 'Only match from the given date/time on (ISO 8601 "T" notation, YYYY[-MM[-DD[Thh[:mm[:ss]]]]])',
    },
    {
      name: 'datestop', arity: 1, negatable: false, value: 'time',
      doc: 'Only match during the given time, which must be in ISO 8601 "T" notation',
    },
    {
      name: 'timestart', arity: 1, negatable: false, value: 'time',
      doc: 'Only match from the given daytime on (hh:mm[:ss])',
    },
    {
      name: 'timestop', arity: 1, negatable: false, value: 'time',
      doc: 'Only match during the given daytime',
    },
    {
      name: 'contiguous', arity: 0, negatable: false, value: 'none',
      doc: 'When --timestop is smaller than --timestart value, match this as a single time period instead distinct intervals',
    },
    {
      name: 'weekdays', arity: 1, negatable: true, value: 'string',
      doc: 'Only match on the given weekdays',
    },
    {
      name: 'monthdays', arity: 1, negatable: true, value: 'string',
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
