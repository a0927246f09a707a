// TCPMSS target: option table from iptables 1.8.9 (libxt/libipt/libip6t_TCPMSS), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';
import { checkIntRange } from '../../values';

export const TCPMSSTarget: TargetSpec = {
  name: 'TCPMSS',
  doc: 'This target alters the MSS value of TCP SYN packets, to control the maximum size for that connection (usually limiting it to your outgoing interface\'s MTU minus 40 for IPv4 or 60 for IPv6, respectively) (needs -p tcp; --clamp-mss-to-pmtu only in FORWARD/OUTPUT/POSTROUTING)',
  terminating: false,
  apply: continueTarget(),
  options: [
    {
      name: 'set-mss', arity: 1, negatable: false, value: 'int',
      // (the largest MSS that fits a 64 KiB packet after the IP and TCP headers)
      check: (text, family) => checkIntRange(text, [0, family === 'ipv6' ? 65495 : 65515], 'TCPMSS', 'set-mss'),
      doc: 'Explicitly sets MSS option to specified value',
    },
    {
      name: 'clamp-mss-to-pmtu', arity: 0, negatable: false, value: 'none',
      doc: 'Automatically clamp MSS value to (path_MTU - 40 for IPv4',
    },
  ],
};
