// dscp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_dscp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText, parseNumber } from '../common';
import { error } from '../value-checks';
import type { ValueProblem } from '../../values';

export const dscpMatch: MatchSpec = {
  name: 'dscp',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['dscp', 'dscp-class']],
  doc: 'This module matches the 6 bit DSCP field within the TOS field in the IP header',
  evaluate: evaluateDscp,
  options: [
    {
      name: 'dscp', arity: 1, negatable: true, value: 'int', range: [0, 63],
      doc: 'Match against a numeric (decimal or hex) value [0-63]',
    },
    {
      name: 'dscp-class', arity: 1, negatable: true, value: 'string', check: dscpClassProblem,
      doc: 'Match the DiffServ class',
    },
  ],
};

/** DiffServ class names (libxt dscp_helper): CSn = 8n, AFxy = 8x + 2y, EF = 46, BE = 0. */
export function dscpClassValue(name: string): number | undefined {
  const upper = name.toUpperCase();
  if (upper === 'EF') return 46;
  if (upper === 'BE') return 0;
  let m = /^CS([0-7])$/.exec(upper);
  if (m) return Number(m[1]) * 8;
  m = /^AF([1-4])([1-3])$/.exec(upper);
  if (m) return Number(m[1]) * 8 + Number(m[2]) * 2;
  return undefined;
}

function evaluateDscp(match: MatchUse, ctx: EvalContext): MatchOutcome {
  return evaluateOptions(
    match.options,
    (option) => {
      const text = option.args[0]?.text ?? '';
      if (option.name === 'dscp') return parseNumber(text) === ctx.packet.dscp;
      if (option.name === 'dscp-class') return dscpClassValue(text) === ctx.packet.dscp;
      return undefined;
    },
    (option) => `-m dscp ${optionText(option)}`,
  );
}

/** `--dscp-class` / `--set-dscp-class`: BE, EF, CS0–CS7, AF11–AF43 (any case). */
export function dscpClassProblem(text: string): ValueProblem | undefined {
  return dscpClassValue(text) !== undefined ? undefined : error(`Invalid DSCP value \`${text}'`);
}
