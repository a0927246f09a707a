// NFLOG target: option table from iptables 1.8.9 (libxt/libipt/libip6t_NFLOG), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';
import { nonEmptyProblem } from '../value-checks';

export const NFLOGTarget: TargetSpec = {
  name: 'NFLOG',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['nflog-range', 'nflog-size']],
  doc: 'This target provides logging of matching packets',
  terminating: false,
  apply: continueTarget((t) => `logged via nfnetlink_log group ${t.options.find((o) => o.name === 'nflog-group')?.args[0]?.text ?? '0'}`),
  options: [
    {
      name: 'nflog-group', arity: 1, negatable: false, value: 'int', range: [0, 65535],
      doc: 'The netlink group (0 - 2^16-1) to which packets are (only applicable for nfnetlink_log)',
    },
    {
      name: 'nflog-prefix', arity: 1, negatable: false, value: 'string', check: nonEmptyProblem,
      doc: 'A prefix string to include in the log message, up to 64 characters long, useful for distinguishing messages in the logs',
    },
    {
      name: 'nflog-range', arity: 1, negatable: false, value: 'int',
      doc: 'This option has never worked, use --nflog-size instead',
    },
    {
      name: 'nflog-size', arity: 1, negatable: false, value: 'int',
      doc: 'The number of bytes to be copied to userspace (only applicable for nfnetlink_log)',
    },
    {
      name: 'nflog-threshold', arity: 1, negatable: false, value: 'int', range: [0, 65535],
      doc: 'Number of packets to queue inside the kernel before sending them to userspace (only applicable for nfnetlink_log)',
    },
  ],
};
