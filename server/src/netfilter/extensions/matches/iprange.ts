// iprange match: option table from iptables 1.8.9 (libxt/libipt/libip6t_iprange), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { Family, MatchUse } from '../../model';
import { parseAddress, rangeContains, type Address, type AddressRange } from '../../addr';
import { xtablesIPv4, type ValueProblem } from '../../values';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText } from '../common';
import { error } from '../value-checks';

export const iprangeMatch: MatchSpec = {
  name: 'iprange',
  doc: 'This matches on a given arbitrary range of IP addresses',
  evaluate: evaluateIprange,
  options: [
    {
      name: 'src-range', arity: 1, negatable: true, value: 'address-range', check: iprangeProblem('src-range'),
      doc: 'Match source IP in the specified range',
    },
    {
      name: 'dst-range', arity: 1, negatable: true, value: 'address-range', check: iprangeProblem('dst-range'),
      doc: 'Match destination IP in the specified range',
    },
  ],
};

function evaluateIprange(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const p = ctx.packet;
  return evaluateOptions(
    match.options,
    (option) => {
      const range = iprangeOf(option.args[0]?.text ?? '', p.family);
      if (option.name === 'src-range') return !!range && rangeContains(range, p.src);
      if (option.name === 'dst-range') return !!range && rangeContains(range, p.dst);
      return undefined;
    },
    (option) => `-m iprange ${optionText(option)}`,
  );
}

/**
 * ADDRESS or ADDRESS-ADDRESS (split at the first `-`), as libxt_iprange reads it: IPv4 through
 * xtables_numeric_to_ipaddr, like -s/-d (`10.1` is 10.1.0.0, `0xc0.0250.0.1` is 192.168.0.1, no part
 * above 255), IPv6 through inet_pton. Undefined when restore refuses it.
 */
export function iprangeOf(text: string, family: Family): AddressRange | undefined {
  const dash = text.indexOf('-');
  const from = iprangeAddress(dash < 0 ? text : text.slice(0, dash), family);
  const to = dash < 0 ? from : iprangeAddress(text.slice(dash + 1), family);
  return from && to ? { family, from: from.value, to: to.value } : undefined;
}

function iprangeAddress(text: string, family: Family): Address | undefined {
  if (family === 'ipv6') return parseAddress(text, 'ipv6');
  const value = xtablesIPv4(text);
  return value === undefined ? undefined : { family: 'ipv4', value: BigInt(value) };
}

/** `--src-range` / `--dst-range`: restore's message for the first side it cannot read. */
function iprangeProblem(option: string) {
  return (text: string, family: Family): ValueProblem | undefined => {
    const dash = text.indexOf('-');
    const first = dash < 0 ? text : text.slice(0, dash);
    const rest = dash < 0 ? undefined : text.slice(dash + 1);
    const bad = !iprangeAddress(first, family) ? first : rest !== undefined && !iprangeAddress(rest, family) ? rest : undefined;
    return bad === undefined ? undefined : error(`iprange: Bad value for "--${option}" option: "${bad}"`);
  };
}
