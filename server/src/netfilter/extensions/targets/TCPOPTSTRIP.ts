// TCPOPTSTRIP target: option table from iptables 1.8.9 (libxt/libipt/libip6t_TCPOPTSTRIP), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';
import { tcpOptionsProblem } from '../value-checks';

export const TCPOPTSTRIPTarget: TargetSpec = {
  name: 'TCPOPTSTRIP',
  doc: 'This target will strip TCP options off a TCP packet',
  terminating: false,
  tables: ['mangle'],
  apply: continueTarget(),
  options: [
    {
      name: 'strip-options', arity: 1, negatable: false, value: 'string', check: tcpOptionsProblem,
      doc: 'Strip the given option(s)',
    },
  ],
};
