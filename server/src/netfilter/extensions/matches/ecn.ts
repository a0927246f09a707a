// ecn match: option table from iptables 1.8.9 (libxt/libipt/libip6t_ecn), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const ecnMatch: MatchSpec = {
  name: 'ecn',
  doc: 'This allows you to match the ECN bits of the IPv4/IPv6 and TCP header',
  options: [
    {
      name: 'ecn-tcp-cwr', arity: 0, negatable: true, value: 'none',
      doc: 'This matches if the TCP ECN CWR (Congestion Window Received) bit is set',
    },
    {
      name: 'ecn-tcp-ece', arity: 0, negatable: true, value: 'none',
      doc: 'This matches if the TCP ECN ECE (ECN Echo) bit is set',
    },
    {
      name: 'ecn-ip-ect', arity: 1, negatable: true, value: 'int',
      doc: 'This matches a particular IPv4/IPv6 ECT (ECN-Capable Transport)',
    },
  ],
};
