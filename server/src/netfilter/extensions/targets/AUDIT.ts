// AUDIT target: option table from iptables 1.8.9 (libxt/libipt/libip6t_AUDIT), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';
import { auditTypeProblem } from '../value-checks';

export const AUDITTarget: TargetSpec = {
  name: 'AUDIT',
  doc: 'This target creates audit records for packets hitting the target',
  terminating: false,
  apply: continueTarget(),
  options: [
    {
      name: 'type', arity: 1, negatable: false, value: 'string', required: true, check: auditTypeProblem,
      doc: 'Set type of audit record',
    },
  ],
};
