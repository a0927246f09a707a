// dccp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_dccp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const dccpMatch: MatchSpec = {
  name: 'dccp',
  doc: 'Match DCCP headers (ports, packet types, options)',
  options: [
    {
      name: 'sport', aliases: ['source-port'], arity: 1, negatable: true, value: 'port-range',
      doc: 'Source port or port range (port[:port])',
    },
    {
      name: 'dport', aliases: ['destination-port'], arity: 1, negatable: true, value: 'port-range',
      doc: 'Destination port or port range (port[:port])',
    },
    {
      name: 'dccp-types', arity: 1, negatable: true, value: 'enum-list', values: ['REQUEST', 'RESPONSE', 'DATA', 'ACK', 'DATAACK', 'CLOSEREQ', 'CLOSE', 'RESET', 'SYNC', 'SYNCACK', 'INVALID'],
      doc: 'Match when the DCCP packet type is one of \'mask\'',
    },
    {
      name: 'dccp-option', arity: 1, negatable: true, value: 'int',
      doc: 'Match if DCCP option set',
    },
  ],
};
