// ah match: option table from iptables 1.8.9 (libxt/libipt/libip6t_ah), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { extensionHeaderMatch } from '../ipv6-extension-headers';
import { uintRangeProblem } from '../../values';

export const ahMatchIPv4: MatchSpec = {
  name: 'ah',
  families: ['ipv4'],
  doc: 'This module matches the SPIs in Authentication header of IPsec packets',
  evaluate: alwaysUndecided('ah', 'IPsec AH SPIs are not modelled', { stable: true }),
  options: [
    {
      name: 'ahspi', arity: 1, negatable: true, value: 'int-range', check: (text) => uintRangeProblem(text, 0xffffffffn, 'ah', 'ahspi'),
      doc: 'Match the SPI (or range spi:spi) of the IPsec Authentication Header',
    },
  ],
};

export const ahMatchIPv6: MatchSpec = {
  name: 'ah',
  families: ['ipv6'],
  doc: 'This module matches the parameters in Authentication header of IPsec packets',
  evaluate: extensionHeaderMatch('ah', 'the packet starts with an extension header whose successors are not known'),
  options: [
    {
      name: 'ahspi', arity: 1, negatable: true, value: 'int-range', check: (text) => uintRangeProblem(text, 0xffffffffn, 'ah', 'ahspi'),
      doc: 'Match the SPI (or range spi:spi) of the IPsec Authentication Header',
    },
    {
      name: 'ahlen', arity: 1, negatable: true, value: 'int',
      doc: 'Total length of this header in octets',
    },
    {
      name: 'ahres', arity: 0, negatable: false, value: 'none',
      doc: 'Matches if the reserved field is filled with zero',
    },
  ],
};
