// hashlimit match: option table from iptables 1.8.9 (libxt/libipt/libip6t_hashlimit), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import { optionOf, type EvalContext, type MatchOutcome, type MatchSpec } from '../types';
import { evaluateOptions, optionText, undecided } from '../common';
import { readUnsigned } from '../../values';
import { hashlimitBurstProblem, hashlimitIntervalProblem, hashlimitRateProblem, isHashlimitByteRate, nonEmptyProblem, plenProblem } from '../value-checks';

export const hashlimitMatch: MatchSpec = {
  name: 'hashlimit',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['hashlimit-upto', 'hashlimit-above']],
  needsOneOf: [{ options: ['hashlimit-upto', 'hashlimit-above'], message: 'You have to specify --hashlimit' }],
  doc: 'Hashlimit uses hash buckets to express a rate limiting match (like the limit match) for a group of connections using a single iptables rule',
  evaluate: evaluateHashlimit,
  validate(match) {
    // libxt_hashlimit's final check: in packet mode the burst, unit applied, is at most 1,000,000;
    // in byte mode (a `b/s` rate) it is at least the bytes the rate allows a second.
    const burst = optionOf(match, 'hashlimit-burst');
    const rate = optionOf(match, 'hashlimit-upto') ?? optionOf(match, 'hashlimit-above') ?? optionOf(match, 'hashlimit');
    const burstText = burst?.args[0]?.text;
    const rateText = rate?.args[0]?.text;
    if (!burst || burstText === undefined || rateText === undefined || hashlimitBurstProblem(burstText)) return [];
    if (isHashlimitByteRate(rateText)) {
      const least = byteRateMinimumBurst(rateText);
      return least !== undefined && packetBurst(burstText) < least ? [{ option: burst, message: `burst cannot be smaller than ${least}b` }] : [];
    }
    return packetBurst(burstText) > 1_000_000n ? [{ option: burst, message: 'bad value for option "--hashlimit-burst", or out of range (1-1000000).' }] : [];
  },
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
      name: 'hashlimit-srcmask', arity: 1, negatable: false, value: 'int', check: plenProblem('hashlimit', 'hashlimit-srcmask'),
      doc: 'When --hashlimit-mode srcip is used, all source addresses encountered will be grouped according to the given prefix length and the so-created subnet will be subject to hashlimit',
    },
    {
      name: 'hashlimit-dstmask', arity: 1, negatable: false, value: 'int', check: plenProblem('hashlimit', 'hashlimit-dstmask'),
      doc: 'Like --hashlimit-srcmask, but for destination addresses',
    },
    {
      name: 'hashlimit-burst', arity: 1, negatable: false, value: 'string', check: hashlimitBurstProblem,
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
      name: 'hashlimit-mode', arity: 1, negatable: false, value: 'enum-list', strtokList: { separators: ',|' }, valueMatch: 'exact', values: ['srcip', 'srcport', 'dstip', 'dstport'],
      doc: 'A comma-separated list of objects to take into consideration (`|` separates too; lower case only)',
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
      name: 'hashlimit-rate-interval', arity: 1, negatable: false, value: 'string', check: hashlimitIntervalProblem,
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

/** parse_burst()'s value: the number times its unit (`k` 1024, `m` 1024², anything else 1), in 64 bits. */
/**
 * The smallest burst a byte rate takes, in bytes: libxt_hashlimit turns the rate into a cost
 * (bytes_to_cost: UINT32_MAX / ((bytes >> 4) + 1), 32-bit) and back (cost_to_bytes:
 * (UINT32_MAX / cost - 1) << 4), so `1kb/s` needs 1024. Undefined when the rate is not read here.
 */
function byteRateMinimumBurst(rateText: string): bigint | undefined {
  const read = readUnsigned(rateText, 0);
  if (!read) return undefined;
  const unit = rateText[rateText.indexOf('b/s') - 1];
  const bytes = read.value * (unit === 'm' ? 1048576n : unit === 'k' ? 1024n : 1n);
  if (bytes > 0xffffffffffffffffn) return undefined;
  const shifted = BigInt.asUintN(32, bytes >> 4n);
  if (shifted === 0xffffffffn) return undefined; // ((r + 1) wraps to 0 in C)
  const cost = 0xffffffffn / (shifted + 1n);
  return ((cost ? 0xffffffffn / cost : 0xffffffffn) - 1n) << 4n;
}

function packetBurst(text: string): bigint {
  const read = readUnsigned(text, 0);
  if (!read) return 0n;
  const unit = text[read.end];
  return BigInt.asUintN(64, read.value * (unit === 'm' ? 1048576n : unit === 'k' ? 1024n : 1n));
}
