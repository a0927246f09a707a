// RFC 4648 base32 with the standard alphabet (A–Z, 2–7), as Go's base32.StdEncoding.
// Padding ('=') is emitted like Go does, although kube-proxy only ever keeps the first 16 characters.

export const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array, maxChars = Infinity): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length && out.length < maxChars; i++) {
    buffer = ((buffer << 8) | bytes[i]) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < maxChars) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (out.length >= maxChars) return out.slice(0, maxChars);
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}
