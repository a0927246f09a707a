// hl match: option table from iptables 1.8.9 (libxt/libipt/libip6t_hl), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText } from '../common';
import { compareTtl } from './ttl';

export const hlMatch: MatchSpec = {
  name: 'hl',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['hl-eq', 'hl-lt', 'hl-gt']],
  families: ['ipv6'],
  doc: 'This module matches the Hop Limit field in the IPv6 header',
  evaluate: evaluateHl,
  options: [
    {
      name: 'hl-lt', arity: 1, negatable: false, value: 'int', range: [0, 255],
      doc: 'Matches if Hop Limit is less than value',
    },
    {
      name: 'hl-gt', arity: 1, negatable: false, value: 'int', range: [0, 255],
      doc: 'Matches if Hop Limit is greater than value',
    },
    {
      name: 'hl-eq', aliases: ['hl'], arity: 1, negatable: true, value: 'int', range: [0, 255],
      doc: 'Matches if Hop Limit equals value',
    },
  ],
};

/** The packet's `ttl` field carries the IPv6 hop limit. */
function evaluateHl(match: MatchUse, ctx: EvalContext): MatchOutcome {
  return evaluateOptions(
    match.options,
    (option) => compareTtl(option.name, ctx.packet.ttl, option.args[0]?.text ?? ''),
    (option) => `-m hl ${optionText(option)}`,
  );
}
