// tcp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_tcp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const tcpMatch: MatchSpec = {
  name: 'tcp',
  doc: 'TCP header match: ports, flags, options (loaded by -p tcp)',
  options: [
    {
      name: 'sport', aliases: ['source-port'], arity: 1, negatable: true, value: 'port-range',
      doc: 'Source port or port range specification',
    },
    {
      name: 'dport', aliases: ['destination-port'], arity: 1, negatable: true, value: 'port-range',
      doc: 'Destination port or port range specification',
    },
    {
      name: 'syn', arity: 0, negatable: true, value: 'none',
      doc: 'Only match TCP packets with the SYN bit set and the ACK,RST and FIN bits cleared',
    },
    {
      name: 'tcp-flags', arity: 2, negatable: true, value: 'flags', values: ['SYN', 'ACK', 'FIN', 'RST', 'URG', 'PSH', 'ALL', 'NONE'],
      doc: 'Match when the TCP flags are as specified',
    },
    {
      name: 'tcp-option', arity: 1, negatable: true, value: 'int',
      doc: 'Match if TCP option set',
    },
  ],
};
