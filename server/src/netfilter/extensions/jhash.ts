// The kernel's Jenkins hash (include/linux/jhash.h) and reciprocal_scale, as xt_HMARK and NAT's
// pick from an address range use them. All arithmetic is on unsigned 32-bit words.

const JHASH_INITVAL = 0xdeadbeef;

const rol32 = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

/** __jhash_final: the last mix of a, b and c; jhash returns c. */
function jhashFinal(a: number, b: number, c: number): number {
  c = ((c ^ b) - rol32(b, 14)) >>> 0;
  a = ((a ^ c) - rol32(c, 11)) >>> 0;
  b = ((b ^ a) - rol32(a, 25)) >>> 0;
  c = ((c ^ b) - rol32(b, 16)) >>> 0;
  a = ((a ^ c) - rol32(c, 4)) >>> 0;
  b = ((b ^ a) - rol32(a, 14)) >>> 0;
  c = ((c ^ b) - rol32(b, 24)) >>> 0;
  return c;
}

/** jhash_3words(a, b, c, initval). */
export function jhash3words(a: number, b: number, c: number, initval: number): number {
  const init = (initval + JHASH_INITVAL + (3 << 2)) >>> 0;
  return jhashFinal((a + init) >>> 0, (b + init) >>> 0, (c + init) >>> 0);
}

/** jhash2(key, length, initval) over 32-bit words. */
export function jhash2(key: readonly number[], initval: number): number {
  let length = key.length;
  let a = (JHASH_INITVAL + (length << 2) + initval) >>> 0;
  let b = a;
  let c = a;
  let k = 0;
  while (length > 3) {
    a = (a + key[k]) >>> 0;
    b = (b + key[k + 1]) >>> 0;
    c = (c + key[k + 2]) >>> 0;
    // __jhash_mix
    a = ((a - c) ^ rol32(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = ((b - a) ^ rol32(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = ((c - b) ^ rol32(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = ((a - c) ^ rol32(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = ((b - a) ^ rol32(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = ((c - b) ^ rol32(b, 4)) >>> 0; b = (b + a) >>> 0;
    length -= 3;
    k += 3;
  }
  if (length === 0) return c;
  if (length >= 3) c = (c + key[k + 2]) >>> 0;
  if (length >= 2) b = (b + key[k + 1]) >>> 0;
  a = (a + key[k]) >>> 0;
  return jhashFinal(a, b, c);
}

/** reciprocal_scale(val, ep_ro): val scaled to [0, ep_ro), (u32)(((u64)val * ep_ro) >> 32). */
export function reciprocalScale(value: number, range: number): number {
  return Number((BigInt(value >>> 0) * BigInt(range >>> 0)) >> 32n);
}
