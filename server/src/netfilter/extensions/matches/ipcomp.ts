// ipcomp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_ipcomp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { uintRangeProblem } from '../../values';

export const ipcompMatch: MatchSpec = {
  name: 'ipcomp',
  doc: 'Match the parameters of the IPComp header of IPsec packets',
  evaluate: alwaysUndecided('ipcomp', 'IPComp CPIs are not modelled', { stable: true }),
  options: [
    {
      name: 'ipcompspi', arity: 1, negatable: true, value: 'int-range', check: (text) => uintRangeProblem(text, 0xffffffffn, 'ipcomp', 'ipcompspi'),
      doc: 'Match the CPI (or range) of the IPComp header',
    },
    {
      name: 'compres', arity: 0, negatable: false, value: 'none',
      doc: 'Match if the reserved field is filled with zero',
    },
  ],
};
