// conntrack match: option table from iptables 1.8.9 (libxt/libipt/libip6t_conntrack), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';

export const conntrackMatch: MatchSpec = {
  name: 'conntrack',
  doc: 'This module, when combined with connection tracking, allows access to the connection tracking state for this packet/connection',
  options: [
    {
      name: 'ctstate', arity: 1, negatable: true, value: 'enum-list', values: ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED', 'SNAT', 'DNAT'],
      doc: 'Statelist is a comma separated list of the connection states to match',
    },
    {
      name: 'ctproto', arity: 1, negatable: true, value: 'string',
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
      name: 'ctstatus', arity: 1, negatable: true, value: 'enum-list', values: ['NONE', 'EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED'],
      doc: 'Statuslist is a comma separated list of the connection statuses to match',
    },
    {
      name: 'ctexpire', arity: 1, negatable: true, value: 'int-range',
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
