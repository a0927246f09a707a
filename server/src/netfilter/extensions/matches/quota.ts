// quota match: option table from iptables 1.8.9 (libxt/libipt/libip6t_quota), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText, parseNumber, undecided } from '../common';

export const quotaMatch: MatchSpec = {
  name: 'quota',
  doc: 'Implements network quotas by decrementing a byte counter with each packet',
  evaluate: evaluateQuota,
  options: [
    {
      name: 'quota', arity: 1, negatable: true, value: 'int', range: [0, 18446744073709551615n], required: true,
      doc: 'The quota in bytes',
    },
  ],
};

/**
 * xt_quota: matches while the remaining quota covers the packet, and takes the packet's length from
 * it; a packet it does not cover empties it. The engine starts from a fresh counter, and the packet
 * it follows uses it up on each pass: a chain reached twice can match on the first pass and not on
 * the second (random kernel campaign, seed 990721). Once this packet has used some of it, a quota
 * that no longer covers the packet is undecided, as for `limit`: an undecided match earlier in a
 * rule may have counted a pass the kernel did not make.
 */
function evaluateQuota(match: MatchUse, ctx: EvalContext): MatchOutcome {
  return evaluateOptions(
    match.options,
    (option) => {
      if (option.name !== 'quota') return undefined;
      const quota = parseNumber(option.args[0]?.text ?? '') ?? 0;
      const taken = (ctx.packet.quotaUsed ??= {});
      const used = taken[match.span.start] ?? 0; // -1: emptied by a pass that had taken nothing
      if (used < 0) return false;
      if (quota - used >= ctx.packet.length) {
        taken[match.span.start] = used + ctx.packet.length;
        return true;
      }
      // xt_quota empties a quota that does not cover the packet.
      taken[match.span.start] = used === 0 ? -1 : quota;
      if (used === 0) return false;
      const earlier = `it used ${used} of the ${quota} bytes in an earlier pass`;
      return undecided(`assumed -m quota ${optionText(option)} still covers this packet (${earlier})`, {
        negated: `assumed -m quota ${optionText(option)} is used up (${earlier})`,
      });
    },
    (option) => `-m quota ${optionText(option)} (fresh counter assumed)`,
  );
}
