// length match: option table from iptables 1.8.9 (libxt/libipt/libip6t_length), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, inRange, optionText, parseIntRange } from '../common';
import { uintRangeProblem } from '../../values';

export const lengthMatch: MatchSpec = {
  name: 'length',
  doc: 'Match the length of the layer-3 payload (the whole IP packet length for IPv4)',
  evaluate: evaluateLength,
  options: [
    {
      name: 'length', arity: 1, negatable: true, value: 'int-range', check: (text) => uintRangeProblem(text, 0xffffn, 'length', 'length'), required: true,
      doc: 'Match the layer-3 payload length, a value or range (min:max)',
    },
  ],
};

/** IPv4: total length; IPv6: payload length + 40 (xt_length adds the fixed header). */
function evaluateLength(match: MatchUse, ctx: EvalContext): MatchOutcome {
  return evaluateOptions(
    match.options,
    (option) => (option.name === 'length' ? inRange(ctx.packet.length, parseIntRange(option.args[0]?.text ?? '')) : undefined),
    (option) => `-m length ${optionText(option)}`,
  );
}
