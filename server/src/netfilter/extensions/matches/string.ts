// string match: option table from iptables 1.8.9 (libxt/libipt/libip6t_string), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { error } from '../value-checks';
import type { ValueProblem } from '../../values';

/** xt_string_info's pattern: XT_STRING_MAX_PATTERN_SIZE bytes */
const MAX_PATTERN = 128;

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
      name: 'string', arity: 1, negatable: true, value: 'string', check: stringProblem,
      doc: 'Matches the given pattern',
    },
    {
      name: 'hex-string', arity: 1, negatable: true, value: 'string', check: hexStringProblem,
      doc: 'Matches the given pattern in hex notation',
    },
    {
      name: 'icase', arity: 0, negatable: false, value: 'none',
      doc: 'Ignore case when searching',
    },
  ],
};

/** The bytes of `text` as the C string restore is given (UTF-8). */
function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** libxt_string's parse_string: at most 128 bytes. */
function stringProblem(text: string): ValueProblem | undefined {
  return bytesOf(text).length > MAX_PATTERN ? error(`STRING too long "${text}"`) : undefined;
}

const isHexDigit = (c: number | undefined): boolean => c !== undefined && ((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102));

/**
 * libxt_string's parse_hex_string, step by step: text with `|41 42|` blocks of hex byte pairs
 * (spaces allowed) and `\x` literals outside them, at most 128 bytes once read.
 */
export function hexStringProblem(text: string): ValueProblem | undefined {
  const s = bytesOf(text);
  const length = s.length;
  if (length === 0) return error('STRING must contain at least one char');
  let i = 0;
  let read = 0;
  let hex = false;
  let literal = false;
  while (i < length) {
    if (read >= MAX_PATTERN) return error(`STRING too long "${text}"`);
    if (s[i] === 92 /* \ */ && !hex) literal = true;
    else if (s[i] === 92) return error('Cannot include literals in hex data');
    else if (s[i] === 124 /* | */) {
      if (hex) hex = false;
      else {
        hex = true;
        while (s[i + 1] === 32) i++; // (spaces right after the opening |)
      }
      if (i + 1 >= length) break;
      i++;
    }
    if (literal) {
      if (i + 1 >= length) return error('Bad literal placement at end of string');
      i += 2;
      literal = false;
    } else if (hex) {
      if (i + 1 >= length) return error('Odd number of hex digits');
      if (i + 2 >= length) return error('Invalid hex block');
      if (!isHexDigit(s[i])) return error(`Invalid hex char '${String.fromCharCode(s[i])}'`);
      if (!isHexDigit(s[i + 1])) return error(`Invalid hex char '${String.fromCharCode(s[i + 1])}'`);
      i += s[i + 2] === 32 ? 3 : 2;
    } else i++;
    read++;
  }
  return undefined;
}
