// dscp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_dscp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse, OptionUse } from '../../model';
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

/** DiffServ classes in libxt's dscp_helper table order: CSn = 8n, BE = 0, AFxy = 8x + 2y, EF = 46. */
const DSCP_CLASSES: ReadonlyArray<readonly [string, number]> = [
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((n) => [`CS${n}`, n * 8] as const),
  ['BE', 0],
  ...[1, 2, 3, 4].flatMap((x) => [1, 2, 3].map((y) => [`AF${x}${y}`, 8 * x + 2 * y] as const)),
  ['EF', 46],
];

/**
 * The DSCP value of a class name as dscp_helper's class_to_dscp reads it: the first class the word
 * starts with, in any case (strncasecmp over the class name's length: `EFX` is EF, `af41x` AF41).
 */
export function dscpClassValue(name: string): number | undefined {
  const upper = name.toUpperCase();
  return DSCP_CLASSES.find(([written]) => upper.startsWith(written))?.[1];
}

/** The DSCP a `--dscp N` or `--dscp-class C` option names (undefined: another option, or not a value). */
export function dscpOptionValue(option: OptionUse): number | undefined {
  const text = option.args[0]?.text ?? '';
  const value = option.name === 'dscp' ? parseNumber(text) : option.name === 'dscp-class' ? dscpClassValue(text) : undefined;
  return value !== undefined && value <= 63 ? value : undefined;
}

function evaluateDscp(match: MatchUse, ctx: EvalContext): MatchOutcome {
  return evaluateOptions(
    match.options,
    (option) => (option.name === 'dscp' || option.name === 'dscp-class' ? dscpOptionValue(option) === ctx.packet.dscp : undefined),
    (option) => `-m dscp ${optionText(option)}`,
  );
}

/** `--dscp-class` / `--set-dscp-class`: BE, EF, CS0–CS7, AF11–AF43 (any case). */
export function dscpClassProblem(text: string): ValueProblem | undefined {
  return dscpClassValue(text) !== undefined ? undefined : error(`Invalid DSCP value \`${text}'`);
}
