// IPv4 / IPv6 address arithmetic for the engine: parsing the spellings iptables accepts
// (dotted masks, CIDR, IPv6 compression), containment, ranges and canonical formatting.
// Values are BigInt so both families share one code path. Pure: no node builtins.

import type { Family } from './model';

export interface Address {
  family: Family;
  /** the address as an unsigned integer (32 or 128 bits) */
  value: bigint;
}

export interface Cidr {
  family: Family;
  /** network address (already masked) */
  network: bigint;
  mask: bigint;
  /** prefix length when the mask is contiguous (iptables also accepts `/255.0.255.0`) */
  prefix?: number;
}

export function bitsOf(family: Family): number {
  return family === 'ipv4' ? 32 : 128;
}

function allOnes(family: Family): bigint {
  return (1n << BigInt(bitsOf(family))) - 1n;
}

export function prefixToMask(family: Family, prefix: number): bigint {
  const bits = bitsOf(family);
  if (prefix <= 0) return 0n;
  return (allOnes(family) >> BigInt(bits - prefix)) << BigInt(bits - prefix);
}

function maskToPrefix(family: Family, mask: bigint): number | undefined {
  for (let prefix = 0; prefix <= bitsOf(family); prefix++) if (prefixToMask(family, prefix) === mask) return prefix;
  return undefined;
}

/** Octets are read like strtoul(…, 0), as iptables does: `010` is 8, `0x0a` is 10. */
function parseOctet(part: string): number | undefined {
  if (/^0x[0-9a-f]{1,2}$/i.test(part)) return parseInt(part.slice(2), 16);
  if (/^0[0-7]{0,3}$/.test(part)) return parseInt(part, 8);
  if (/^[1-9]\d{0,2}$/.test(part)) return Number(part);
  return undefined;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    const n = parseOctet(part);
    if (n === undefined || n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIPv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIPv4(piece); // ::ffff:10.0.0.1
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  let all: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    all = head;
  }
  if (all.length !== 8) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Parse one address (no mask). `family` restricts the accepted spelling. */
export function parseAddress(text: string, family?: Family): Address | undefined {
  if (family !== 'ipv6') {
    const v4 = parseIPv4(text);
    if (v4 !== undefined) return { family: 'ipv4', value: v4 };
  }
  if (family !== 'ipv4') {
    const v6 = parseIPv6(text);
    if (v6 !== undefined) return { family: 'ipv6', value: v6 };
  }
  return undefined;
}

/**
 * Parse `addr`, `addr/len` or `addr/dotted-mask` (also `/ffff:ff00::` for IPv6), as iptables' -s/-d
 * accept them. The network is masked (iptables-save prints `10.0.0.0/8` for `10.1.2.3/8`).
 */
export function parseCidr(text: string, family?: Family): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash), family);
  if (!address) return undefined;
  let mask = allOnes(address.family);
  if (slash >= 0) {
    const maskText = text.slice(slash + 1);
    if (/^\d{1,3}$/.test(maskText)) {
      const prefix = Number(maskText);
      if (prefix > bitsOf(address.family)) return undefined;
      mask = prefixToMask(address.family, prefix);
    } else {
      const parsed = parseAddress(maskText, address.family);
      if (!parsed) return undefined;
      mask = parsed.value;
    }
  }
  return { family: address.family, network: address.value & mask, mask, prefix: maskToPrefix(address.family, mask) };
}

/**
 * An IPv4 address as inet_aton reads it (what getaddrinfo takes for a numeric host): 1 to 4 parts in
 * C notation (0x hex, 0 octal, decimal), the last one filling the bytes left (`10.1` is 10.0.0.1,
 * `256` is 0.0.1.0), the others at most 255. Undefined when it is not one (then it is a host name).
 */
export function inetAton(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  let value = 0n;
  for (let i = 0; i < parts.length; i++) {
    const m = /^(?:0[xX]([0-9a-fA-F]*)|0([0-7]*)|([1-9][0-9]*))$/.exec(parts[i]);
    if (!m) return undefined;
    const digits = (m[1] ?? m[2] ?? m[3]).replace(/^0+/, '');
    if (digits.length > 11) return undefined; // (beyond 32 bits in any base)
    const n = digits === '' ? 0n : BigInt((m[1] !== undefined ? '0x' : m[2] !== undefined ? '0o' : '') + digits);
    const bits = i === parts.length - 1 ? 8 * (4 - i) : 8;
    if (n >= 1n << BigInt(bits)) return undefined;
    value = (value << BigInt(bits)) | n;
  }
  return value;
}

/**
 * ADDRESS[/MASK] as libxtables reads an extension's address option (XTTYPE_HOSTMASK: conntrack's
 * --ctorigsrc, NETMAP's --to, policy's --tunnel-src …): the address through getaddrinfo (IPv4:
 * inetAton), the mask a prefix length or, failing that, an address read the same way (`/33` is the
 * mask 0.0.0.33). Host names are not resolved: undefined.
 */
export function parseHostMask(text: string, family: Family): Cidr | undefined {
  if (family === 'ipv6') return parseCidr(text, 'ipv6');
  const slash = text.indexOf('/');
  const host = inetAton(slash < 0 ? text : text.slice(0, slash));
  if (host === undefined) return undefined;
  let mask = allOnes('ipv4');
  if (slash >= 0) {
    const maskText = text.slice(slash + 1);
    // (xtables_strtoui first: a C number up to 32, a `+` allowed)
    const prefix = maskText.includes('.') ? undefined : inetAton(maskText.startsWith('+') ? maskText.slice(1) : maskText);
    if (prefix !== undefined && prefix <= 32n) mask = prefixToMask('ipv4', Number(prefix));
    else {
      const parsed = inetAton(maskText);
      if (parsed === undefined) return undefined;
      mask = parsed;
    }
  }
  return { family: 'ipv4', network: host & mask, mask, prefix: maskToPrefix('ipv4', mask) };
}

/** True when `address` (text or parsed) lies inside `cidr` (text or parsed); false across families. */
export function cidrContains(cidr: Cidr | string, address: Address | string): boolean {
  const net = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  const addr = typeof address === 'string' ? parseAddress(address) : address;
  if (!net || !addr || net.family !== addr.family) return false;
  return (addr.value & net.mask) === net.network;
}

export interface AddressRange {
  family: Family;
  from: bigint;
  to: bigint;
}

/** `a.b.c.d-e.f.g.h` (iprange) or a single address. */
export function parseRange(text: string, family?: Family): AddressRange | undefined {
  const dash = text.indexOf('-');
  const from = parseAddress(dash < 0 ? text : text.slice(0, dash), family);
  const to = dash < 0 ? from : parseAddress(text.slice(dash + 1), family);
  if (!from || !to || from.family !== to.family) return undefined;
  return { family: from.family, from: from.value, to: to.value };
}

export function rangeContains(range: AddressRange, address: Address | string): boolean {
  const addr = typeof address === 'string' ? parseAddress(address) : address;
  if (!addr || addr.family !== range.family) return false;
  return addr.value >= range.from && addr.value <= range.to;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run compressed). */
export function formatAddress(address: Address): string {
  if (address.family === 'ipv4') {
    const v = address.value;
    return [24n, 16n, 8n, 0n].map((shift) => String((v >> shift) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((address.value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1; // a single zero group is not compressed (RFC 5952 4.2.2)
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Canonical `network/prefix` (or `network/mask` for non-contiguous masks); host routes keep the /32 /128. */
export function formatCidr(cidr: Cidr): string {
  const network = formatAddress({ family: cidr.family, value: cidr.network });
  if (cidr.prefix !== undefined) return `${network}/${cidr.prefix}`;
  return `${network}/${formatAddress({ family: cidr.family, value: cidr.mask })}`;
}

/** Normalise address text (`2001:DB8:0::1` → `2001:db8::1`); unparsable text is returned as is. */
export function canonicalAddress(text: string): string {
  const parsed = parseAddress(text);
  return parsed ? formatAddress(parsed) : text;
}

/** Replace the bits of `address` selected by `mask` with those of `network` (NETMAP). */
export function mapAddress(address: Address, network: bigint, mask: bigint): Address {
  const ones = allOnes(address.family);
  return { family: address.family, value: (address.value & (ones ^ mask)) | (network & mask) };
}

/** IPv4 loopback 127.0.0.0/8 or IPv6 ::1. */
export function isLoopback(address: Address): boolean {
  return address.family === 'ipv4' ? address.value >> 24n === 127n : address.value === 1n;
}

export function isMulticast(address: Address): boolean {
  return address.family === 'ipv4' ? address.value >> 28n === 0xen : address.value >> 120n === 0xffn;
}
