// sctp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_sctp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import type { ValueProblem } from '../../values';
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
      name: 'chunk-types', arity: 2, negatable: true, value: 'raw', check: chunkTypesProblem,
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

/**
 * The chunk types libxt_sctp knows (iptables 1.8.9, probed), with their type numbers and the flags
 * each may carry (`DATA:B`); only the RFC 4960 types 0–14 have their flags checked here.
 */
const SCTP_CHUNKS: Readonly<Record<string, { type: number; flags?: string }>> = {
  DATA: { type: 0, flags: 'IUBE' }, INIT: { type: 1, flags: '' }, INIT_ACK: { type: 2, flags: '' }, SACK: { type: 3, flags: '' },
  HEARTBEAT: { type: 4, flags: '' }, HEARTBEAT_ACK: { type: 5, flags: '' }, ABORT: { type: 6, flags: 'T' }, SHUTDOWN: { type: 7, flags: '' },
  SHUTDOWN_ACK: { type: 8, flags: '' }, ERROR: { type: 9, flags: '' }, COOKIE_ECHO: { type: 10, flags: '' }, COOKIE_ACK: { type: 11, flags: '' },
  ECN_ECNE: { type: 12, flags: '' }, ECN_CWR: { type: 13, flags: '' }, SHUTDOWN_COMPLETE: { type: 14, flags: 'T' },
  I_DATA: { type: 64 }, RE_CONFIG: { type: 130 }, PAD: { type: 132 }, ASCONF: { type: 193 }, ASCONF_ACK: { type: 128 }, FORWARD_TSN: { type: 192 }, I_FORWARD_TSN: { type: 194 },
};
Object.setPrototypeOf(SCTP_CHUNKS, null);

/** `--chunk-types all|any|only CHUNK[:FLAGS],…` (libxt_sctp parse_sctp_chunks): argument 0 is the match type, 1 the list. */
function chunkTypesProblem(text: string, _family: unknown, argIndex: number): ValueProblem | undefined {
  const error = (message: string): ValueProblem => ({ severity: 'error', message });
  if (argIndex === 0) return /^(all|any|only)$/i.test(text) ? undefined : error('Match type has to be one of "ALL", "ANY" or "ONLY"');
  if (/^(all|none)$/i.test(text)) return undefined;
  for (const item of text.split(',')) {
    if (item === '') continue; // (strtok skips empty items)
    const colon = item.indexOf(':');
    const name = colon < 0 ? item : item.slice(0, colon);
    const chunk = SCTP_CHUNKS[name.toUpperCase()];
    if (!chunk) return error(`Unknown sctp chunk \`${name}'`);
    const flags = colon < 0 ? '' : item.slice(colon + 1);
    if (chunk.flags !== undefined && [...flags].some((flag) => !chunk.flags!.includes(flag.toUpperCase()))) return error(`Invalid flags for chunk type ${chunk.type}`);
  }
  return undefined;
}
