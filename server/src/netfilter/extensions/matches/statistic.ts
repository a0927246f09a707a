// statistic match: option table from iptables 1.8.9 (libxt/libipt/libip6t_statistic), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { optionOf } from '../types';
import { matchText, parseNumber, undecided } from '../common';

export const statisticMatch: MatchSpec = {
  name: 'statistic',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['probability', 'every'], ['probability', 'packet']],
  doc: 'This module matches packets based on some statistic condition',
  evaluate: evaluateStatistic,
  validate(match) {
    // libxt_statistic: "--every also requires --packet" (checked with iptables-*-restore 1.8.9)
    const every = optionOf(match, 'every');
    if (every && !optionOf(match, 'packet')) return [{ option: every, message: '--every also needs --packet (the starting counter, usually 0)' }];
    // iptables: bad value for option "--probability", or out of range (0-1)
    const option = optionOf(match, 'probability');
    const text = option?.args[0]?.text;
    if (option && text !== undefined) {
      const p = Number(text);
      if (!/^[0-9.eE+-]+$/.test(text) || !Number.isFinite(p) || p < 0 || p > 1) {
        return [{ option, message: `--probability must be a number from 0 to 1, not '${text}'` }];
      }
    }
    // libxt_statistic's final check: what each mode needs, and the starting counter below --every
    const mode = optionOf(match, 'mode')?.args[0]?.text;
    if (mode === 'random' && !option) return [{ message: '--probability must be specified when using random mode' }];
    const packet = optionOf(match, 'packet');
    if (mode === 'nth' && !every && !packet) return [{ message: '--every and --packet must be specified when using nth mode' }];
    const start = packet && parseNumber(packet.args[0]?.text ?? '');
    const period = every ? parseNumber(every.args[0]?.text ?? '') : 1;
    if (start !== undefined && period !== undefined && start > period - 1) return [{ option: packet, message: 'the --packet p must be 0 <= p <= n-1' }];
    return [];
  },
  options: [
    {
      name: 'mode', arity: 1, negatable: false, value: 'enum', values: ['random', 'nth'], valueMatch: 'exact', required: true,
      doc: 'Set the matching mode of the matching rule, supported modes are random and nth',
    },
    {
      name: 'probability', arity: 1, negatable: true, value: 'number',
      doc: 'Set the probability for a packet to be randomly matched',
    },
    {
      name: 'every', arity: 1, negatable: true, value: 'int', range: [1, 4294967295],
      doc: 'Match one packet every nth packet',
    },
    {
      name: 'packet', also: ['every'], arity: 1, negatable: false, value: 'int',
      doc: 'Set the initial counter value (0 <= p <= n-1, default 0) for the nth mode',
    },
  ],
};

/**
 * random: matches with the given probability (the kernel draws per packet; with the nat table only
 * the first packet of a connection draws, so per connection). nth: every n-th packet, 1/n of them.
 * The `!` sits on --probability / --every.
 */
function evaluateStatistic(match: MatchUse, _ctx: EvalContext): MatchOutcome {
  const mode = optionOf(match, 'mode')?.args[0]?.text;
  const text = matchText('statistic', match.options);
  if (mode === 'random') {
    const option = optionOf(match, 'probability');
    const p = option ? Number(option.args[0]?.text) : NaN;
    if (!Number.isFinite(p)) return undecided(`assumed ${text} matched`);
    const clamped = Math.min(1, Math.max(0, p)); // the parser reports an out-of-range value
    const probability = option!.negated ? 1 - clamped : clamped;
    return undecided(`assumed ${text} matched (random, p=${round(probability)})`, { probability });
  }
  if (mode === 'nth') {
    const option = optionOf(match, 'every');
    const every = parseNumber(option?.args[0]?.text ?? '');
    if (!every) return undecided(`assumed ${text} matched`);
    const probability = option!.negated ? 1 - 1 / every : 1 / every;
    return undecided(`assumed ${text} matched (every ${every}th packet, p=${round(probability)})`, { probability });
  }
  return undecided(`assumed ${text} matched`);
}

function round(p: number): number {
  return Math.round(p * 1e6) / 1e6;
}
