// icmp6 match: option table from iptables 1.8.9 (libxt/libipt/libip6t_icmp6), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const icmp6Match: MatchSpec = {
  name: 'icmp6',
  families: ['ipv6'],
  doc: 'ICMPv6 type/code match (loaded by -p ipv6-icmp / icmpv6)',
  options: [
    {
      name: 'icmpv6-type', arity: 1, negatable: true, value: 'string', required: true,
      doc: 'This allows specification of the ICMPv6 type, which can be a numeric ICMPv6 type, type and code, or one of the ICMPv6 type names shown by the command ip6tables -p ipv6-icmp -h',
    },
  ],
};
