// addrtype match: option table from iptables 1.8.9 (libxt/libipt/libip6t_addrtype), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const addrtypeMatch: MatchSpec = {
  name: 'addrtype',
  doc: 'This module matches packets based on their address type',
  options: [
    {
      name: 'src-type', arity: 1, negatable: true, value: 'enum-list', values: ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'],
      doc: 'Matches if the source address is of given type',
    },
    {
      name: 'dst-type', arity: 1, negatable: true, value: 'enum-list', values: ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'],
      doc: 'Matches if the destination address is of given type',
    },
    {
      name: 'limit-iface-in', arity: 0, negatable: false, value: 'none',
      doc: 'The address type checking can be limited to the interface the packet is coming in',
    },
    {
      name: 'limit-iface-out', arity: 0, negatable: false, value: 'none',
      doc: 'The address type checking can be limited to the interface the packet is going out',
    },
  ],
};
