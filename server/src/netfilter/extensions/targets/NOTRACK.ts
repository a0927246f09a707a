// NOTRACK target: option table from iptables 1.8.9 (libxt/libipt/libip6t_NOTRACK), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';

export const NOTRACKTarget: TargetSpec = {
  name: 'NOTRACK',
  doc: 'This extension disables connection tracking for all packets matching that rule',
  terminating: false,
  options: [],
};
