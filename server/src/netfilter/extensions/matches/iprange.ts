// iprange match: option table from iptables 1.8.9 (libxt/libipt/libip6t_iprange), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import { parseRange, rangeContains } from '../../addr';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText } from '../common';
import { iprangeProblem } from '../value-checks';

export const iprangeMatch: MatchSpec = {
  name: 'iprange',
  doc: 'This matches on a given arbitrary range of IP addresses',
  evaluate: evaluateIprange,
  options: [
    {
      name: 'src-range', arity: 1, negatable: true, value: 'address-range', check: iprangeProblem('src-range'),
      doc: 'Match source IP in the specified range',
    },
    {
      name: 'dst-range', arity: 1, negatable: true, value: 'address-range', check: iprangeProblem('dst-range'),
      doc: 'Match destination IP in the specified range',
    },
  ],
};

function evaluateIprange(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const p = ctx.packet;
  return evaluateOptions(
    match.options,
    (option) => {
      const range = parseRange(option.args[0]?.text ?? '', p.family);
      if (option.name === 'src-range') return !!range && rangeContains(range, p.src);
      if (option.name === 'dst-range') return !!range && rangeContains(range, p.dst);
      return undefined;
    },
    (option) => `-m iprange ${optionText(option)}`,
  );
}
