// policy match: option table from iptables 1.8.9 (libxt/libipt/libip6t_policy), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { ipsecProtocolProblem } from '../value-checks';

export const policyMatch: MatchSpec = {
  name: 'policy',
  doc: 'This module matches the policy used by IPsec for handling a packet',
  evaluate: alwaysUndecided('policy', 'IPsec policy state is unknown', { stable: true }),
  options: [
    {
      name: 'dir', arity: 1, negatable: false, value: 'enum', values: ['in', 'out'],
      doc: 'Used to select whether to match the policy used for decapsulation or the policy that will be used for encapsulation',
    },
    {
      name: 'pol', arity: 1, negatable: false, value: 'enum', values: ['none', 'ipsec'],
      doc: 'Matches if the packet is subject to IPsec processing',
    },
    {
      name: 'strict', arity: 0, negatable: false, value: 'none',
      doc: 'Selects whether to match the exact policy or match if any rule of the policy matches the given policy',
    },
    {
      name: 'reqid', arity: 1, negatable: true, value: 'int',
      doc: 'Matches the reqid of the policy rule',
    },
    {
      name: 'spi', arity: 1, negatable: true, value: 'int',
      doc: 'Matches the SPI of the SA',
    },
    {
      name: 'tunnel-src', arity: 1, negatable: true, value: 'address',
      doc: 'Matches the source end-point address of a tunnel mode SA',
    },
    {
      name: 'tunnel-dst', arity: 1, negatable: true, value: 'address',
      doc: 'Matches the destination end-point address of a tunnel mode SA',
    },
    {
      name: 'proto', arity: 1, negatable: true, value: 'string', check: ipsecProtocolProblem,
      doc: 'Matches the encapsulation protocol',
    },
    {
      name: 'mode', arity: 1, negatable: true, value: 'enum', values: ['tunnel', 'transport'],
      doc: 'Matches the encapsulation mode',
    },
    {
      name: 'next', also: ['strict'], arity: 0, negatable: false, value: 'none',
      doc: 'Start the next element of the policy specification (with --strict)',
    },
  ],
};
