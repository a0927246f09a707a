// ipvs match: option table from iptables 1.8.9 (libxt/libipt/libip6t_ipvs), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const ipvsMatch: MatchSpec = {
  name: 'ipvs',
  doc: 'Match IPVS connection properties',
  evaluate: alwaysUndecided('ipvs', 'IPVS connections are not modelled'),
  options: [
    {
      name: 'ipvs', arity: 0, negatable: true, value: 'none',
      doc: 'Packet belongs to an IPVS connection',
    },
    {
      name: 'vproto', arity: 1, negatable: true, value: 'string',
      doc: 'VIP protocol to match',
    },
    {
      name: 'vaddr', arity: 1, negatable: true, value: 'address',
      doc: 'VIP address to match',
    },
    {
      name: 'vport', arity: 1, negatable: true, value: 'port',
      doc: 'VIP port to match',
    },
    {
      name: 'vdir', arity: 1, negatable: false, value: 'string',
      doc: 'Flow direction of packet',
    },
    {
      name: 'vmethod', arity: 1, negatable: true, value: 'string',
      doc: 'IPVS forwarding method used',
    },
    {
      name: 'vportctl', arity: 1, negatable: true, value: 'port',
      doc: 'VIP port of the controlling connection to match, e.g',
    },
  ],
};
