// Value grammars several extensions share, read as libxtables and the libxt_* modules read them,
// with their messages (probed against iptables-nft-restore 1.8.9 with deliberately bad values:
// test/extensions/restore-agreement.test.ts, "every option with a bad value").

import { cDigitsValue, decimalDigitsValue, readUnsigned, type ValueProblem } from '../values';
import { inetAton, parseAddress } from '../addr';

export const error = (message: string): ValueProblem => ({ severity: 'error', message });

/** strtol-like leading integer (white space, sign, decimal digits) as atoi/atoll read it; BigInt so nothing rounds. */
function leadingInteger(text: string): bigint {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(text)!;
  if (!m[2]) return 0n;
  const magnitude = decimalDigitsValue(m[2]);
  return m[1] === '-' ? -magnitude : magnitude;
}

/** The unit after `/` as limit and hashlimit read it: any prefix of second, minute, hour, day (case-insensitive). */
function rateUnit(text: string): number | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return 1;
  const unit = text.slice(slash + 1).toLowerCase();
  if (unit === '') return undefined;
  for (const [name, seconds] of [['second', 1], ['minute', 60], ['hour', 3600], ['day', 86400]] as const) if (name.startsWith(unit)) return seconds;
  return undefined;
}

/**
 * `-m limit --limit N[/unit]` (libxt_limit parse_rate: N read by atoi into a uint32, 10,000 ticks a
 * second): "bad rate" when N is 0 or the unit unknown, "Rate too fast" when N > 10,000 per unit.
 */
export function limitRateProblem(text: string): ValueProblem | undefined {
  const unit = rateUnit(text);
  // atoi: clamped to a C long, then to int, then stored in a uint32
  let n = leadingInteger(text);
  if (n > 0x7fffffffffffffffn) n = 0x7fffffffffffffffn;
  if (n < -0x8000000000000000n) n = -0x8000000000000000n;
  const r = BigInt.asUintN(32, BigInt.asIntN(32, n));
  if (unit === undefined || r === 0n) return error(`bad rate "${text}"'`);
  if (r > 10000n * BigInt(unit)) return error(`Rate too fast "${text}"`);
  return undefined;
}

/** parse_bytes(): a rate in bytes, `512kb/s` — "b/s" after a k, m or digit, and a number that is not 0. */
export function isHashlimitByteRate(text: string): boolean {
  const bytes = text.indexOf('b/s');
  return bytes > 0 && /[km0-9]/.test(text[bytes - 1]) && /^\s*\+?(0[xX][0-9a-fA-F]*[1-9a-fA-F]|0*[1-9])/.test(text);
}

/**
 * `--hashlimit-upto/-above N[/unit]` or a byte rate `Nkb/s` (libxt_hashlimit revision 2+: atoll into
 * a uint64, 1,000,000 ticks a second).
 */
export function hashlimitRateProblem(option: string) {
  return (text: string): ValueProblem | undefined => {
    if (isHashlimitByteRate(text)) return undefined; // (parse_bytes is tried first)
    const unit = rateUnit(text);
    let n = leadingInteger(text);
    if (n > 0x7fffffffffffffffn) n = 0x7fffffffffffffffn;
    const r = BigInt.asUintN(64, n);
    if (unit === undefined || r === 0n) return error(`hashlimit: Bad value for "--${option}" option: "${text}"`);
    if (r > 1000000n * BigInt(unit)) return error(`Rate too fast "${text}"`);
    return undefined;
  };
}

/** `xx:xx:xx:xx:xx:xx`, one or two hex digits a group (libxtables xtables_parse_mac). */
export function macProblem(text: string): ValueProblem | undefined {
  return /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/.test(text) ? undefined : error('Invalid MAC address specified.');
}


/**
 * A protocol as xtables_parse_protocol reads it: a number 0–255 or a name from /etc/protocols. Only
 * what no /etc/protocols can hold is an error here (the file varies from machine to machine).
 */
export function protocolProblem(text: string): ValueProblem | undefined {
  const value = wholeNumber(text);
  if (value !== undefined) return value <= 255 ? undefined : error(`unknown protocol "${text}" specified`);
  return /^[A-Za-z][A-Za-z0-9._+-]*$/.test(text) ? undefined : error(`unknown protocol "${text}" specified`);
}

/** libxtables' minimum length of 1 for a string option. */
export function nonEmptyProblem(text: string): ValueProblem | undefined {
  return text === '' ? error('Argument must have a minimum length of 1 characters') : undefined;
}

/** A number as xtables_strtoui(base 0) reads the whole of `text`; undefined when it is not one. */
export function wholeNumber(text: string): number | undefined {
  const read = readUnsigned(text, 0);
  return read && read.end === text.length && read.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(read.value) : undefined;
}

/** REDIRECT / MASQUERADE `--to-ports PORT[-PORT]` (a number up to 65535 or a service name). */
export function toPortsProblem(text: string): ValueProblem | undefined {
  if (text.includes(':')) return error('Invalid port:port syntax - use dash');
  const dash = text.indexOf('-');
  const parts = dash < 0 ? [text] : [text.slice(0, dash), text.slice(dash + 1)];
  const ports: number[] = [];
  for (const part of parts) {
    const number = wholeNumber(part);
    if (number !== undefined && number <= 65535) ports.push(number);
    else if (number !== undefined || !/^[A-Za-z][A-Za-z0-9_.+-]*$/.test(part)) return error(`Port \`${dash < 0 ? text : part === parts[0] ? text : part}' not valid`);
  }
  if (ports.length === 2 && ports[1] < ports[0]) return error(`Port range \`${parts[1]}' funky`);
  return undefined;
}

/** CT `--zone`, `--zone-orig`, `--zone-reply`: `mark` or an ID up to 65535. */
export function zoneProblem(text: string): ValueProblem | undefined {
  if (text === 'mark') return undefined;
  const id = wholeNumber(text);
  return id !== undefined && id <= 65535 ? undefined : error(`Cannot parse ${text} as a zone ID`);
}

/** CLASSIFY `--set-class MAJOR:MINOR` in hex (sscanf "%x:%x"). */
export function classProblem(text: string): ValueProblem | undefined {
  return /^\s*[+-]?(0[xX])?[0-9a-fA-F]+:\s*[+-]?(0[xX])?[0-9a-fA-F]+/.test(text) ? undefined : error(`Bad class value "${text}"`);
}

/** AUDIT `--type`: accept, drop or reject, in any case. */
export function auditTypeProblem(text: string): ValueProblem | undefined {
  return /^(accept|drop|reject)$/i.test(text) ? undefined : error(`Bad action type value "${text}"`);
}

/** policy `--proto`: ah, esp, ipcomp or their numbers 51, 50, 108. */
export function ipsecProtocolProblem(text: string): ValueProblem | undefined {
  if (text === 'ah' || text === 'esp' || text === 'ipcomp') return undefined;
  const number = wholeNumber(text);
  if (number === 50 || number === 51 || number === 108) return undefined;
  if ((number !== undefined && number <= 255) || /^[a-z][a-z0-9._+-]*$/.test(text)) return error('policy match: protocol must be ah/esp/ipcomp');
  return error(`unknown protocol "${text}" specified`);
}

const TCP_OPTION_NAMES = new Set(['wscale', 'mss', 'sack-permitted', 'sack', 'timestamp', 'md5']);

/** TCPOPTSTRIP `--strip-options`: comma-separated option names or numbers 0–255. */
export function tcpOptionsProblem(text: string): ValueProblem | undefined {
  for (const piece of text.split(',')) {
    const number = wholeNumber(piece);
    if (!TCP_OPTION_NAMES.has(piece) && (number === undefined || number > 255)) return error(`Bad TCP option value "${piece}"`);
    if (number !== undefined && number <= 1) return error('Option value may not be 0 or 1'); // (end of list, no-op)
  }
  return undefined;
}

/**
 * hashlimit `--hashlimit-burst` (libxt_hashlimit parse_burst, revision 3): a number from 1 read by
 * xtables_strtoul (base 0, no `-`), at most 1,000,000 unless something follows it (a `k`/`m` unit;
 * anything else counts as 1).
 */
export function hashlimitBurstProblem(text: string): ValueProblem | undefined {
  const read = readUnsigned(text, 0);
  if (!read || read.value < 1n || read.value > 0xffffffffffffffffn || (read.end === text.length && read.value > 1_000_000n)) {
    return error('bad value for option "--hashlimit-burst", or out of range (1-1000000).');
  }
  return undefined;
}

/** hashlimit `--hashlimit-rate-interval` (parse_interval): atoi() of the text must be above 0. */
export function hashlimitIntervalProblem(text: string): ValueProblem | undefined {
  // atoi is (int)strtol: strtol saturates at the 64-bit limits, the cast keeps the low 32 bits
  const long = BigInt.asIntN(64, bigMin(bigMax(leadingInteger(text), -(1n << 63n)), (1n << 63n) - 1n));
  return BigInt.asIntN(32, long) > 0n ? undefined : error(`hashlimit: Bad value for "--hashlimit-rate-interval" option: "${text}"`);
}

function bigMin(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function bigMax(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/**
 * strtoul(base 0) at the start of `text`: where the digits end (-1: none), whether the magnitude
 * overflows 64 bits (ERANGE), and the value as C returns it (a `-` negates modulo 2^64).
 */
function strtoul(text: string): { end: number; overflow: boolean; value: bigint } {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  if (!m) return { end: -1, overflow: false, value: 0n };
  const magnitude = cDigitsValue(m[2]);
  return { end: m[0].length, overflow: magnitude > 0xffffffffffffffffn, value: BigInt.asUintN(64, m[1] === '-' ? -magnitude : magnitude) };
}

/**
 * hbh / dst `--hbh-opts` / `--dst-opts TYPE[:LEN][,TYPE[:LEN]…]` as libip6t_hbh / libip6t_dst
 * parse_options() reads them (at most 16 options; a TYPE 0 — PAD1 — takes no length), with their messages.
 */
export function ipv6OptionListProblem(module: 'hbh' | 'dst') {
  const number = (text: string, kind: 'opt' | 'length'): ValueProblem | undefined => {
    const read = strtoul(text);
    if (read.end < 0) return error(`${module}: no valid digits in ${kind} \`${text}'`);
    if (read.overflow) return error(`${kind} \`${text}' specified too big: would overflow`);
    if (text !== '' && read.end < text.length) return error(`${module}: error parsing ${kind} \`${text}'`);
    return undefined;
  };
  return (text: string): ValueProblem | undefined => {
    const pieces = text.split(',');
    for (let i = 0; i < pieces.length; i++) {
      if (i === 16) return error('too many addresses specified');
      const colon = pieces[i].indexOf(':');
      if (colon >= 0 && i === 15) return error('too many ports specified');
      const type = colon < 0 ? pieces[i] : pieces[i].slice(0, colon);
      const problem = number(type, 'opt');
      if (problem) return problem;
      if (colon < 0) continue;
      // (the type's low byte, as the kernel stores it)
      if ((strtoul(type).value & 0xffn) === 0n) return error("PAD0 hasn't got length");
      const lengthProblem = number(pieces[i].slice(colon + 1), 'length');
      if (lengthProblem) return lengthProblem;
    }
    return undefined;
  };
}

/** rt `--rt-0-addrs ADDR[,ADDR…]`: up to 16 IPv6 addresses as inet_pton reads them (libip6t_rt parse_addresses). */
export function rt0AddressesProblem(text: string): ValueProblem | undefined {
  const pieces = text.split(',');
  for (let i = 0; i < pieces.length; i++) {
    if (i === 16) return error('too many addresses specified');
    if (!parseAddress(pieces[i], 'ipv6')) return error(`bad address: ${pieces[i]}`);
  }
  return undefined;
}

/**
 * A prefix length (libxtables XTTYPE_PLEN: hashlimit's and connlimit's masks): a number up to 32 (128
 * for IPv6), else anything that reads as an address, taken as the mask itself (inet_aton: `1.5`, `33`).
 */
export function plenProblem(owner: string, option: string) {
  return (text: string, family: 'ipv4' | 'ipv6'): ValueProblem | undefined => {
    const max = family === 'ipv6' ? 128 : 32;
    const number = wholeNumber(text);
    if (number !== undefined && number <= max) return undefined;
    if (family === 'ipv4' ? inetAton(text) !== undefined : parseAddress(text, 'ipv6')) return undefined;
    return error(`${owner}: bad value for option "--${option}", neither a valid network mask nor valid CIDR (0-${max}).`);
  };
}

/**
 * VALUE[/MASK] or a name (xtables_parse_val_mask with a name table: realm's /etc/iproute2/rt_realms,
 * devgroup's /etc/iproute2/group). What is not a number is looked up on the machine, so only what no
 * table can hold is an error: the empty name, and a number followed by a bad mask.
 */
export function valueMaskOrNameProblem(owner: string, option: string) {
  return (text: string): ValueProblem | undefined => {
    if (text === '') return error(`${owner}: could not map name  to an integer value for option "--${option}".`);
    const value = readUnsigned(text, 0);
    if (!value || value.value > 0xffffffffn || value.end === text.length || text[value.end] !== '/') return undefined; // (a name, or a plain number)
    const mask = readUnsigned(text, value.end + 1);
    if (!mask || mask.value > 0xffffffffn) return error(`${owner}: bad integer value for option "--${option}", or out of range.`);
    return mask.end === text.length ? undefined : error(`${owner}: trailing garbage after value for option "--${option}".`);
  };
}
