// string match: option table from iptables 1.8.9 (libxt/libipt/libip6t_string), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';

export const stringMatch: MatchSpec = {
  name: 'string',
  // options iptables refuses together (libxtables' .excl; probed with iptables 1.8.9)
  conflicts: [['string', 'hex-string']],
  needsOneOf: [{ options: ['string', 'hex-string'], message: "STRING match: You must specify `--string' or `--hex-string'" }],
  doc: 'This module matches a given string by using some pattern matching strategy',
  evaluate: alwaysUndecided('string', 'packet payload is not modelled', { stable: true }),
  options: [
    {
      name: 'from', arity: 1, negatable: false, value: 'int', range: [0, 65535],
      doc: 'Set the offset from which it starts looking for any matching',
    },
    {
      name: 'to', arity: 1, negatable: false, value: 'int', range: [0, 65535],
      doc: 'Set the offset up to which should be scanned',
    },
    {
      name: 'algo', arity: 1, negatable: false, value: 'enum', values: ['bm', 'kmp'], required: true,
      // restore --test takes any name; the kernel's textsearch knows bm and kmp (fsm too, where built)
      check: (text) => (text === 'bm' || text === 'kmp' ? undefined : { severity: 'warning', message: `the kernel knows the algorithms bm and kmp: '${text}' fails when the rule is loaded unless its textsearch module exists` }),
      doc: 'Select the pattern matching strategy',
    },
    {
      name: 'string', arity: 1, negatable: true, value: 'string',
      doc: 'Matches the given pattern',
    },
    {
      name: 'hex-string', arity: 1, negatable: true, value: 'string', check: (text) => (text === '' ? { severity: 'error', message: 'STRING must contain at least one char' } : undefined),
      doc: 'Matches the given pattern in hex notation',
    },
    {
      name: 'icase', arity: 0, negatable: false, value: 'none',
      doc: 'Ignore case when searching',
    },
  ],
};
