// Small, fast address helpers for the simulator's hot path (IPv4 as 32-bit numbers, IPv6 as
// bigints). Text-level address handling for users (validation, formatting) is in ../values.ts.

import { xtablesIPv4 } from '../values';
import { parseNumber } from '../extensions/common';

export interface CompiledCidr {
  v6: boolean;
  /** IPv4: unsigned 32-bit value; IPv6: bigint */
  value: number | bigint;
  mask: number | bigint;
  /** true when the prefix covers the whole address (/32, /128): usable as a dispatch key */
  exact: boolean;
}

export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value >>> 0;
}

export function parseIPv6(text: string): bigint | undefined {
  let body = text;
  let tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  const last = body.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    if (v4 === undefined) return undefined;
    tail = [v4 >>> 16, v4 & 0xffff];
    body = body.slice(0, lastColon + 1) + (body[lastColon - 1] === ':' ? '' : '') ;
    body = body.endsWith(':') && !body.endsWith('::') ? body.slice(0, -1) : body;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const left = parse(halves[0]);
  const right = halves.length === 2 ? parse(halves[1]) : [];
  const groups = halves.length === 2 ? [...left, ...new Array(8 - left.length - right.length - tail.length).fill(0), ...right, ...tail] : [...left, ...tail];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g) || g < 0)) return undefined;
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

const FULL_V6 = (1n << 128n) - 1n;

/** `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `1.2.3.4`, `2001:db8::/32`; undefined for host names. */
export function compileCidr(text: string): CompiledCidr | undefined {
  const slash = text.indexOf('/');
  const host = slash >= 0 ? text.slice(0, slash) : text;
  const maskText = slash >= 0 ? text.slice(slash + 1) : undefined;
  if (host.includes(':')) {
    const value = parseIPv6(host);
    if (value === undefined) return undefined;
    let mask = FULL_V6;
    if (maskText !== undefined) {
      const prefix = parseNumber(maskText);
      if (prefix !== undefined) {
        const bits = prefix;
        if (bits > 128) return undefined;
        mask = bits === 0 ? 0n : (FULL_V6 << BigInt(128 - bits)) & FULL_V6;
      } else {
        const m = parseIPv6(maskText);
        if (m === undefined) return undefined;
        mask = m;
      }
    }
    return { v6: true, value: value & mask, mask, exact: mask === FULL_V6 };
  }
  // Rule addresses as libxtables reads them: `10/8`, `172.16.0/24`, octal/hex octets.
  const value = xtablesIPv4(host);
  if (value === undefined) return undefined;
  let mask = 0xffffffff;
  if (maskText !== undefined) {
    const bits = parseNumber(maskText);
    if (bits !== undefined) {
      if (bits > 32) return undefined;
      mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    } else {
      const m = xtablesIPv4(maskText, true);
      if (m === undefined) return undefined;
      mask = m;
    }
  }
  return { v6: false, value: (value & mask) >>> 0, mask, exact: mask === 0xffffffff };
}

/** Parsed packet address, cached per string (the same few addresses are tested thousands of times). */
const addressCache = new Map<string, number | bigint | null>();
export function addressValue(text: string): number | bigint | undefined {
  let cached = addressCache.get(text);
  if (cached === undefined) {
    cached = (text.includes(':') ? parseIPv6(text) : parseIPv4(text)) ?? null;
    if (addressCache.size > 10_000) addressCache.clear();
    addressCache.set(text, cached);
  }
  return cached === null ? undefined : cached;
}

export function cidrContains(cidr: CompiledCidr, address: string): boolean {
  const value = addressValue(address);
  if (value === undefined) return false;
  if (cidr.v6) return typeof value === 'bigint' && (value & (cidr.mask as bigint)) === cidr.value;
  return typeof value === 'number' && ((value & (cidr.mask as number)) >>> 0) === cidr.value;
}

/** Canonical text of an address (for dispatch keys): `10.0.0.1`, lower-case compressed-insensitive IPv6. */
export function canonicalAddress(text: string): string | undefined {
  const value = addressValue(text);
  if (value === undefined) return undefined;
  return typeof value === 'bigint' ? 'v6:' + value.toString(16) : 'v4:' + value;
}

export function addressIsLoopback(address: string): boolean {
  const value = addressValue(address);
  if (value === undefined) return false;
  if (typeof value === 'bigint') return value === 1n;
  return value >>> 24 === 127;
}

export function addressInList(address: string, list: readonly string[]): boolean {
  const key = canonicalAddress(address);
  if (key === undefined) return false;
  for (const entry of list) {
    if (entry.includes('/')) {
      const cidr = compileCidr(entry);
      if (cidr && cidrContains(cidr, address)) return true;
    } else if (canonicalAddress(entry) === key) return true;
  }
  return false;
}

export function formatMark(mark: number): string {
  return '0x' + (mark >>> 0).toString(16);
}
