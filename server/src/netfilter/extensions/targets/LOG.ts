// LOG target: option table from iptables 1.8.9 (libxt/libipt/libip6t_LOG), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';

export const LOGTarget: TargetSpec = {
  name: 'LOG',
  doc: 'Turn on kernel logging of matching packets',
  terminating: false,
  apply: continueTarget((t) => {
    const prefix = t.options.find((o) => o.name === 'log-prefix')?.args[0]?.text;
    return prefix === undefined ? 'logged to the kernel log' : `logged to the kernel log with prefix "${prefix}"`;
  }),
  options: [
    {
      name: 'log-level', arity: 1, negatable: false, value: 'enum', values: ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug', '0', '1', '2', '3', '4', '5', '6', '7', 'panic', 'err', 'warn'],
      doc: 'Level of logging, which can be (system-specific) numeric or a mnemonic',
    },
    {
      name: 'log-prefix', arity: 1, negatable: false, value: 'string',
      doc: 'Prefix log messages with the specified prefix',
    },
    {
      name: 'log-tcp-sequence', arity: 0, negatable: false, value: 'none',
      doc: 'Log TCP sequence numbers',
    },
    {
      name: 'log-tcp-options', arity: 0, negatable: false, value: 'none',
      doc: 'Log options from the TCP packet header',
    },
    {
      name: 'log-ip-options', arity: 0, negatable: false, value: 'none',
      doc: 'Log options from the IP/IPv6 packet header',
    },
    {
      name: 'log-uid', arity: 0, negatable: false, value: 'none',
      doc: 'Log the userid of the process which generated the packet',
    },
    {
      name: 'log-macdecode', arity: 0, negatable: false, value: 'none',
      doc: 'Log MAC addresses and protocol',
    },
  ],
};
