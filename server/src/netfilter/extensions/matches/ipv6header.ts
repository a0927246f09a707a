// ipv6header match: option table from iptables 1.8.9 (libxt/libipt/libip6t_ipv6header), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import { optionOf, type EvalContext, type MatchOutcome, type MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { headerBits, headersKnown, ipv6HeaderProblem, ipv6headerMatches, packetHeaderBits } from '../ipv6-extension-headers';

export const ipv6headerMatch: MatchSpec = {
  name: 'ipv6header',
  families: ['ipv6'],
  doc: 'This module matches IPv6 extension headers and/or upper layer header',
  evaluate: evaluateIpv6header,
  options: [
    {
      name: 'header', arity: 1, negatable: true, value: 'string', required: true, check: ipv6HeaderProblem,
      doc: 'Matches the packet which EXACTLY includes all specified headers',
    },
    {
      name: 'soft', arity: 0, negatable: false, value: 'none',
      doc: 'Match if the packet includes every given header, and maybe others (with `!`: none of them). Some versions of the manual say "any"; the kernel requires all (test/kernel/dumps/ipv6-extension-headers.rules)',
    },
  ],
};

const unknownHeaders = alwaysUndecided('ipv6header', 'the packet starts with an extension header whose successors are not known', { stable: true });

/** ipv6header_mt6 on the traced packet, whose headers are known unless it starts with an extension header. */
function evaluateIpv6header(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const header = optionOf(match, 'header');
  const named = header ? headerBits(header.args[0]?.text ?? '') : undefined;
  if (!header || named === undefined || !headersKnown(ctx.packet)) return unknownHeaders(match, ctx);
  return ipv6headerMatches(packetHeaderBits(ctx.packet), named, header.negated, optionOf(match, 'soft') !== undefined);
}
