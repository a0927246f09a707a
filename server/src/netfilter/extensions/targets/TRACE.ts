// TRACE target: option table from iptables 1.8.9 (libxt/libipt/libip6t_TRACE), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';

export const TRACETarget: TargetSpec = {
  name: 'TRACE',
  doc: 'This target marks packets so that the kernel will log every rule which match the packets as those traverse the tables, chains, rules (iptables-nft accepts it in every table; iptables-legacy only in raw)',
  terminating: false,
  apply: continueTarget(() => 'packet marked for tracing (nftrace)'),
  options: [],
};
