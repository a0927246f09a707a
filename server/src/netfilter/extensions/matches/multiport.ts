// multiport match: option table from iptables 1.8.9 (libxt/libipt/libip6t_multiport), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { evaluateOptions, inRange, optionText, parsePortRange } from '../common';

export const multiportMatch: MatchSpec = {
  name: 'multiport',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['sports', 'dports', 'ports']],
  doc: 'This module matches a set of source or destination ports',
  evaluate: evaluateMultiport,
  options: [
    {
      name: 'sports', aliases: ['source-ports'], arity: 1, negatable: true, value: 'port-list',
      doc: 'Match if the source port is one of the given ports',
    },
    {
      name: 'dports', aliases: ['destination-ports'], arity: 1, negatable: true, value: 'port-list',
      doc: 'Match if the destination port is one of the given ports',
    },
    {
      name: 'ports', arity: 1, negatable: true, value: 'port-list',
      doc: 'Match if either the source or destination ports are equal to one of the given ports',
    },
  ],
};

/** `22,80,8000:8080` — any element containing the port. */
export function portInList(port: number | undefined, list: string): boolean {
  return list.split(',').some((element) => inRange(port, parsePortRange(element)));
}

const PORTED_PROTOCOLS = new Set([6, 17, 33, 132, 136]); // tcp udp dccp sctp udplite

function evaluateMultiport(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const p = ctx.packet;
  // kernel multiport_mt: non-first fragments and port-less protocols never match, even with `!`
  if (p.fragment || !PORTED_PROTOCOLS.has(p.proto)) return false;
  return evaluateOptions(
    match.options,
    (option) => {
      const list = option.args[0]?.text ?? '';
      if (option.name === 'sports') return portInList(p.sport, list);
      if (option.name === 'dports') return portInList(p.dport, list);
      if (option.name === 'ports') return portInList(p.sport, list) || portInList(p.dport, list);
      return undefined;
    },
    (option) => `-m multiport ${optionText(option)}`,
  );
}
