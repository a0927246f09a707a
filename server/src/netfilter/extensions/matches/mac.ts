// mac match: option table from iptables 1.8.9 (libxt/libipt/libip6t_mac), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { alwaysUndecided, evaluateOptions, optionText } from '../common';
import { macProblem } from '../value-checks';

export const macMatch: MatchSpec = {
  name: 'mac',
  // where the kernel loads it (xt_mac .hooks; checked by loading in a netns: test/kernel/oracle.test.ts, match placement)
  hooks: ['PREROUTING', 'INPUT', 'FORWARD'],
  doc: 'Match the source MAC address',
  evaluate: evaluateMac,
  options: [
    {
      name: 'mac-source', arity: 1, negatable: true, value: 'string', required: true, check: macProblem,
      doc: 'Match source MAC address',
    },
  ],
};

/**
 * A MAC address as xtopt_parse_ethermac reads it (six groups of one or two hex digits), as 48 bits;
 * undefined when it is not one.
 */
export function macValue(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/.test(text)) return undefined;
  return text.split(':').reduce((value, group) => (value << 8n) | BigInt(parseInt(group, 16)), 0n);
}

/** 48 bits as `02:00:5e:10:00:01`. */
export function formatMac(value: bigint): string {
  return Array.from({ length: 6 }, (_, i) => Number((value >> BigInt(8 * (5 - i))) & 0xffn).toString(16).padStart(2, '0')).join(':');
}

const unknownMac = alwaysUndecided('mac', 'the source MAC address is unknown', { stable: true });

/**
 * xt_mac: a packet that did not arrive in an Ethernet frame (through lo) matches no mac test, `!`
 * or not; otherwise the frame's source address is compared, when the trace was given it.
 */
function evaluateMac(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const p = ctx.packet;
  if (p.inIface === 'lo') return false;
  const source = p.srcMac === undefined ? undefined : macValue(p.srcMac);
  if (source === undefined) return unknownMac(match, ctx);
  return evaluateOptions(
    match.options,
    (option) => (option.name === 'mac-source' ? macValue(option.args[0]?.text ?? '') === source : undefined),
    (option) => `-m mac ${optionText(option)}`,
  );
}
