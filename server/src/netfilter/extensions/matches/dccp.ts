// dccp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_dccp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, inRange, optionText, parseServicePortRange } from '../common';

export const dccpMatch: MatchSpec = {
  name: 'dccp',
  doc: 'Match DCCP headers (ports, packet types, options)',
  evaluate: evaluateDccp,
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
      name: 'dccp-types', arity: 1, negatable: true, value: 'enum-list', strtokList: { separators: ',' }, values: ['REQUEST', 'RESPONSE', 'DATA', 'ACK', 'DATAACK', 'CLOSEREQ', 'CLOSE', 'RESET', 'SYNC', 'SYNCACK', 'INVALID'],
      doc: 'Match when the DCCP packet type is one of \'mask\'',
    },
    {
      name: 'dccp-option', arity: 1, negatable: true, value: 'int', range: [1, 255],
      doc: 'Match if DCCP option set',
    },
  ],
};

function evaluateDccp(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const p = ctx.packet;
  if (p.proto !== 33 || p.fragment) return false;
  return evaluateOptions(
    match.options,
    (option) => {
      if (option.name === 'sport') return inRange(p.sport, parseServicePortRange(option.args[0]?.text ?? ''));
      if (option.name === 'dport') return inRange(p.dport, parseServicePortRange(option.args[0]?.text ?? ''));
      return undefined; // packet types / options are not modelled
    },
    (option) => `-m dccp ${optionText(option)}`,
  );
}
