// tcpmss match: option table from iptables 1.8.9 (libxt/libipt/libip6t_tcpmss), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { alwaysUndecided, evaluateOptions, inRange, optionText, parseIntRange } from '../common';
import { uintRangeProblem } from '../../values';
import { tcpMss } from '../../tcp-options';

export const tcpmssMatch: MatchSpec = {
  name: 'tcpmss',
  doc: 'This matches the TCP MSS (maximum segment size) field of the TCP header',
  evaluate: evaluateTcpmss,
  options: [
    {
      name: 'mss', arity: 1, negatable: true, value: 'int-range', check: (text) => uintRangeProblem(text, 0xffffn, 'tcpmss', 'mss', () => 'tcpmss: invalid range given'), required: true,
      doc: 'Match a given TCP MSS value or range',
    },
  ],
};

const unknownOptions = alwaysUndecided('tcpmss', "the packet's TCP options are not known; the packet line's `options` clause gives them");
const unknownMss = alwaysUndecided('tcpmss', 'its MSS is not known: TCPMSS clamped it to a path MTU the trace does not know');

/**
 * xt_tcpmss: the first MSS option (kind 2, length 4) that fits in the header's options is compared
 * with the range; a header without one matches only `! --mss`.
 */
function evaluateTcpmss(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const p = ctx.packet;
  if (p.proto !== 6 || p.fragment) return false;
  if (!p.tcpOptions) return unknownOptions(match, ctx);
  const mss = tcpMss(p.tcpOptions);
  if (mss === undefined) return unknownMss(match, ctx);
  return evaluateOptions(
    match.options,
    (option) => (option.name === 'mss' ? mss !== 'absent' && inRange(mss, parseIntRange(option.args[0]?.text ?? '')) : undefined),
    (option) => `-m tcpmss ${optionText(option)}`,
  );
}
