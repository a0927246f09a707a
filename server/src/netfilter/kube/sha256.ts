// SHA-256 (FIPS 180-4) over the UTF-8 bytes of a string, in plain TypeScript so the engine can
// recompute kube-proxy chain hashes in a browser too (no node:crypto, no async WebCrypto).
// Tuned for many short inputs: one scratch buffer and one message schedule are reused per call.

const ROUND_CONSTANTS = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL_STATE = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const schedule = new Int32Array(64);
const state = new Int32Array(8);
let scratch = new Uint8Array(256);

/** Writes the UTF-8 encoding of `text` into `scratch` (growing it) and returns the byte length. */
function encodeUtf8(text: string): number {
  // Worst case 3 bytes per UTF-16 unit, plus room for padding (up to 72 bytes).
  const needed = text.length * 3 + 72;
  if (scratch.length < needed) scratch = new Uint8Array(Math.max(needed, scratch.length * 2));
  const out = scratch;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          i++;
          out[n++] = 0xf0 | (c >> 18);
          out[n++] = 0x80 | ((c >> 12) & 0x3f);
          out[n++] = 0x80 | ((c >> 6) & 0x3f);
          out[n++] = 0x80 | (c & 0x3f);
          continue;
        }
      }
      // Lone surrogates become U+FFFD, as TextEncoder (and Go's []byte(string) of invalid UTF-16) would.
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return n;
}

function compressBlock(bytes: Uint8Array, offset: number): void {
  const w = schedule;
  for (let t = 0; t < 16; t++) {
    const p = offset + t * 4;
    w[t] = (bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3];
  }
  compressSchedule();
}

/**
 * A text of at most 55 ASCII characters is one padded block: its 16 words are written straight
 * from the characters, without the byte buffer (kube-proxy's hash inputs are such texts). False,
 * with nothing done, for any other text.
 */
function compressShortAscii(text: string): boolean {
  const length = text.length;
  if (length > 55) return false;
  const w = schedule;
  const whole = length >> 2; // words made of four characters
  let seen = 0; // every character OR-ed: 0x80 set when one is not ASCII
  for (let t = 0; t < whole; t++) {
    const k = t * 4;
    const a = text.charCodeAt(k), b = text.charCodeAt(k + 1), c = text.charCodeAt(k + 2), d = text.charCodeAt(k + 3);
    seen |= a | b | c | d;
    w[t] = (a << 24) | (b << 16) | (c << 8) | d;
  }
  // The last characters, then the 0x80 that ends the message, then zeros.
  let word = 0;
  for (let k = whole * 4; k < whole * 4 + 4; k++) {
    const byte = k < length ? text.charCodeAt(k) : k === length ? 0x80 : 0;
    if (k < length) seen |= byte;
    word = (word << 8) | byte;
  }
  if (seen >= 0x80) return false;
  w[whole] = word;
  for (let t = whole + 1; t < 14; t++) w[t] = 0;
  w[14] = 0; // the bit length's high word (< 2^32 bits here)
  w[15] = length * 8;
  state.set(INITIAL_STATE);
  compressSchedule();
  return true;
}

/** One block's compression; the block's 16 words are schedule[0..15]. */
function compressSchedule(): void {
  const w = schedule;
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15];
    const y = w[t - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
  }
  let a = state[0], b = state[1], c = state[2], d = state[3];
  let e = state[4], f = state[5], g = state[6], h = state[7];
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + ROUND_CONSTANTS[t] + w[t]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0;
    d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  state[0] = (state[0] + a) | 0; state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0; state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0; state[5] = (state[5] + f) | 0;
  state[6] = (state[6] + g) | 0; state[7] = (state[7] + h) | 0;
}

/**
 * SHA-256 of the UTF-8 bytes of `text` as eight big-endian 32-bit words. The array is this module's
 * own and is overwritten by the next call: read it at once (kube chain names are checked this way,
 * 41k at 10k services, without a digest array per name).
 */
export function sha256Words(text: string): Int32Array {
  if (compressShortAscii(text)) return state;
  const length = encodeUtf8(text);
  const bytes = scratch;
  // Padding: 0x80, zeros, then the 64-bit big-endian bit length, to a multiple of 64 bytes.
  const paddedLength = (((length + 8) >> 6) + 1) << 6;
  bytes[length] = 0x80;
  bytes.fill(0, length + 1, paddedLength);
  const bitLength = length * 8;
  bytes[paddedLength - 5] = Math.floor(bitLength / 0x100000000) & 0xff;
  bytes[paddedLength - 4] = (bitLength >>> 24) & 0xff;
  bytes[paddedLength - 3] = (bitLength >>> 16) & 0xff;
  bytes[paddedLength - 2] = (bitLength >>> 8) & 0xff;
  bytes[paddedLength - 1] = bitLength & 0xff;

  state.set(INITIAL_STATE);
  for (let offset = 0; offset < paddedLength; offset += 64) compressBlock(bytes, offset);
  return state;
}

/** SHA-256 of the UTF-8 bytes of `text`; returns the 32-byte digest. */
export function sha256Utf8(text: string): Uint8Array {
  const state = sha256Words(text);
  const digest = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = state[i];
    digest[i * 4] = v >>> 24;
    digest[i * 4 + 1] = (v >>> 16) & 0xff;
    digest[i * 4 + 2] = (v >>> 8) & 0xff;
    digest[i * 4 + 3] = v & 0xff;
  }
  return digest;
}

/** Lower-case hex of the digest (handy in tests and diagnostics). */
export function sha256Hex(text: string): string {
  let hex = '';
  for (const byte of sha256Utf8(text)) hex += (byte < 16 ? '0' : '') + byte.toString(16);
  return hex;
}
