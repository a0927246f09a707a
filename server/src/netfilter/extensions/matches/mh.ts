// mh match: option table from iptables 1.8.9 (libxt/libipt/libip6t_mh), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { wholeNumber } from '../value-checks';

export const mhMatch: MatchSpec = {
  name: 'mh',
  families: ['ipv6'],
  doc: 'This extension is loaded if `--protocol ipv6-mh\' or `--protocol mh\' is specified',
  evaluate: alwaysUndecided('mh', 'IPv6 mobility headers are not modelled', { stable: true }),
  options: [
    {
      name: 'mh-type', arity: 1, negatable: true, value: 'string',
      check: (text) => { const read = readMhTypes(text); return 'error' in read ? { severity: 'error', message: read.error } : undefined; },
      doc: 'This allows specification of the Mobility Header(MH) type, which can be a numeric MH type, type or one of the MH type names shown by the command ip6tables -p mh -h',
    },
  ],
};

/** libip6t_mh's names, aliases after each (their order decides which a prefix means). */
const MH_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['binding-refresh-request', 0], ['brr', 0], ['home-test-init', 1], ['hoti', 1], ['careof-test-init', 2], ['coti', 2],
  ['home-test', 3], ['hot', 3], ['careof-test', 4], ['cot', 4], ['binding-update', 5], ['bu', 5],
  ['binding-acknowledgement', 6], ['ba', 6], ['binding-error', 7], ['be', 7],
];

/** name_to_type(): the first name the text begins (case-insensitive), or the one it spells out; else a number 0–255. */
function mhType(text: string): number | undefined {
  const lower = text.toLowerCase();
  let found: readonly [string, number] | undefined;
  for (const entry of MH_NAMES) if (entry[0].startsWith(lower) && (found === undefined || entry[0].length === lower.length)) found = entry;
  if (found) return found[1];
  const number = wholeNumber(text);
  return number !== undefined && number <= 255 ? number : undefined;
}

/** `--mh-type TYPE[:TYPE]` as parse_mh_types reads it (an empty end is 0 or 255), with its messages. */
export function readMhTypes(text: string): { from: number; to: number } | { error: string } {
  const colon = text.indexOf(':');
  const pieces = colon < 0 ? [text, text] : [text.slice(0, colon), text.slice(colon + 1)];
  const types: number[] = [];
  for (const [k, piece] of pieces.entries()) {
    if (colon >= 0 && piece === '') {
      types.push(k === 0 ? 0 : 255);
      continue;
    }
    const type = mhType(piece);
    if (type === undefined) return { error: `Invalid MH type \`${piece}'` };
    types.push(type);
  }
  if (types[0] > types[1]) return { error: 'Invalid MH type range (min > max)' };
  return { from: types[0], to: types[1] };
}
