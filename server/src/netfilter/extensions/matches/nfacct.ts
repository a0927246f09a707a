// nfacct match: option table from iptables 1.8.9 (libxt/libipt/libip6t_nfacct), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { nonEmptyProblem } from '../value-checks';

export const nfacctMatch: MatchSpec = {
  name: 'nfacct',
  doc: 'The nfacct match provides the extended accounting infrastructure for iptables',
  evaluate: alwaysUndecided('nfacct', 'nfacct only counts; its quota state is unknown'),
  options: [
    {
      name: 'nfacct-name', arity: 1, negatable: false, value: 'string', required: true, check: nonEmptyProblem,
      doc: 'This allows you to specify the existing object name that will be use for accounting the traffic that this rule-set is matching',
    },
  ],
};
