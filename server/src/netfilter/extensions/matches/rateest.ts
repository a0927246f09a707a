// rateest match: option table from iptables 1.8.9 (libxt_rateest), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { readCDouble, readUnsigned, type ValueProblem } from '../../values';

export const rateestMatch: MatchSpec = {
  name: 'rateest',
  doc: 'Match on the rate a RATEEST estimator measured: against a fixed rate, or two estimators against each other',
  evaluate: alwaysUndecided('rateest', 'the measured rates are not known', { stable: true }),
  options: [
    {
      name: 'rateest1', aliases: ['rateest'], arity: 1, negatable: false, value: 'string',
      doc: 'Name of the (first) rate estimator, created by a `-j RATEEST --rateest-name` rule',
    },
    {
      name: 'rateest2', arity: 1, negatable: false, value: 'string',
      doc: 'Name of the second rate estimator: compare the two (relative mode)',
    },
    {
      name: 'rateest-bps1', arity: [0, 1], negatable: false, value: 'string', check: rateProblem,
      doc: 'Compare bytes per second; with --rateest-delta, the rate subtracted from the first estimator (`8bit`, `5kbit`, `1MBps` …; a plain number is bytes per second)',
    },
    {
      name: 'rateest-pps1', arity: [0, 1], negatable: false, value: 'string', check: ppsProblem,
      doc: 'Compare packets per second; with --rateest-delta, the rate subtracted from the first estimator',
    },
    {
      name: 'rateest-bps2', aliases: ['rateest-bps'], arity: [0, 1], negatable: false, value: 'string', check: rateProblem,
      doc: 'Compare bytes per second: the rate the estimator is compared with (absolute mode), or subtracted from the second estimator',
    },
    {
      name: 'rateest-pps2', aliases: ['rateest-pps'], arity: [0, 1], negatable: false, value: 'string', check: ppsProblem,
      doc: 'Compare packets per second: the rate the estimator is compared with (absolute mode), or subtracted from the second estimator',
    },
    {
      name: 'rateest-delta', arity: 0, negatable: false, value: 'none',
      doc: 'Compare each estimator’s rate minus the given rate (never below 0)',
    },
    {
      name: 'rateest-lt', arity: 0, negatable: true, value: 'none',
      doc: 'Match if the rate is less than the given rate or the other estimator’s',
    },
    {
      name: 'rateest-gt', arity: 0, negatable: true, value: 'none',
      doc: 'Match if the rate is greater than the given rate or the other estimator’s',
    },
    {
      name: 'rateest-eq', arity: 0, negatable: true, value: 'none',
      doc: 'Match if the rate equals the given rate or the other estimator’s',
    },
  ],
};

/** rateest_get_rate's units (iproute's), compared without case. */
const RATE_UNITS = new Set(['bit', 'kibit', 'kbit', 'mibit', 'mbit', 'gibit', 'gbit', 'tibit', 'tbit', 'bps', 'kibps', 'kbps', 'mibps', 'mbps', 'gibps', 'gbps', 'tibps', 'tbps']);

/** A rate as rateest_get_rate reads it: a C double (strtod), then nothing or one of the units. */
function rateProblem(text: string): ValueProblem | undefined {
  // (the optional value is taken only when it does not start with `-`: "-1" is read as an option)
  if (text.startsWith('-')) return { severity: 'error', message: `unknown option "${text}"` };
  const read = readCDouble(text);
  const unit = read ? text.slice(read.end).toLowerCase() : undefined;
  return unit === '' || (unit !== undefined && RATE_UNITS.has(unit)) ? undefined : { severity: 'error', message: `rateest: could not parse rate \`${text}'` };
}

/** Packets per second: a whole number up to 2^32 − 1 (xtables_strtoui). */
function ppsProblem(text: string): ValueProblem | undefined {
  if (text.startsWith('-')) return { severity: 'error', message: `unknown option "${text}"` };
  const read = readUnsigned(text, 0);
  return read && read.end === text.length && read.value <= 0xffffffffn ? undefined : { severity: 'error', message: `rateest: could not parse pps \`${text}'` };
}
