// connlimit match: option table from iptables 1.8.9 (libxt/libipt/libip6t_connlimit), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { plenProblem } from '../value-checks';
import { alwaysUndecided } from '../common';

export const connlimitMatch: MatchSpec = {
  name: 'connlimit',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['connlimit-upto', 'connlimit-above'], ['connlimit-saddr', 'connlimit-daddr']],
  needsOneOf: [{ options: ['connlimit-upto', 'connlimit-above'], message: 'You must specify "--connlimit-above" or "--connlimit-upto".' }],
  doc: 'Allows you to restrict the number of parallel connections to a server per client IP address (or client address block)',
  evaluate: alwaysUndecided('connlimit', 'the number of existing connections is unknown', { stable: true }),
  options: [
    {
      name: 'connlimit-upto', arity: 1, negatable: true, value: 'int',
      doc: 'Match if the number of existing connections is below or equal n',
    },
    {
      name: 'connlimit-above', arity: 1, negatable: true, value: 'int',
      doc: 'Match if the number of existing connections is above n',
    },
    {
      name: 'connlimit-mask', arity: 1, negatable: false, value: 'int', check: plenProblem('connlimit', 'connlimit-mask'),
      doc: 'Group hosts using the prefix length',
    },
    {
      name: 'connlimit-saddr', arity: 0, negatable: false, value: 'none',
      doc: 'Apply the limit onto the source group',
    },
    {
      name: 'connlimit-daddr', arity: 0, negatable: false, value: 'none',
      doc: 'Apply the limit onto the destination group',
    },
  ],
};
