// tos match: option table from iptables 1.8.9 (libxt/libipt/libip6t_tos), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText, parseMarkMask } from '../common';
import { error } from '../value-checks';
import type { ValueProblem } from '../../values';

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

/** TOS byte = DSCP << 2 | ECN; simulated packets carry no ECN bits. */
function evaluateTos(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const tos = (ctx.packet.dscp << 2) & 0xff;
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
  const number = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(?:\/(.*))?$/.exec(text);
  if (number) {
    const value = Number(/^0[xX]/.test(number[1]) ? parseInt(number[1], 16) : number[1].length > 1 && number[1][0] === '0' ? parseInt(number[1], 8) : number[1]);
    if (value <= 255) {
      const mask = number[2];
      if (mask === undefined) return undefined;
      const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(mask);
      const maskValue = m ? (/^0[xX]/.test(mask) ? parseInt(mask, 16) : mask.length > 1 && mask[0] === '0' ? parseInt(mask, 8) : Number(mask)) : 256;
      return maskValue <= 255 ? undefined : error(`Illegal value: "${text}"`);
    }
  }
  return TOS_NAMES[text.toLowerCase()] !== undefined ? undefined : error(`Symbolic name "${text}" is unknown`);
}
