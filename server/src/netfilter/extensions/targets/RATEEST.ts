// RATEEST target: option table from iptables 1.8.9 (libxt/libipt/libip6t_RATEEST), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';
import { readCDouble } from '../../values';

export const RATEESTTarget: TargetSpec = {
  name: 'RATEEST',
  doc: 'The RATEEST target collects statistics, performs rate estimation calculation and saves the results for later evaluation using the rateest match',
  terminating: false,
  apply: continueTarget(),
  validate(target) {
    // RATEEST_final_check: the interval picks a power of two of 250 ms up to 8 s, and the averaging
    // constant must give an ewma_log from 1 to 30 for that interval.
    const option = (name: string) => target.options.find((o) => o.name === name);
    const intervalOption = option('rateest-interval');
    const ewmaOption = option('rateest-ewmalog');
    const interval = microseconds(intervalOption?.args[0]?.text ?? '');
    const ewma = microseconds(ewmaOption?.args[0]?.text ?? '');
    if (interval === undefined || ewma === undefined) return [];
    let shift = 0;
    while (shift <= 5 && interval > (1 << shift) * 250_000) shift++;
    if (shift > 5) return [{ option: intervalOption, message: 'RATEEST: interval value is too large' }];
    let log = 1;
    while (log < 32 && !(interval / -Math.log(1 - 1 / 2 ** log) > ewma)) log++;
    log--;
    if (log === 0 || log >= 31) return [{ option: ewmaOption, message: 'RATEEST: ewmalog value is out of range' }];
    return [];
  },
  options: [
    {
      name: 'rateest-name', arity: 1, negatable: false, value: 'string', required: true,
      doc: 'Count matched packets into the pool referred to by name, which is freely choosable',
    },
    {
      name: 'rateest-interval', arity: 1, negatable: false, value: 'string', required: true,
      check: (text) => (microseconds(text) === undefined ? { severity: 'error', message: `RATEEST: bad interval value "${text}"` } : undefined),
      doc: 'Rate measurement interval, in seconds, milliseconds or microseconds',
    },
    {
      name: 'rateest-ewmalog', arity: 1, negatable: false, value: 'string', required: true,
      check: (text) => (microseconds(text) === undefined ? { severity: 'error', message: `RATEEST: bad ewmalog value "${text}"` } : undefined),
      doc: 'Rate measurement averaging time constant',
    },
  ],
};

const UNIT_MICROSECONDS: Readonly<Record<string, number>> = Object.assign(Object.create(null), {
  s: 1_000_000, sec: 1_000_000, secs: 1_000_000, ms: 1000, msec: 1000, msecs: 1000, us: 1, usec: 1, usecs: 1,
});

/**
 * RATEEST_get_time: a C double as strtod reads it (decimal or hex, inf, nan), in microseconds unless a
 * unit follows (s, ms, us and their long forms, any case), then stored in an unsigned int as x86-64
 * converts it (truncated through 64 bits; beyond that range, 0). Undefined: restore's "bad … value".
 */
function microseconds(text: string): number | undefined {
  const read = readCDouble(text);
  if (!read) return undefined;
  const unit = text.slice(read.end).toLowerCase();
  const factor = unit === '' ? 1 : UNIT_MICROSECONDS[unit];
  if (factor === undefined) return undefined;
  const truncated = Math.trunc(read.value * factor);
  if (!Number.isFinite(truncated) || Math.abs(truncated) >= 2 ** 63) return 0;
  return Number(BigInt.asUintN(32, BigInt(truncated)));
}
