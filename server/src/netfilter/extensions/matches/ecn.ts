// ecn match: option table from iptables 1.8.9 (libxt/libipt/libip6t_ecn), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText, parseNumber, undecided } from '../common';

export const ecnMatch: MatchSpec = {
  name: 'ecn',
  doc: 'This allows you to match the ECN bits of the IPv4/IPv6 and TCP header',
  evaluate: evaluateEcn,
  options: [
    {
      name: 'ecn-tcp-cwr', arity: 0, negatable: true, value: 'none',
      doc: 'This matches if the TCP ECN CWR (Congestion Window Received) bit is set',
    },
    {
      name: 'ecn-tcp-ece', arity: 0, negatable: true, value: 'none',
      doc: 'This matches if the TCP ECN ECE (ECN Echo) bit is set',
    },
    {
      name: 'ecn-ip-ect', arity: 1, negatable: true, value: 'int', range: [0, 3],
      doc: 'This matches a particular IPv4/IPv6 ECT (ECN-Capable Transport): the TOS / Traffic Class byte\'s low two bits, 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE (congestion experienced)',
    },
  ],
};

function evaluateEcn(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const flags = ctx.packet.tcpFlags?.map((f) => f.toUpperCase());
  return evaluateOptions(
    match.options,
    (option) => {
      if (option.name === 'ecn-tcp-cwr' || option.name === 'ecn-tcp-ece') {
        if (ctx.packet.proto !== 6) return false;
        if (!flags) return undecided(`assumed ${optionText(option)} matches (TCP flags not given)`);
        return flags.includes(option.name === 'ecn-tcp-cwr' ? 'CWR' : 'ECE');
      }
      // xt_ecn: (TOS / Traffic Class & 3) == the value
      const value = parseNumber(option.args[0]?.text ?? '');
      return value === undefined ? undecided(`assumed ${optionText(option)} matches (the value does not read)`) : ctx.packet.ecn === value;
    },
    (option) => `-m ecn ${optionText(option)}`,
  );
}
