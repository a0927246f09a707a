// tcpmss match: option table from iptables 1.8.9 (libxt/libipt/libip6t_tcpmss), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { uintRangeProblem } from '../../values';

export const tcpmssMatch: MatchSpec = {
  name: 'tcpmss',
  doc: 'This matches the TCP MSS (maximum segment size) field of the TCP header',
  evaluate: alwaysUndecided('tcpmss', 'the TCP MSS option is not modelled'),
  options: [
    {
      name: 'mss', arity: 1, negatable: true, value: 'int-range', check: (text) => uintRangeProblem(text, 0xffffn, 'tcpmss', 'mss', () => 'tcpmss: invalid range given'), required: true,
      doc: 'Match a given TCP MSS value or range',
    },
  ],
};
