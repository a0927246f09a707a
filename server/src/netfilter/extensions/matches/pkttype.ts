// pkttype match: option table from iptables 1.8.9 (libxt/libipt/libip6t_pkttype), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText } from '../common';
import { valueWord } from '../../values';

export const pkttypeMatch: MatchSpec = {
  name: 'pkttype',
  doc: 'This module matches the link-layer packet type',
  evaluate: evaluatePkttype,
  options: [
    {
      name: 'pkt-type', arity: 1, negatable: true, value: 'enum', values: ['unicast', 'broadcast', 'multicast', 'otherhost'], valueAliases: { unicast: ['host'], broadcast: ['bcast'], multicast: ['mcast'] }, required: true,
      doc: 'Match the link-layer packet type: unicast, broadcast or multicast',
    },
  ],
};

/** --pkt-type's spec (valueWord reads its words) */
export const PKTTYPE_OPTION = pkttypeMatch.options[0];

/** unicast and host both mean PACKET_HOST in libxt_pkttype; otherhost never applies to simulated packets. */
function evaluatePkttype(match: MatchUse, ctx: EvalContext): MatchOutcome {
  return evaluateOptions(
    match.options,
    (option) => {
      if (option.name !== 'pkt-type') return undefined;
      // (as libxt_pkttype reads the word: any case, `host` for unicast, `bcast`, `mcast`)
      return valueWord(PKTTYPE_OPTION, option.args[0]?.text ?? '') === ctx.packet.pkttype;
    },
    (option) => `-m pkttype ${optionText(option)}`,
  );
}
