// conntrack match: option table from iptables 1.8.9 (libxt/libipt/libip6t_conntrack), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { Packet } from '../../packet';
import { cidrContains, parseHostMask } from '../../addr';
import { protocolNumber } from '../../packet';
import type { EvalContext, MatchOutcome, MatchSpec, OptionSpec } from '../types';
import { evaluateOptions, inRange, optionText, parseIntRange, parseServicePortRange, undecided } from '../common';
import { uintRangeProblem, valueWord } from '../../values';
import { protocolProblem } from '../value-checks';

export const conntrackMatch: MatchSpec = {
  name: 'conntrack',
  doc: 'This module, when combined with connection tracking, allows access to the connection tracking state for this packet/connection',
  evaluate: evaluateConntrack,
  options: [
    {
      name: 'ctstate', arity: 1, negatable: true, value: 'enum-list', values: ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED', 'SNAT', 'DNAT'], valueMatch: 'prefix',
      doc: 'Statelist is a comma separated list of the connection states to match',
    },
    {
      name: 'ctproto', arity: 1, negatable: true, value: 'string', check: protocolProblem,
      doc: 'Layer-4 protocol to match (by number or name)',
    },
    {
      name: 'ctorigsrc', arity: 1, negatable: true, value: 'address',
      doc: 'Match the original-direction source address of the connection (address[/mask])',
    },
    {
      name: 'ctorigdst', arity: 1, negatable: true, value: 'address',
      doc: 'Match the original-direction destination address of the connection (before DNAT)',
    },
    {
      name: 'ctreplsrc', arity: 1, negatable: true, value: 'address',
      doc: 'Match the reply-direction source address of the connection (after DNAT: the real server)',
    },
    {
      name: 'ctrepldst', arity: 1, negatable: true, value: 'address',
      doc: 'Match the reply-direction destination address of the connection (after SNAT: the masquerade address)',
    },
    {
      name: 'ctstatus', arity: 1, negatable: true, value: 'enum-list', values: ['NONE', 'EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED'], valueMatch: 'prefix',
      doc: 'Statuslist is a comma separated list of the connection statuses to match',
    },
    {
      name: 'ctexpire', arity: 1, negatable: true, value: 'int-range', check: (text) => uintRangeProblem(text, 0xffffffffn, 'conntrack', 'ctexpire'),
      doc: 'Match remaining lifetime in seconds against given value or range of values (inclusive)',
    },
    {
      name: 'ctorigsrcport', arity: 1, negatable: true, value: 'port-range',
      doc: 'Match the original-direction source port (port[:port])',
    },
    {
      name: 'ctorigdstport', arity: 1, negatable: true, value: 'port-range',
      doc: 'Match the original-direction destination port (before DNAT) (port[:port])',
    },
    {
      name: 'ctreplsrcport', arity: 1, negatable: true, value: 'port-range',
      doc: 'Match the reply-direction source port (port[:port])',
    },
    {
      name: 'ctrepldstport', arity: 1, negatable: true, value: 'port-range',
      doc: 'Match the reply-direction destination port (port[:port])',
    },
    {
      name: 'ctdir', arity: 1, negatable: false, value: 'enum', values: ['ORIGINAL', 'REPLY'],
      doc: 'Match packets that are flowing in the specified direction',
    },
  ],
};

const optionSpec = (name: string): OptionSpec => conntrackMatch.options.find((o) => o.name === name)!;
const CTSTATE = optionSpec('ctstate');
/** --ctstate's spec (valueWord reads its words) */
export const CONNTRACK_STATE_OPTION = CTSTATE;
const CTSTATUS = optionSpec('ctstatus');
const CTDIR = optionSpec('ctdir');

/** Packets without a conntrack entry: INVALID and UNTRACKED. */
export function hasConntrack(packet: Packet): boolean {
  return packet.ctstate !== 'INVALID' && packet.ctstate !== 'UNTRACKED';
}

/**
 * States of the packet as xt_conntrack sees them: the real state plus the virtual SNAT / DNAT
 * states, set when the connection has been source / destination NATed.
 */
export function stateBits(packet: Packet, withVirtual: boolean): Set<string> {
  const bits = new Set<string>([packet.ctstate]);
  if (withVirtual && hasConntrack(packet)) {
    if (packet.ctstatus.includes('SNAT')) bits.add('SNAT');
    if (packet.ctstatus.includes('DNAT')) bits.add('DNAT');
  }
  return bits;
}

/**
 * The values a list option names, as the extension reads its words (values.ts valueWord: `EST` is
 * ESTABLISHED, `n` is NEW); a word it cannot read is left out (the parser reports it).
 */
export function listedValues(spec: OptionSpec, list: string): string[] {
  return list.split(',').flatMap((word) => valueWord(spec, word) ?? []);
}

/** Whether the packet's state is one of `list` (the --ctstate or --state of `spec`). */
export function stateListMatches(packet: Packet, list: string, withVirtual: boolean, spec: OptionSpec = CTSTATE): boolean {
  const bits = stateBits(packet, withVirtual);
  return listedValues(spec, list).some((state) => bits.has(state));
}

/** --ctdir's value as read (ORIGINAL / REPLY, any case). */
function directionOf(text: string): string {
  return valueWord(CTDIR, text) ?? text.toUpperCase();
}

function evaluateConntrack(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const p = ctx.packet;
  // kernel conntrack_mt without a conntrack entry (INVALID, UNTRACKED): after the --ctstate test the
  // match is over — true when it has a --ctstate option (which passed), false when it has none; no
  // other option is read, whatever its `!` (`--ctstate UNTRACKED --ctstatus CONFIRMED` matches an
  // untracked packet; found by hand against the kernel, conntrack-without-entry.rules)
  if (!hasConntrack(p)) {
    const state = match.options.find((o) => o.name === 'ctstate');
    return state !== undefined && stateListMatches(p, state.args[0]?.text ?? '', true) !== state.negated;
  }
  if (p.ctTemplate) return evaluateOnTemplate(match, p);
  // reply tuple as conntrack sets it: DNAT changes the reply source, SNAT the reply destination
  const replySrc = p.ctstatus.includes('DNAT') ? p.dst : p.origDst;
  const replyDst = p.ctstatus.includes('SNAT') ? p.src : p.origSrc;
  const replySport = p.ctstatus.includes('DNAT') ? p.dport : p.origDport ?? p.dport;
  const replyDport = p.ctstatus.includes('SNAT') ? p.sport : p.origSport ?? p.sport;
  const inCidr = (address: string, text: string) => {
    const cidr = parseHostMask(text, p.family);
    return cidr ? cidrContains(cidr, address) : false;
  };
  const port = (value: number | undefined, text: string) => inRange(value, parseServicePortRange(text));
  return evaluateOptions(
    match.options,
    (option) => {
      const a = option.args[0]?.text ?? '';
      switch (option.name) {
        case 'ctstate': return stateListMatches(p, a, true);
        case 'ctstatus': {
          return listedValues(CTSTATUS, a).some((status) => (p.ctstatus as string[]).includes(status));
        }
        case 'ctproto': return protocolNumber(a) === p.proto;
        case 'ctorigsrc': return inCidr(p.origSrc, a);
        case 'ctorigdst': return inCidr(p.origDst, a);
        case 'ctreplsrc': return inCidr(replySrc, a);
        case 'ctrepldst': return inCidr(replyDst, a);
        case 'ctorigsrcport': return port(p.origSport ?? p.sport, a);
        case 'ctorigdstport': return port(p.origDport ?? p.dport, a);
        case 'ctreplsrcport': return port(replySport, a);
        case 'ctrepldstport': return port(replyDport, a);
        case 'ctdir':
          // the first packet of a connection always travels in the ORIGINAL direction
          if (p.ctstate === 'NEW') return directionOf(a) === 'ORIGINAL';
          return undecided(`assumed the packet travels in the ${directionOf(a)} direction`, {
            negated: `assumed the packet travels in the ${directionOf(a) === 'ORIGINAL' ? 'REPLY' : 'ORIGINAL'} direction`,
          });
        case 'ctexpire':
          return undecided(`assumed the connection's remaining timeout is within ${parseIntRange(a) ? a : '?'} seconds`, {
            negated: `assumed the connection's remaining timeout is not within ${parseIntRange(a) ? a : '?'} seconds`,
          });
        default: return undefined;
      }
    },
    (option) => `-m conntrack ${optionText(option)}`,
  );
}

/** A CT template (raw, before conntrack): NEW, ORIGINAL, status CONFIRMED, tuple all zero (protocol 0). */
function evaluateOnTemplate(match: MatchUse, p: Packet): MatchOutcome {
  const zero = p.family === 'ipv6' ? '::' : '0.0.0.0';
  return evaluateOptions(
    match.options,
    (option) => {
      const a = option.args[0]?.text ?? '';
      switch (option.name) {
        case 'ctstate': return stateListMatches(p, a, false);
        case 'ctstatus': return listedValues(CTSTATUS, a).includes('CONFIRMED');
        case 'ctproto': return protocolNumber(a) === 0;
        case 'ctorigsrc': case 'ctorigdst': case 'ctreplsrc': case 'ctrepldst': {
          const cidr = parseHostMask(a, p.family);
          return cidr ? cidrContains(cidr, zero) : false;
        }
        case 'ctorigsrcport': case 'ctorigdstport': case 'ctreplsrcport': case 'ctrepldstport':
          return inRange(0, parseServicePortRange(a));
        case 'ctdir': return directionOf(a) === 'ORIGINAL';
        case 'ctexpire': return undecided(`assumed the template's timeout is within ${a} seconds`, { negated: `assumed the template's timeout is not within ${a} seconds` });
        default: return undefined;
      }
    },
    (option) => `-m conntrack ${optionText(option)}`,
  );
}
