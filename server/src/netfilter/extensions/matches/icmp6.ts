// icmp6 match: option table from iptables 1.8.9 (libxt/libipt/libip6t_icmp6), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, optionText } from '../common';
import { icmpTypeSpec, problemOf, resolveIcmpType } from './icmp';
import type { ValueProblem } from '../../values';

export const icmp6Match: MatchSpec = {
  name: 'icmp6',
  // (libxtables loads icmp6 for these names too: `-m icmpv6` is common in hand-written rules.v6)
  aliases: ['icmpv6', 'ipv6-icmp'],
  families: ['ipv6'],
  doc: 'ICMPv6 type/code match (loaded by -p ipv6-icmp / icmpv6)',
  evaluate: evaluateIcmp6,
  options: [
    {
      name: 'icmpv6-type', arity: 1, negatable: true, value: 'string', required: true,
      check: checkIcmpv6Type,
      doc: 'This allows specification of the ICMPv6 type, which can be a numeric ICMPv6 type, type and code, or one of the ICMPv6 type names shown by the command ip6tables -p ipv6-icmp -h',
    },
  ],
};

/** name → [type, lowest code, highest code] (libip6t_icmp6 names). */
export const ICMPV6_TYPES: Record<string, [number, number, number]> = {
  'destination-unreachable': [1, 0, 255], 'no-route': [1, 0, 0], 'communication-prohibited': [1, 1, 1],
  'beyond-scope': [1, 2, 2], 'address-unreachable': [1, 3, 3], 'port-unreachable': [1, 4, 4],
  'failed-policy': [1, 5, 5], 'reject-route': [1, 6, 6],
  'packet-too-big': [2, 0, 255],
  'time-exceeded': [3, 0, 255], 'ttl-exceeded': [3, 0, 255],
  'ttl-zero-during-transit': [3, 0, 0], 'ttl-zero-during-reassembly': [3, 1, 1],
  'parameter-problem': [4, 0, 255], 'bad-header': [4, 0, 0], 'unknown-header-type': [4, 1, 1], 'unknown-option': [4, 2, 2],
  'echo-request': [128, 0, 255], ping: [128, 0, 255],
  'echo-reply': [129, 0, 255], pong: [129, 0, 255],
  'mld-listener-query': [130, 0, 255], 'mld-listener-report': [131, 0, 255],
  'mld-listener-done': [132, 0, 255], 'mld-listener-reduction': [132, 0, 255],
  'router-solicitation': [133, 0, 255], 'router-advertisement': [134, 0, 255],
  'neighbour-solicitation': [135, 0, 255], 'neighbor-solicitation': [135, 0, 255],
  'neighbour-advertisement': [136, 0, 255], 'neighbor-advertisement': [136, 0, 255],
  redirect: [137, 0, 255],
};
Object.setPrototypeOf(ICMPV6_TYPES, null); // keys come from dumps: `constructor` must not find Object's

/** Names libip6t_icmp6 learned in iptables 1.8.10 (restore 1.8.9 answers "Unknown ICMPv6 type"). */
const NAMES_SINCE_1_8_10: ReadonlySet<string> = new Set(['mld-listener-query', 'mld-listener-report', 'mld-listener-done', 'mld-listener-reduction']);

/**
 * What ip6tables-restore says about an `--icmpv6-type` value. A name only 1.8.10 and later know is
 * a warning: the rule loads there and fails before.
 */
function checkIcmpv6Type(text: string): ValueProblem | undefined {
  const asOf189 = resolveIcmpType(text, ICMPV6_TYPES, 'ICMPv6', NAMES_SINCE_1_8_10);
  if (!('error' in asOf189)) return undefined;
  const later = resolveIcmpType(text, ICMPV6_TYPES, 'ICMPv6');
  if ('error' in later) return problemOf(asOf189);
  return { severity: 'warning', message: `ip6tables-restore knows this ICMPv6 type name from v1.8.10 on; older versions reject the rule (${asOf189.error}): type ${later.type} loads everywhere` };
}

function evaluateIcmp6(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const p = ctx.packet;
  if (p.proto !== 58 || p.fragment) return false;
  return evaluateOptions(
    match.options,
    (option) => {
      if (option.name !== 'icmpv6-type') return undefined;
      const spec = icmpTypeSpec(resolveIcmpType(option.args[0]?.text ?? '', ICMPV6_TYPES, 'ICMPv6'));
      // ip6t has no `any`: 255 is a real (reserved) type there
      if (!spec) return false;
      return p.icmpType === spec[0] && (p.icmpCode ?? 0) >= spec[1] && (p.icmpCode ?? 0) <= spec[2];
    },
    (option) => `-m icmp6 ${optionText(option)}`,
  );
}
