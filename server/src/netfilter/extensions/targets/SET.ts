// SET target: option table from iptables 1.8.9 (libxt/libipt/libip6t_SET), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';

export const SETTarget: TargetSpec = {
  name: 'SET',
  doc: 'This module adds and/or deletes entries from IP sets which can be defined by ipset(8) (a `!` before a SET option is accepted by iptables and ignored)',
  terminating: false,
  apply: continueTarget(undefined, 'the ipset change affects later packets only; the traced sets are not updated'),
  options: [
    {
      name: 'add-set', arity: 2, negatable: true, value: 'raw',
      doc: 'Add the packet’s address/port (chosen by the src/dst flags) to ipset `NAME`',
    },
    {
      name: 'del-set', arity: 2, negatable: true, value: 'raw',
      doc: 'Delete the packet’s address/port (chosen by the src/dst flags) from ipset `NAME`',
    },
    {
      name: 'exist', arity: 0, negatable: true, value: 'none',
      doc: 'When adding an entry if it already exists, reset the timeout value to the specified one or to the default from the set definition',
    },
    {
      name: 'timeout', arity: 1, negatable: true, value: 'int',
      doc: 'When adding an entry, the timeout value to use instead of the default one from the set definition',
    },
    {
      name: 'map-set', arity: 2, negatable: true, value: 'raw',
      doc: 'Look the packet up in ipset `NAME` and apply the entry’s skbinfo (--map-mark/--map-prio/--map-queue)',
    },
    {
      name: 'map-mark', arity: 0, negatable: true, value: 'none',
      doc: 'With --map-set: set the packet mark from the set entry’s skbmark',
    },
    {
      name: 'map-prio', arity: 0, negatable: true, value: 'none',
      doc: 'With --map-set: set the packet priority from the set entry’s skbprio',
    },
    {
      name: 'map-queue', arity: 0, negatable: true, value: 'none',
      doc: 'With --map-set: set the packet queue from the set entry’s skbqueue',
    },
  ],
};
