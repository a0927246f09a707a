// TCP options of a traced packet: the packet line's `options mss=1460,sack-perm,ts,nop,wscale=7`,
// laid out as a sender writes them (padded with EOL to a multiple of 4 bytes), and read as the
// kernel reads them — xt_tcp's --tcp-option, xt_tcpmss, the TCPMSS target. Timestamp values are
// random per connection: their bytes are unknown, only their kind and length are not. Pure.

import type { Family } from './model';

/** The option bytes after the 20-byte TCP header, and which of them the trace knows (0xff known, 0 not). */
export interface TcpOptions {
  bytes: Uint8Array;
  known: Uint8Array;
}

/** At most 40 bytes of options (a data offset of 15 words). */
export const MAX_TCP_OPTIONS = 40;

const KIND = { eol: 0, nop: 1, mss: 2, wscale: 3, 'sack-perm': 4, ts: 8 } as const;

/**
 * What a Linux SYN carries (tcp_options_write: MSS, SACK_PERM with TS, NOP, WSCALE): by default over a
 * link of MTU 1500 with the window scale of 6 MiB receive buffers.
 */
export function linuxSynOptions(family: Family, mss = family === 'ipv4' ? 1460 : 1440, wscale = 7): string {
  return `mss=${mss},sack-perm,ts,nop,wscale=${wscale}`;
}

/**
 * `mss=1460,sack-perm,ts,nop,wscale=7` (any order, `eol` too), `linux` (what a Linux SYN carries over
 * a 1500-byte link), or `none`. Returns the options or what is wrong.
 */
export function parseTcpOptionList(text: string, family: Family): { options: TcpOptions; normal: string } | { error: string } {
  const word = text.toLowerCase();
  if (word === 'none') return { options: { bytes: new Uint8Array(0), known: new Uint8Array(0) }, normal: 'none' };
  const items = (word === 'linux' ? linuxSynOptions(family) : word).split(',');
  const bytes: number[] = [];
  const known: number[] = [];
  const push = (values: Array<number | undefined>) => {
    for (const v of values) {
      bytes.push(v ?? 0);
      known.push(v === undefined ? 0 : 0xff);
    }
  };
  for (const item of items) {
    const [name, value, extra] = item.split('=');
    const number = value === undefined ? undefined : /^\d+$/.test(value) ? Number(value) : NaN;
    if (extra !== undefined) return { error: `'${item}' is not a TCP option` };
    switch (name) {
      case 'mss':
        if (number === undefined || !(number <= 0xffff)) return { error: "'mss' needs a value 0–65535 (mss=1460)" };
        push([KIND.mss, 4, number >> 8, number & 0xff]);
        break;
      case 'wscale':
        if (number === undefined || !(number <= 255)) return { error: "'wscale' needs a shift count 0–255 (wscale=7)" };
        push([KIND.wscale, 3, number]);
        break;
      case 'sack-perm':
      case 'ts':
      case 'nop':
      case 'eol':
        if (value !== undefined) return { error: `'${name}' takes no value` };
        // (a timestamp's value and echo are random per connection: unknown)
        push(name === 'sack-perm' ? [KIND['sack-perm'], 2] : name === 'ts' ? [KIND.ts, 10, ...new Array<undefined>(8)] : [KIND[name]]);
        break;
      default:
        return { error: `'${name}' is not a TCP option the packet line knows (mss=N, sack-perm, ts, nop, wscale=N, eol; or linux, none)` };
    }
  }
  while (bytes.length % 4) push([KIND.eol]);
  if (bytes.length > MAX_TCP_OPTIONS) return { error: `these options take ${bytes.length} bytes; a TCP header has room for ${MAX_TCP_OPTIONS}` };
  return { options: { bytes: Uint8Array.from(bytes), known: Uint8Array.from(known) }, normal: word === 'linux' ? 'linux' : items.join(',') };
}

/** The options written back in the packet line's form (EOL padding left out). */
export function formatTcpOptions(options: TcpOptions): string {
  const items: string[] = [];
  const { bytes, known } = options;
  for (let i = 0; i < bytes.length; ) {
    const kind = bytes[i];
    if (kind === KIND.eol) {
      if (bytes.subarray(i).every((b) => b === 0)) break;
      items.push('eol');
      i++;
    } else if (kind === KIND.nop) {
      items.push('nop');
      i++;
    } else if (kind === KIND.mss && bytes[i + 1] === 4) {
      items.push(known[i + 2] && known[i + 3] ? `mss=${(bytes[i + 2] << 8) | bytes[i + 3]}` : 'mss=?');
      i += 4;
    } else if (kind === KIND.wscale && bytes[i + 1] === 3) {
      items.push(`wscale=${bytes[i + 2]}`);
      i += 3;
    } else if (kind === KIND['sack-perm'] && bytes[i + 1] === 2) {
      items.push('sack-perm');
      i += 2;
    } else if (kind === KIND.ts && bytes[i + 1] === 10) {
      items.push('ts');
      i += 10;
    } else {
      items.push(`kind${kind}`);
      i += Math.max(1, bytes[i + 1] ?? 1);
    }
  }
  return items.length ? items.join(',') : 'none';
}

/**
 * Where the options start, walked as the kernel walks them (xt_tcp, xt_tcpmss, xt_TCPMSS): an EOL or a
 * NOP is one byte, a zero length counts as one, a length byte past the end stops the walk. Yields
 * 'unknown' and stops where it would read a kind or a length the trace does not know.
 */
function* optionStarts(options: TcpOptions): Generator<number | 'unknown', void> {
  const { bytes, known } = options;
  for (let i = 0; i < bytes.length; ) {
    if (!known[i]) {
      yield 'unknown';
      return;
    }
    yield i;
    if (bytes[i] < 2) i++;
    else if (i + 1 >= bytes.length) return;
    else if (!known[i + 1]) {
      yield 'unknown';
      return;
    } else i += bytes[i + 1] || 1;
  }
}

/** xt_tcp's tcp_find_option: whether an option has `kind`. Undefined when the walk reads unknown bytes. */
export function hasTcpOption(options: TcpOptions, kind: number): boolean | undefined {
  for (const at of optionStarts(options)) {
    if (at === 'unknown') return undefined;
    if (options.bytes[at] === kind) return true;
  }
  return false;
}

/**
 * The MSS as xt_tcpmss finds it: the first MSS option with length 4 that fits in the options.
 * 'absent' when there is none; undefined when the walk or the value reads unknown bytes.
 */
export function tcpMss(options: TcpOptions): number | 'absent' | undefined {
  const { bytes, known } = options;
  for (const at of optionStarts(options)) {
    if (at === 'unknown') return undefined;
    if (bytes[at] !== KIND.mss || bytes.length - at < 4) continue;
    if (!known[at + 1]) return undefined;
    if (bytes[at + 1] === 4) return known[at + 2] && known[at + 3] ? (bytes[at + 2] << 8) | bytes[at + 3] : undefined;
  }
  return 'absent';
}

/** What the TCPMSS target did to the options (xt_TCPMSS tcpmss_mangle_packet). */
export type MssChange =
  | { kind: 'unchanged'; why: string }
  | { kind: 'lowered'; from: number; to: number | undefined }
  | { kind: 'added'; to: number | undefined }
  | { kind: 'unknown'; why: string };

/**
 * TCPMSS on a packet whose options are known: `newMss` (undefined: clamped to a path MTU the trace
 * does not know) replaces a larger MSS (never a smaller one); without an MSS option one is put first,
 * with at most 536 (IPv4) or 1220 (IPv6), unless data follows the header or the header is full.
 * Returns the new options and what changed.
 */
export function applyTcpmss(options: TcpOptions, newMss: number | undefined, family: Family, hasPayloadAfterHeader: boolean | undefined): { options: TcpOptions; change: MssChange } {
  const { bytes, known } = options;
  const headerLength = 20 + bytes.length;
  const unknown = { options, change: { kind: 'unknown', why: 'the options hold bytes the trace does not know' } as const };
  // (the kernel's walk, while an MSS option still fits)
  for (const i of optionStarts(options)) {
    if (i === 'unknown') return unknown;
    if (i + 4 > bytes.length) break;
    if (bytes[i] !== KIND.mss) continue;
    if (!known[i + 1]) return unknown;
    if (bytes[i + 1] !== 4) continue;
    if (!known[i + 2] || !known[i + 3]) return { options: withMss(options, i, undefined), change: { kind: 'unknown', why: 'the MSS it carries is not known' } };
    const old = (bytes[i + 2] << 8) | bytes[i + 3];
    if (newMss === undefined) return { options: withMss(options, i, undefined), change: { kind: 'lowered', from: old, to: undefined } };
    if (old <= newMss) return { options, change: { kind: 'unchanged', why: `MSS ${old} is not above ${newMss} (TCPMSS never raises it)` } };
    return { options: withMss(options, i, newMss), change: { kind: 'lowered', from: old, to: newMss } };
  }
  if (hasPayloadAfterHeader === undefined) return { options, change: { kind: 'unknown', why: 'whether data follows the header is not known' } };
  if (hasPayloadAfterHeader) return { options, change: { kind: 'unchanged', why: 'no MSS option, and data follows the header: TCPMSS adds none' } };
  if (headerLength >= 60) return { options, change: { kind: 'unchanged', why: 'no MSS option, and the header is full: TCPMSS adds none' } };
  const cap = family === 'ipv4' ? 536 : 1220;
  const value = newMss === undefined ? undefined : Math.min(newMss, cap);
  const added: TcpOptions = { bytes: new Uint8Array(bytes.length + 4), known: new Uint8Array(bytes.length + 4) };
  added.bytes.set([KIND.mss, 4, (value ?? 0) >> 8, (value ?? 0) & 0xff]);
  added.known.set([0xff, 0xff, value === undefined ? 0 : 0xff, value === undefined ? 0 : 0xff]);
  added.bytes.set(bytes, 4);
  added.known.set(known, 4);
  return { options: added, change: { kind: 'added', to: value } };
}

function withMss(options: TcpOptions, at: number, value: number | undefined): TcpOptions {
  const bytes = options.bytes.slice();
  const known = options.known.slice();
  bytes[at + 2] = (value ?? 0) >> 8;
  bytes[at + 3] = (value ?? 0) & 0xff;
  known[at + 2] = known[at + 3] = value === undefined ? 0 : 0xff;
  return { bytes, known };
}
