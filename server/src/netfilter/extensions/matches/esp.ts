// esp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_esp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { uintRangeProblem } from '../../values';

export const espMatch: MatchSpec = {
  name: 'esp',
  doc: 'This module matches the SPIs in ESP header of IPsec packets',
  evaluate: alwaysUndecided('esp', 'IPsec ESP SPIs are not modelled', { stable: true }),
  options: [
    {
      name: 'espspi', arity: 1, negatable: true, value: 'int-range', check: (text) => uintRangeProblem(text, 0xffffffffn, 'esp', 'espspi'),
      doc: 'Match the SPI (or range spi:spi) of the IPsec ESP header',
    },
  ],
};
