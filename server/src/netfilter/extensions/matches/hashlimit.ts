// hashlimit match: option table from iptables 1.8.9 (libxt/libipt/libip6t_hashlimit), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText, undecided } from '../common';
import { hashlimitRateProblem, nonEmptyProblem } from '../value-checks';

export const hashlimitMatch: MatchSpec = {
  name: 'hashlimit',
  doc: 'Hashlimit uses hash buckets to express a rate limiting match (like the limit match) for a group of connections using a single iptables rule',
  evaluate: evaluateHashlimit,
  options: [
    {
      name: 'hashlimit-upto', aliases: ['hashlimit'], arity: 1, negatable: true, value: 'rate', check: hashlimitRateProblem('hashlimit-upto'),
      doc: 'Match if the rate is below or equal to amount/quantum',
    },
    {
      name: 'hashlimit-above', arity: 1, negatable: true, value: 'rate', check: hashlimitRateProblem('hashlimit-above'),
      doc: 'Match if the rate is above amount/quantum',
    },
    {
      name: 'hashlimit-srcmask', arity: 1, negatable: false, value: 'int',
      doc: 'When --hashlimit-mode srcip is used, all source addresses encountered will be grouped according to the given prefix length and the so-created subnet will be subject to hashlimit',
    },
    {
      name: 'hashlimit-dstmask', arity: 1, negatable: false, value: 'int',
      doc: 'Like --hashlimit-srcmask, but for destination addresses',
    },
    {
      name: 'hashlimit-burst', arity: 1, negatable: false, value: 'string',
      doc: 'Maximum initial number of packets to match',
    },
    {
      name: 'hashlimit-htable-size', arity: 1, negatable: false, value: 'int',
      doc: 'The number of buckets of the hash table',
    },
    {
      name: 'hashlimit-htable-max', arity: 1, negatable: false, value: 'int',
      doc: 'Maximum entries in the hash',
    },
    {
      name: 'hashlimit-htable-gcinterval', arity: 1, negatable: false, value: 'int',
      doc: 'How many milliseconds between garbage collection intervals',
    },
    {
      name: 'hashlimit-htable-expire', arity: 1, negatable: false, value: 'int',
      doc: 'After how many milliseconds do hash entries expire',
    },
    {
      name: 'hashlimit-mode', arity: 1, negatable: false, value: 'enum-list', values: ['srcip', 'srcport', 'dstip', 'dstport'],
      doc: 'A comma-separated list of objects to take into consideration',
    },
    {
      name: 'hashlimit-name', arity: 1, negatable: false, value: 'string', required: true, check: nonEmptyProblem,
      doc: 'The name for the /proc/net/ipt_hashlimit/foo entry',
    },
    {
      name: 'hashlimit-rate-match', arity: 0, negatable: false, value: 'none',
      doc: 'Classify the flow instead of rate-limiting it',
    },
    {
      name: 'hashlimit-rate-interval', arity: 1, negatable: false, value: 'string',
      doc: 'Can be used with --hashlimit-rate-match to specify the interval at which the rate should be sampled',
    },
  ],
};

/**
 * A new hashlimit bucket starts full, so the first packet of a flow is within the rate:
 * --hashlimit-upto matches and --hashlimit-above does not. --hashlimit-rate-match classifies by the
 * measured rate instead, which the engine cannot know.
 */
function evaluateHashlimit(match: MatchUse, _ctx: EvalContext): MatchOutcome {
  if (match.options.some((o) => o.name === 'hashlimit-rate-match'))
    return undecided(`assumed -m hashlimit ${match.options.map(optionText).join(' ')} matches (measured rate unknown)`);
  return evaluateOptions(
    match.options,
    (option) => {
      if (option.name === 'hashlimit-upto') return true;
      if (option.name === 'hashlimit-above') return false;
      return true; // burst, mode, name, htable-*: parameters only
    },
    (option) => `-m hashlimit ${optionText(option)}`,
  );
}
