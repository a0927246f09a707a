// icmp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_icmp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const icmpMatch: MatchSpec = {
  name: 'icmp',
  families: ['ipv4'],
  doc: 'ICMP type/code match (loaded by -p icmp)',
  options: [
    {
      name: 'icmp-type', arity: 1, negatable: true, value: 'string', required: true,
      doc: 'This allows specification of the ICMP type, which can be a numeric ICMP type, type/code pair, or one of the ICMP type names shown by the command iptables -p icmp -h',
    },
  ],
};
