// tos match: option table from iptables 1.8.9 (libxt/libipt/libip6t_tos), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText, parseMarkMask } from '../common';
import { error, wholeNumber } from '../value-checks';
import type { ValueProblem } from '../../values';
import { tosByte } from '../../packet-bytes';

export const tosMatch: MatchSpec = {
  name: 'tos',
  doc: 'Match the 8-bit Type of Service field of the IPv4 header (or the Traffic Class of IPv6)',
  evaluate: evaluateTos,
  options: [
    {
      name: 'tos', arity: 1, negatable: true, value: 'raw', required: true, check: tosProblem,
      doc: 'Matches packets with the given TOS mark value',
    },
  ],
};

/** Symbolic TOS values; they compare under mask 0x3f (libxt_tos), numbers under 0xff. */
export const TOS_NAMES: Record<string, number> = {
  'minimize-delay': 0x10, 'maximize-throughput': 0x08, 'maximize-reliability': 0x04, 'minimize-cost': 0x02, 'normal-service': 0x00,
};
Object.setPrototypeOf(TOS_NAMES, null); // keys come from dumps: `constructor` must not find Object's

export function parseTos(text: string): { value: number; mask: number } | undefined {
  const named = TOS_NAMES[text.toLowerCase()];
  if (named !== undefined) return { value: named, mask: 0x3f };
  const parsed = parseMarkMask(text);
  if (!parsed) return undefined;
  return { value: parsed.value & 0xff, mask: text.includes('/') ? parsed.mask & 0xff : 0xff };
}

/** (TOS byte & mask) == value, the byte being DSCP << 2 | ECN. */
function evaluateTos(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const tos = tosByte(ctx.packet);
  return evaluateOptions(
    match.options,
    (option) => {
      if (option.name !== 'tos') return undefined;
      const parsed = parseTos(option.args[0]?.text ?? '');
      return !!parsed && (tos & parsed.mask) === parsed.value;
    },
    (option) => `-m tos ${optionText(option)}`,
  );
}

/** `--tos` / `--set-tos`: a symbolic name or VALUE[/MASK] in 0–255 (xtables_parse_tos_value). */
export function tosProblem(text: string): ValueProblem | undefined {
  const slash = text.indexOf('/');
  const value = wholeNumber(slash < 0 ? text : text.slice(0, slash));
  if (value !== undefined && value <= 255) {
    if (slash < 0) return undefined;
    const mask = wholeNumber(text.slice(slash + 1));
    return mask !== undefined && mask <= 255 ? undefined : error(`Illegal value: "${text}"`);
  }
  return TOS_NAMES[text.toLowerCase()] !== undefined ? undefined : error(`Symbolic name "${text}" is unknown`);
}
