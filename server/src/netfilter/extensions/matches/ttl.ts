// ttl match: option table from iptables 1.8.9 (libxt/libipt/libip6t_ttl), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText, parseNumber } from '../common';

export const ttlMatch: MatchSpec = {
  name: 'ttl',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['ttl-eq', 'ttl-lt', 'ttl-gt']],
  families: ['ipv4'],
  doc: 'This module matches the time to live field in the IP header',
  evaluate: evaluateTtl,
  options: [
    {
      name: 'ttl-lt', arity: 1, negatable: false, value: 'int', range: [0, 255],
      doc: 'Matches if TTL is less than the given TTL value',
    },
    {
      name: 'ttl-gt', arity: 1, negatable: false, value: 'int', range: [0, 255],
      doc: 'Matches if TTL is greater than the given TTL value',
    },
    {
      name: 'ttl-eq', aliases: ['ttl'], arity: 1, negatable: true, value: 'int', range: [0, 255],
      doc: 'Matches the given TTL value',
    },
  ],
};

/** --ttl-eq / --ttl-lt / --ttl-gt against the IPv4 TTL (also used by hl for the IPv6 hop limit). */
export function compareTtl(name: string, value: number, text: string): boolean | undefined {
  const n = parseNumber(text);
  if (n === undefined) return false;
  if (name.endsWith('-eq')) return value === n;
  if (name.endsWith('-lt')) return value < n;
  if (name.endsWith('-gt')) return value > n;
  return undefined;
}

function evaluateTtl(match: MatchUse, ctx: EvalContext): MatchOutcome {
  return evaluateOptions(
    match.options,
    (option) => compareTtl(option.name, ctx.packet.ttl, option.args[0]?.text ?? ''),
    (option) => `-m ttl ${optionText(option)}`,
  );
}
