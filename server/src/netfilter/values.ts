// Validation of option values by their grammar (ValueKind). Conservative by design: a value is
// reported as an error only when iptables-restore certainly rejects it; doubtful cases (a hostname,
// a service name we do not know) are warnings or nothing. False errors on real dumps are bugs.

import type { Family } from './model';
import type { OptionSpec } from './extensions/types';
import { parseNumber, parseServicePort } from './extensions/common';
import { parseHostMask } from './addr';

/** Protocols that have ports (multiport and NAT port ranges need one of them). */
export const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp', '6', '17', '136', '132', '33']);
/** Targets whose address argument may carry a port (which then needs a port protocol). */
export const NAT_PORT_TARGETS = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT']);

/**
 * Whether a NAT target may name a port on this rule (libxt_DNAT & co.): its -p is tcp, udp, sctp or
 * dccp, or icmp in IPv4 (the ICMP id); a `!` before -p is not looked at. Probed with iptables 1.8.9.
 */
export function natPortProtocol(protocol: { negated: boolean; args: ReadonlyArray<{ text: string }> } | undefined, family: Family): boolean {
  const name = protocol?.args[0]?.text.toLowerCase();
  if (name === undefined) return false;
  return NAT_PORT_PROTOCOLS.has(name) || (family === 'ipv4' && (name === 'icmp' || name === '1'));
}

const NAT_PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'dccp', '6', '17', '132', '33']);

export interface ValueProblem {
  severity: 'error' | 'warning' | 'information';
  message: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DOTTED_QUAD_LIKE = /^[\d.]+$/;
const HOSTNAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

/**
 * An IPv4 address as libxtables reads one in -s/-d (xtables_numeric_to_ipaddr): 1 to 4 dot-separated
 * numbers in C notation (0x hex, leading-0 octal, decimal), each up to 255; missing trailing octets
 * are zero (`10/8`, `172.16.0/24`). A mask must have all four.
 */
export function xtablesIPv4(text: string, isMask = false): number | undefined {
  const parts = text.split('.');
  if (parts.length > 4 || (isMask && parts.length !== 4)) return undefined;
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const part = parts[i];
    let octet = 0;
    if (part !== undefined) {
      const n = part === '' ? undefined : parseNumber(part);
      if (n === undefined || n > 255) return undefined;
      octet = n;
    }
    value = value * 256 + octet;
  }
  return value;
}

export function isIPv6(text: string): boolean {
  if (!text.includes(':')) return false;
  let body = text;
  // an embedded IPv4 tail (::ffff:1.2.3.4)
  const lastColon = body.lastIndexOf(':');
  const tail = body.slice(lastColon + 1);
  let groupsFromTail = 0;
  if (tail.includes('.')) {
    if (!IPV4.test(tail)) return false;
    body = body.slice(0, lastColon + 1) + '0:0';
    groupsFromTail = 0;
  }
  const doubleColon = body.indexOf('::');
  if (doubleColon !== body.lastIndexOf('::')) return false;
  const groups = body.split(':');
  const valid = (g: string) => /^[0-9A-Fa-f]{1,4}$/.test(g);
  if (doubleColon >= 0) {
    const [left, right] = [body.slice(0, doubleColon), body.slice(doubleColon + 2)];
    const leftGroups = left === '' ? [] : left.split(':');
    const rightGroups = right === '' ? [] : right.split(':');
    if (![...leftGroups, ...rightGroups].every(valid)) return false;
    return leftGroups.length + rightGroups.length + groupsFromTail <= 7;
  }
  return groups.length === 8 && groups.every(valid);
}

/**
 * Length of the canonical dotted-decimal IPv4 address at the start of text[from…] (`10.96.0.1`: no
 * leading zeros, octets ≤ 255), or 0. The fast path of the checks below: what iptables-save writes.
 */
function canonicalIPv4Length(text: string, from: number): number {
  let i = from;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (text.charCodeAt(i) !== 46 /* . */) return 0;
      i++;
    }
    const digitsStart = i;
    let value = 0;
    while (i < text.length && i - digitsStart < 3) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
      i++;
    }
    const digits = i - digitsStart;
    if (digits === 0 || value > 255 || (digits > 1 && text.charCodeAt(digitsStart) === 48)) return 0;
  }
  return i - from;
}

/** `A.B.C.D` or `A.B.C.D/N` (N ≤ 32, no leading zero), canonical: certainly valid in -s / -d. */
function isCanonicalIPv4Network(text: string): boolean {
  const length = canonicalIPv4Length(text, 0);
  if (length === 0) return false;
  if (length === text.length) return true;
  if (text.charCodeAt(length) !== 47 /* / */) return false;
  // 0…32 without a leading zero
  const digits = text.length - length - 1;
  const d0 = text.charCodeAt(length + 1) - 48;
  if (digits === 1) return d0 >= 0 && d0 <= 9;
  const d1 = text.charCodeAt(length + 2) - 48;
  return digits === 2 && d0 >= 1 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d0 * 10 + d1 <= 32;
}

/** `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `2001:db8::/32`, `host.example`, for -s / -d and similar. */
export function checkAddress(text: string, family: Family): ValueProblem | undefined {
  if (family === 'ipv4' && isCanonicalIPv4Network(text)) return undefined;
  if (text === '') return { severity: 'error', message: 'empty address' };
  const slash = text.indexOf('/');
  const host = slash >= 0 ? text.slice(0, slash) : text;
  const mask = slash >= 0 ? text.slice(slash + 1) : undefined;
  if (family === 'ipv4') {
    if (xtablesIPv4(host) === undefined) {
      if (isIPv6(host)) return { severity: 'error', message: `'${host}' is an IPv6 address in an IPv4 (iptables) dump` };
      if (DOTTED_QUAD_LIKE.test(host)) return { severity: 'error', message: `host/network '${host}' is not a valid IPv4 address` };
      if (!HOSTNAME.test(host)) return { severity: 'error', message: `host/network '${host}' is not an address or host name` };
      return { severity: 'information', message: `'${host}' is a host name: iptables resolves it once, when the rules are loaded` };
    }
    if (mask !== undefined) {
      // A prefix length is a C number (0x8 is 8, 08 is invalid), else a full dotted mask.
      const bits = parseNumber(mask);
      if (bits !== undefined) {
        if (bits > 32) return { severity: 'error', message: `invalid mask '/${mask}': at most /32` };
      } else if (xtablesIPv4(mask, true) === undefined) {
        return { severity: 'error', message: `invalid mask '/${mask}'` };
      }
    }
    return undefined;
  }
  if (!isIPv6(host)) {
    if (IPV4.test(host)) return { severity: 'error', message: `'${host}' is an IPv4 address in an IPv6 (ip6tables) dump` };
    if (!HOSTNAME.test(host)) return { severity: 'error', message: `host/network '${host}' is not an address or host name` };
    return { severity: 'information', message: `'${host}' is a host name: ip6tables resolves it once, when the rules are loaded` };
  }
  if (mask !== undefined) {
    const bits = parseNumber(mask);
    if (bits !== undefined) {
      if (bits > 128) return { severity: 'error', message: `invalid mask '/${mask}': at most /128` };
    } else if (!isIPv6(mask)) {
      return { severity: 'error', message: `invalid mask '/${mask}'` };
    }
  }
  return undefined;
}

/** DNAT/SNAT/NETMAP/REDIRECT ranges `[ip[-ip]][:port[-port]]`; NAT targets read addresses strictly (inet_pton). */
export function checkNatRange(text: string, family: Family): ValueProblem | undefined {
  if (text === '') return { severity: 'error', message: 'Bad IP address ""' };
  if (family === 'ipv4') {
    // fast path: `10.244.1.2:8080`, as kube-proxy writes its DNAT targets
    const length = canonicalIPv4Length(text, 0);
    if (length > 0 && (length === text.length || (text.charCodeAt(length) === 58 /* : */ && /^(0|[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d\d|655[0-2]\d|6553[0-5])$/.test(text.slice(length + 1))))) return undefined;
  }
  let addresses = text;
  let ports: string | undefined;
  const bracket = family === 'ipv6' ? /^\[([^\]]*)\](?::(.*))?$/.exec(text) : null;
  if (bracket) [addresses, ports] = [bracket[1], bracket[2]];
  else {
    // parse_to: without brackets one colon starts the ports, also in IPv6 (more colons: an IPv6 address)
    const colon = text.indexOf(':');
    if (colon >= 0 && (family === 'ipv4' || text.indexOf(':', colon + 1) < 0)) [addresses, ports] = [text.slice(0, colon), text.slice(colon + 1)];
    if (colon === 2 && ports !== undefined) {
      // libxt_NAT's parse_to takes a colon at offset 2 for `[]:PORT` and drops the two characters
      // before it: `10:5` is `:5`, the address is kept (what iptables-save then prints)
      const portProblem = natPortsProblem(ports);
      if (portProblem) return portProblem;
      return { severity: 'warning', message: `${family === 'ipv4' ? 'iptables' : 'ip6tables'} reads '${addresses}:' as '[]:' and ignores '${addresses}': this keeps the packet's address and changes only the port (write ':${ports}', or the whole address)` };
    }
  }
  if (addresses !== '') {
    for (const address of addresses.split('-')) {
      const ok = family === 'ipv4' ? IPV4.test(address) : isIPv6(address);
      if (!ok) return { severity: 'error', message: `bad IP address '${address}' in '${text}'` };
    }
  }
  return ports === undefined ? undefined : natPortsProblem(ports);
}

/**
 * The ports of `--to-destination` / `--to-source` as libxt_NAT's parse_ports reads them (iptables
 * 1.8.9): PORT (a C number up to 65535, else a service name), or PORT-PORT (numbers only, not
 * decreasing) optionally followed by /BASE (a number from 1, else a service name). Restore's messages.
 */
function natPortsProblem(ports: string): ValueProblem | undefined {
  const error = (message: string): ValueProblem => ({ severity: 'error', message });
  const number = (text: string, min: bigint) => {
    const read = readUnsigned(text, 0);
    return read && read.value >= min && read.value <= 65535n ? read : undefined;
  };
  const service = (text: string) => (SERVICE_NAME.test(text) ? serviceNameProblem(text) : error(`Port \`${text}' not valid`));
  const first = number(ports, 0n);
  if (!first) return service(ports);
  const afterFirst = ports.slice(first.end);
  if (afterFirst === '') return undefined;
  if (afterFirst[0] === ':') return error('Invalid port:port syntax - use dash');
  if (afterFirst[0] !== '-') return error(`Garbage after port value: \`${afterFirst}'`);
  const last = afterFirst.slice(1);
  const second = number(last, 0n); // (a range takes no service names)
  if (!second) return error(`Port \`${last}' not valid`);
  if (second.value < first.value) return error(`Port range \`${last}' funky`);
  const afterSecond = last.slice(second.end);
  if (afterSecond === '') return undefined;
  if (afterSecond[0] !== '/') return error(`Garbage after port range: \`${afterSecond}'`);
  const base = afterSecond.slice(1);
  return number(base, 1n) ? undefined : service(base); // (what follows the base's digits is not looked at)
}

const UINT32_RANGE = [0, 4294967295] as const;

/** A whole number within [min, max], with restore's message (`owner` the module or target) when it is not. */
export function checkIntRange(text: string, [min, max]: readonly [number, number | bigint], owner: string, option: string, rangeMessage?: (text: string) => string): ValueProblem | undefined {
  const read = readUnsigned(text, 0);
  if (!read || read.end !== text.length) return { severity: 'error', message: `'${text}' is not a valid number` };
  if (read.value >= BigInt(min) && read.value <= BigInt(max)) return undefined;
  return { severity: 'error', message: rangeMessage?.(text) ?? `${owner}: bad value for option "--${option}", or out of range (${min}-${max}).` };
}

/** A whole number as xtables_strtoui reads it (strtoul base 0: white space, `+`, 0x hex, 0 octal; no `-`). */
function checkNumber(text: string, max: number, what: string): ValueProblem | undefined {
  const read = readUnsigned(text, 0);
  if (!read || read.end !== text.length) return { severity: 'error', message: `'${text}' is not a valid ${what}` };
  if (read.value > BigInt(max)) return { severity: 'error', message: `${what} '${text}' is out of range (max ${max})` };
  return undefined;
}

const SERVICE_NAME = /^[A-Za-z][A-Za-z0-9_.+-]*$/;

export function checkPort(text: string): ValueProblem | undefined {
  if (/^[ \t\n\v\f\r]*\+?(0x[0-9a-f]+|\d+)$/i.test(text)) {
    // read as a C number: 0x50 is 80, 010 is 8, 080 is not a number (and no service is called that)
    const port = parseNumber(text);
    if (port === undefined) return { severity: 'error', message: `invalid port/service '${text}' (a leading 0 makes it octal)` };
    return port > 65535 ? { severity: 'error', message: `invalid port '${text}': ports go up to 65535` } : undefined;
  }
  if (SERVICE_NAME.test(text)) return serviceNameProblem(text);
  return { severity: 'error', message: `invalid port/service '${text}'` };
}

/** A word shaped like a service name: fine when known, else a warning (/etc/services differs from machine to machine). */
function serviceNameProblem(text: string): ValueProblem | undefined {
  return KNOWN_SERVICES.has(text) ? undefined : { severity: 'warning', message: `'${text}' is read as a service name from /etc/services when the rules are loaded` };
}

/** The owners whose ports libxtables reads with xtables_getportbyname (see extensions/common.ts parseServicePort). */
const SERVICE_PORT_OWNERS = new Set(['udp', 'dccp', 'conntrack', 'ipvs', 'TPROXY']);

/** One port of an option read by xtables_getportbyname: a decimal number (kept to 16 bits) or a service name. */
function checkServicePort(text: string): ValueProblem | undefined {
  if (/^[ \t\n\v\f\r]*[+-]?\d+$/.test(text)) {
    const port = parseServicePort(text);
    if (port === undefined) return { severity: 'error', message: `Port "${text}" does not resolve to anything.` };
    const written = Number(text.trim().replace(/^\+/, ''));
    if (!(written <= 65535)) return { severity: 'warning', message: `port ${text} is past 65535: iptables keeps its low 16 bits, port ${port}` };
    return undefined;
  }
  if (SERVICE_NAME.test(text)) return serviceNameProblem(text);
  return { severity: 'error', message: `Port "${text}" does not resolve to anything.` };
}

/** FROM[:TO] of an option read by xtables_getportbyname (libxtables' XTTYPE_PORTRC): an empty end is 0 or 65535. */
function checkServicePortRange(text: string, owner: string): ValueProblem | undefined {
  const parts = text.split(':');
  if (parts.length > 2) return { severity: 'error', message: `${owner}: Too many components for option (max: 2)` };
  let warning: ValueProblem | undefined;
  for (const part of parts) {
    if (part === '' && parts.length === 2) continue;
    const problem = checkServicePort(part);
    if (problem?.severity === 'error') return problem;
    warning ??= problem;
  }
  const [from, to] = parts.length === 2 && parts[0] !== '' && parts[1] !== '' ? [parseServicePort(parts[0]), parseServicePort(parts[1])] : [];
  if (from !== undefined && to !== undefined && from > to) return { severity: 'warning', message: `port range '${text}' is reversed; iptables swaps it to ${parts[1]}:${parts[0]}` };
  return warning;
}

/**
 * How a module treats a reversed range `100:10` (checked with iptables-*-restore 1.8.9): tcp, sctp
 * and multiport refuse it ("invalid portrange (min > max)"), udp and dccp swap it silently.
 */
const REVERSED_RANGE_REFUSED = new Set(['tcp', 'sctp', 'multiport']);

export function checkPortRange(text: string, module?: string): ValueProblem | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return checkPort(text);
  const low = text.slice(0, colon);
  const high = text.slice(colon + 1);
  for (const part of [low, high]) {
    if (part === '') {
      if (module === 'multiport') return { severity: 'error', message: `multiport needs both ends of the range '${text}'` };
      continue;
    }
    const problem = checkPort(part);
    if (problem) return problem;
  }
  const from = parseNumber(low);
  const to = parseNumber(high);
  if (from !== undefined && to !== undefined && from > to) {
    if (module && REVERSED_RANGE_REFUSED.has(module)) return { severity: 'error', message: `invalid port range '${text}': the first port is above the second` };
    return { severity: 'warning', message: `port range '${text}' is reversed; iptables swaps it to ${high}:${low}` };
  }
  // libxt_multiport: "invalid portrange specified" unless the first port is below the second
  if (module === 'multiport' && from !== undefined && from === to) return { severity: 'error', message: `invalid port range '${text}': multiport needs the first port below the second (write ${low})` };
  return undefined;
}

export function checkPortList(text: string, module?: string): ValueProblem | undefined {
  const parts = text.split(',');
  if (parts.length > 15) return { severity: 'error', message: `too many ports in '${text}' (multiport allows 15)` };
  for (const part of parts) {
    const problem = checkPortRange(part, module);
    if (problem) return problem;
  }
  return undefined;
}

export function checkMark(text: string): ValueProblem | undefined {
  const [value, mask, extra] = text.split('/');
  if (extra !== undefined) return { severity: 'error', message: `bad mark '${text}'` };
  const problem = checkNumber(value, 0xffffffff, 'mark value');
  if (problem) return problem;
  if (mask !== undefined) return checkNumber(mask, 0xffffffff, 'mark mask');
  return undefined;
}

export function checkInterface(text: string): ValueProblem | undefined {
  if (text.length > 15) return { severity: 'error', message: `interface name '${text}' must be shorter than IFNAMSIZ (15 characters)` };
  if (text === '') return { severity: 'error', message: 'empty interface name' };
  return undefined;
}

const PORT_ZERO = () => 'port 0';
const EMPTY_INTERFACE = () => 'an empty interface name';

/**
 * Options whose quoted empty value (`""`) iptables-restore 1.8.9 takes, and what it makes of it
 * (what iptables-nft-save prints back; test/extensions/restore-agreement.test.ts probes every option
 * with `""`). Almost surely a mistake, but not one restore refuses: a warning, never an error.
 */
const EMPTY_VALUE_READINGS: Readonly<Record<string, (family: Family) => string>> = Object.assign(Object.create(null), {
  'udp --sport': PORT_ZERO, 'udp --dport': PORT_ZERO, 'dccp --sport': PORT_ZERO, 'dccp --dport': PORT_ZERO,
  'conntrack --ctorigsrcport': PORT_ZERO, 'conntrack --ctorigdstport': PORT_ZERO, 'conntrack --ctreplsrcport': PORT_ZERO, 'conntrack --ctrepldstport': PORT_ZERO,
  'ipvs --vport': PORT_ZERO, 'ipvs --vportctl': PORT_ZERO,
  'dccp --dccp-types': () => 'no packet type at all',
  'physdev --physdev-in': EMPTY_INTERFACE, 'physdev --physdev-out': EMPTY_INTERFACE,
  'hashlimit --hashlimit-mode': () => 'no mode: all packets share one bucket',
  // (libipt_REJECT compares the value's length of each name: "" is the table's first type)
  'REJECT --reject-with': (family: Family) => (family === 'ipv6' ? 'icmp6-no-route' : 'icmp-net-unreachable'),
  'TPROXY --on-port': () => 'port 0: the packet keeps its destination port',
});

/**
 * Check one argument of an option against its declared grammar; `module` is the match or target that
 * owns it. A `!` after an option is its value (getopt hands it over as the argument: `--comment !`
 * and `--helper !` load, `--ctstate !` is a bad state): the grammar decides, and when it refuses an
 * unquoted `!`, or takes it where a negation was more likely meant, the message says where `!` goes.
 */
export function checkValue(spec: OptionSpec, text: string, family: Family, module?: string, quoted = false, argIndex = 0): ValueProblem | undefined {
  const problem = checkGrammar(spec, text, family, module, argIndex);
  if (text === '!' && !quoted) {
    if (problem?.severity === 'error') return { severity: 'error', message: `'!' must come before the option: write '! --${spec.name} …'` };
    if (!problem && spec.negatable) return { severity: 'warning', message: `this '!' is the value of --${spec.name}, not a negation: to negate, write '! --${spec.name} …'` };
  }
  return problem;
}

function checkGrammar(spec: OptionSpec, text: string, family: Family, module: string | undefined, argIndex: number): ValueProblem | undefined {
  const emptyReading = text === '' && module !== undefined ? EMPTY_VALUE_READINGS[`${module} --${spec.name}`] : undefined;
  if (emptyReading) return { severity: 'warning', message: `empty value: iptables-restore takes it as ${emptyReading(family)}` };
  if (spec.check) return spec.check(text, family, argIndex);
  switch (spec.value) {
    case 'int':
      return checkIntRange(text, spec.range ?? UINT32_RANGE, module ?? 'iptables', spec.name, spec.rangeMessage);
    case 'port':
      return module !== undefined && SERVICE_PORT_OWNERS.has(module) ? checkServicePortRange(text, module) : checkPort(text);
    case 'port-range':
      return module !== undefined && SERVICE_PORT_OWNERS.has(module) ? checkServicePortRange(text, module) : checkPortRange(text, module);
    case 'port-list':
      return checkPortList(text, module);
    case 'nat-range':
      return checkNatRange(text, family);
    case 'mark':
      return checkMark(text);
    case 'interface':
      return checkInterface(text);
    case 'address': {
      for (const part of text.split(',')) {
        // (an extension reads its address through getaddrinfo: IPv4 numbers as inet_aton reads them)
        if (family === 'ipv4' && parseHostMask(part, 'ipv4')) continue;
        const problem = checkAddress(part, family);
        if (problem && problem.severity === 'error') return problem;
      }
      return undefined;
    }
    case 'enum': {
      if (!spec.values) return undefined;
      return valueWord(spec, text) !== undefined ? undefined : { severity: 'error', message: `'${text}' is not one of ${spec.values.join(', ')}${readingNote(spec)}` };
    }
    case 'enum-list':
    case 'flags': {
      if (!spec.values) return undefined;
      const strtok = spec.strtokList;
      const items = strtok ? strtokItems(text, strtok.separators) : text.split(',');
      for (const item of items) {
        // (libxtables' strchr(',') loop refuses an empty item before comparing it: `NEW,` is an error even where `N` is NEW)
        if (item === '' || valueWord(spec, item) === undefined) return { severity: 'error', message: `'${item}' is not one of ${spec.values.join(', ')}${readingNote(spec)}` };
      }
      // (a list of separators only reads as the empty value: `","` is `""`)
      const emptyReading = items.length === 0 && module !== undefined ? EMPTY_VALUE_READINGS[`${module} --${spec.name}`] : undefined;
      if (emptyReading) return { severity: 'warning', message: `no item in the list: iptables-restore takes it as ${emptyReading(family)}` };
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The value of `spec.values` that `word` stands for, as the extension's parser reads it; undefined
 * when it reads none. spec.valueMatch says how words compare: 'nocase' (strcasecmp, the default),
 * 'exact' (strcmp: policy, connbytes, statistic, CT events, LOG levels) or 'prefix' (strncasecmp over
 * the word's length: the first value in the extension's table order that the word begins, so `EST`
 * is ESTABLISHED and `tcp` is tcp-reset — conntrack and state states, ctstatus, REJECT types). A
 * value's aliases (spec.valueAliases) are tried together with it, as REJECT's table does.
 */
export function valueWord(spec: Pick<OptionSpec, 'values' | 'valueMatch' | 'valueAliases'>, word: string): string | undefined {
  const values = spec.values;
  if (!values) return undefined;
  const mode = spec.valueMatch ?? 'nocase';
  const lower = mode === 'exact' ? word : word.toLowerCase();
  const reads = (candidate: string): boolean => {
    if (mode === 'exact') return candidate === word;
    const folded = candidate.toLowerCase();
    return mode === 'nocase' ? folded === lower : folded.startsWith(lower);
  };
  for (const value of values) {
    if (reads(value)) return value;
    for (const alias of spec.valueAliases?.[value] ?? []) if (reads(alias)) return value;
  }
  return undefined;
}

/** How the words are read, for an error message (only where it is not plain case-insensitive names). */
function readingNote(spec: Pick<OptionSpec, 'valueMatch' | 'valueAliases'>): string {
  const pairs = spec.valueAliases ? Object.entries(spec.valueAliases).flatMap(([value, words]) => words.filter((w) => w !== value).map((w) => [w, value])) : [];
  // (a few aliases with what they stand for; REJECT's eight as a list of short names)
  if (pairs.length > 3 && spec.valueMatch === 'prefix') return ` (or the start of one or of a short name: ${pairs.map(([w]) => w).join(', ')})`;
  const aliases = pairs.length > 3 ? `or a short name: ${pairs.map(([w]) => w).join(', ')}` : pairs.length ? `also ${pairs.map(([w, value]) => `${w} for ${value}`).join(', ')}` : undefined;
  const notes = [spec.valueMatch === 'exact' ? 'case matters' : spec.valueMatch === 'prefix' ? 'or the start of one' : undefined, aliases].filter(Boolean);
  return notes.length ? ` (${notes.join('; ')})` : '';
}

/** The items strtok() finds in `text` between any of `separators` (empty items are skipped). */
export function strtokItems(text: string, separators: string): string[] {
  const items: string[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && !separators.includes(text[i])) continue;
    if (i > start) items.push(text.slice(start, i));
    start = i + 1;
  }
  return items;
}

/** Services iptables dumps commonly name instead of numbers (from /etc/services). */
export const KNOWN_SERVICES: Map<string, number> = new Map([
  ['ftp-data', 20], ['ftp', 21], ['ssh', 22], ['telnet', 23], ['smtp', 25], ['domain', 53], ['bootps', 67], ['bootpc', 68],
  ['tftp', 69], ['http', 80], ['www', 80], ['kerberos', 88], ['pop3', 110], ['sunrpc', 111], ['auth', 113], ['ntp', 123],
  ['netbios-ns', 137], ['netbios-dgm', 138], ['netbios-ssn', 139], ['imap', 143], ['imap2', 143], ['snmp', 161],
  ['snmp-trap', 162], ['bgp', 179], ['ldap', 389], ['https', 443], ['microsoft-ds', 445], ['isakmp', 500], ['syslog', 514],
  ['submission', 587], ['ldaps', 636], ['rsync', 873], ['imaps', 993], ['pop3s', 995], ['openvpn', 1194], ['ms-sql-s', 1433],
  ['l2tp', 1701], ['pptp', 1723], ['radius', 1812], ['nfs', 2049], ['mysql', 3306], ['ipsec-nat-t', 4500], ['sip', 5060],
  ['postgresql', 5432], ['x11', 6000], ['http-alt', 8080], ['webcache', 8080], ['smtps', 465], ['ircd', 6667], ['xmpp-client', 5222],
  ['echo', 7], ['discard', 9], ['daytime', 13], ['time', 37], ['whois', 43], ['finger', 79], ['nntp', 119], ['epmap', 135],
  ['printer', 515], ['ipp', 631], ['dhcpv6-client', 546], ['dhcpv6-server', 547], ['mdns', 5353], ['domain-s', 853],
  ['git', 9418], ['squid', 3128], ['munin', 4949], ['zabbix-agent', 10050], ['zabbix-trapper', 10051], ['redis', 6379],
  ['kerberos-adm', 749], ['nrpe', 5666], ['svn', 3690], ['iax', 4569], ['ms-wbt-server', 3389], ['hkp', 11371],
]);

/** Stands for a number longer than any 64-bit value: every range check rejects it. */
export const HUGE_NUMBER = 1n << 256n;

/**
 * The value of C number digits as strtoul base 0 writes them (`0x1f` hex, `017` octal, decimal).
 * Digits beyond what any 64-bit value needs give HUGE_NUMBER: BigInt of a megabyte of digits
 * takes seconds, and a broken line must not stall the editor.
 */
export function cDigitsValue(digits: string): bigint {
  // (leading zeros do not count: `0x0000…01` is 1; hex and octal parse in linear time anyway)
  if ((/^0[xX]/.test(digits) ? digits.slice(2) : digits).replace(/^0+/, '').length > 70) return HUGE_NUMBER;
  // (BigInt reads 0x itself; a leading 0 is octal in C, decimal for BigInt)
  return BigInt(/^0[0-7]+$/.test(digits) ? '0o' + digits.slice(1) : digits);
}

/** The value of decimal digits (atoi, scanf %u: a leading 0 is not octal), HUGE_NUMBER beyond 64 bits' worth. */
export function decimalDigitsValue(digits: string): bigint {
  const significant = digits.replace(/^0+(?=\d)/, '');
  return significant.length > 70 ? HUGE_NUMBER : BigInt(significant);
}

/**
 * A decimal number as strtoul(base 10) reads it at `at` — what scanf's %u and getaddrinfo's numeric
 * service take: white space, a sign, digits; saturating at 2^64 − 1, a `-` negating modulo 2^64.
 */
export function readDecimal(text: string, at: number): { value: bigint; end: number } | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text.slice(at));
  if (!m) return undefined;
  let value = decimalDigitsValue(m[2]);
  if (value > 0xffffffffffffffffn) value = 0xffffffffffffffffn;
  if (m[1] === '-') value = BigInt.asUintN(64, -value);
  return { value, end: at + m[0].length };
}

/**
 * A C double as strtod reads the start of `text` (decimal or hex, inf, nan, white space and a sign
 * first): its value and where it ends; undefined when there is no number.
 */
export function readCDouble(text: string): { value: number; end: number } | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(?:(inf(?:inity)?)|(nan(?:\([0-9A-Za-z_]*\))?)|0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?)|((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))/i.exec(text);
  if (!m) return undefined;
  const magnitude = m[2] ? Infinity : m[3] ? NaN : m[4] !== undefined ? hexFloat(m[4]) : Number(m[5]);
  return { value: m[1] === '-' ? -magnitude : magnitude, end: m[0].length };
}

/** A C hex float's digits after `0x` (`1.8p3` = 12). */
function hexFloat(text: string): number {
  const [digits, exponent] = text.split(/[pP]/);
  const [whole, fraction = ''] = digits.split('.');
  const mantissa = parseInt((whole || '0') + fraction, 16) / 16 ** fraction.length;
  return mantissa * 2 ** Number(exponent ?? 0);
}

/** strtoull(base 0) as xtables_strtoul reads a number: white space, `+`, 0x hex, 0 octal, decimal; no `-`. */
export function readUnsigned(text: string, at: number): { value: bigint; end: number } | undefined {
  const m = /^[ \t\n\v\f\r]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text.slice(at));
  if (!m) return undefined;
  return { value: cDigitsValue(m[1]), end: at + m[0].length };
}

/**
 * `FROM[:TO]` as libxtables' xtopt_parse_mint reads a UINT16RC/UINT32RC/UINT64RC option (an empty
 * FROM is 0, an empty or missing TO is `max`), with its messages (`owner`: the module or target).
 * Checked against iptables-nft-restore 1.8.9 for every int-range option of the registry.
 */
export function readUintRange(text: string, max: bigint, owner: string, option: string): { from: bigint; to: bigint } | { error: string } {
  const values: bigint[] = [];
  for (let at = 0; ; ) {
    if (values.length === 2) return { error: `${owner}: Too many components for option "--${option}" (max: 2)` };
    let end = at;
    let value: bigint;
    if (at >= text.length || text[at] === ':') value = values.length === 1 ? max : 0n;
    else {
      const read = readUnsigned(text, at);
      if (!read || read.value > max) return { error: `${owner}: bad value for option "--${option}" near "${text.slice(at)}", or out of range (0-${max}).` };
      end = read.end;
      if (end < text.length && text[end] !== ':') return { error: `${owner}: Argument to "--${option}" has unexpected characters near "${text.slice(end)}".` };
      value = read.value;
    }
    values.push(value);
    if (end >= text.length) break;
    at = end + 1;
  }
  return { from: values[0], to: values.length === 2 ? values[1] : max };
}

/** A ValueProblem for readUintRange's error, plus the module's own check of a reversed range (`reversed`: its message). */
export function uintRangeProblem(text: string, max: bigint, owner: string, option: string, reversed?: (from: bigint, to: bigint) => string): ValueProblem | undefined {
  const range = readUintRange(text, max, owner, option);
  if ('error' in range) return { severity: 'error', message: range.error };
  if (reversed && range.to < range.from) return { severity: 'error', message: reversed(range.from, range.to) };
  return undefined;
}

