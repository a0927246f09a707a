// eui64 match: option table from iptables 1.8.9 (libxt/libipt/libip6t_eui64), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const eui64Match: MatchSpec = {
  name: 'eui64',
  // where the kernel loads it (xt_eui64 .hooks; checked by loading in a netns: test/kernel/oracle.test.ts, match placement)
  hooks: ['PREROUTING', 'INPUT', 'FORWARD'],
  families: ['ipv6'],
  doc: 'This module matches the EUI-64 part of a stateless autoconfigured IPv6 address',
  evaluate: alwaysUndecided('eui64', 'the source MAC address is unknown', { stable: true }),
  options: [],
};
