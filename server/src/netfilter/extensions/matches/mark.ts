// mark match: option table from iptables 1.8.9 (libxt/libipt/libip6t_mark), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText, parseMarkMask } from '../common';

export const markMatch: MatchSpec = {
  name: 'mark',
  doc: 'This module matches the netfilter mark field associated with a packet (which can be set using the MARK target below)',
  evaluate: evaluateMark,
  options: [
    {
      name: 'mark', arity: 1, negatable: true, value: 'mark', required: true,
      doc: 'Matches packets with the given unsigned mark value (if a mask is specified, this is logically ANDed with the mask before the comparison)',
    },
  ],
};

/** (mark & mask) == value, as xt_mark compares. */
export function markMatches(mark: number, text: string): boolean {
  const parsed = parseMarkMask(text);
  return !!parsed && ((mark & parsed.mask) >>> 0) === parsed.value;
}

function evaluateMark(match: MatchUse, ctx: EvalContext): MatchOutcome {
  return evaluateOptions(
    match.options,
    (option) => (option.name === 'mark' ? markMatches(ctx.packet.mark, option.args[0]?.text ?? '') : undefined),
    (option) => `-m mark ${optionText(option)}`,
  );
}
