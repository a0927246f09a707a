// sctp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_sctp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, inRange, optionText, parsePortRange } from '../common';

export const sctpMatch: MatchSpec = {
  name: 'sctp',
  doc: 'This module matches Stream Control Transmission Protocol headers',
  evaluate: evaluateSctp,
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
      name: 'chunk-types', arity: 2, negatable: true, value: 'raw',
      doc: 'Match when all / any / only the given chunk types are present: `all|any|only TYPE[:FLAGS],...`',
    },
  ],
};

function evaluateSctp(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const p = ctx.packet;
  if (p.proto !== 132 || p.fragment) return false;
  return evaluateOptions(
    match.options,
    (option) => {
      if (option.name === 'sport') return inRange(p.sport, parsePortRange(option.args[0]?.text ?? ''));
      if (option.name === 'dport') return inRange(p.dport, parsePortRange(option.args[0]?.text ?? ''));
      return undefined; // --chunk-types: chunks are not modelled
    },
    (option) => `-m sctp ${optionText(option)}`,
  );
}
