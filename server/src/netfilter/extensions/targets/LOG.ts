// LOG target: option table from iptables 1.8.9 (libxt/libipt/libip6t_LOG), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import { parseNumber } from '../common';
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';
import { nonEmptyProblem } from '../value-checks';

export const LOGTarget: TargetSpec = {
  name: 'LOG',
  doc: 'Turn on kernel logging of matching packets',
  terminating: false,
  apply: continueTarget((t) => {
    const prefix = t.options.find((o) => o.name === 'log-prefix')?.args[0]?.text;
    return prefix === undefined ? 'logged to the kernel log' : `logged to the kernel log with prefix "${prefix}"`;
  }),
  validate(target) {
    // A level is a syslog name in lower case or a C number 0–7 (`0x4` and `04` are 4), as libxtables'
    // xtopt_parse_sysloglevel reads it (strcmp: `WARNING` and `warn` are refused).
    const option = target.options.find((o) => o.name === 'log-level');
    const text = option?.args[0]?.text;
    if (!option || text === undefined) return [];
    if (LOG_LEVEL_NAMES.includes(text)) return [];
    const n = parseNumber(text);
    if (n !== undefined && n <= 7) return [];
    return [{ option, message: `log level '${text}' is not one of ${LOG_LEVEL_NAMES.join(', ')} or a number 0–7` }];
  },
  options: [
    {
      name: 'log-level', arity: 1, negatable: false, value: 'string', values: ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug', '0', '1', '2', '3', '4', '5', '6', '7', 'panic'], valueMatch: 'exact',
      doc: 'Level of logging, which can be (system-specific) numeric or a mnemonic',
    },
    {
      name: 'log-prefix', arity: 1, negatable: false, value: 'string', check: nonEmptyProblem,
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

const LOG_LEVEL_NAMES = ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug', 'panic'];
