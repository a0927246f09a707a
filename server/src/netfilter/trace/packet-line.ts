// The one-line packet syntax users type in the editor's "Trace Packet…" box:
//
//   10.244.0.9 -> 10.96.0.10:53/udp in eth0
//   192.168.50.9:51000 -> 172.20.0.3:30080 in eth0
//   from local -> 10.96.0.1:443                       (the node itself sends it; source = first node address)
//   10.0.0.5 -> 8.8.8.8:443 out eth1 mark 0x4000 state ESTABLISHED
//   [2001:db8::1]:5000 -> [2001:db8::2]:443/tcp
//
// Clauses after the destination, in any order: `in IF`, `out IF`, `from local` (or `local`),
// `mark V`, `ctmark V`, `state NEW|ESTABLISHED|RELATED|INVALID|UNTRACKED`, `tcp|udp|icmp|sctp|icmpv6`,
// `sport N`, `dport N`, `type N` (ICMP type), `flags SYN,ACK`, `len N`, `ttl N`, `dscp N|EF|AF41…`,
// `ecn 0–3|not-ect|ect1|ect0|ce` (the ECN bits of the TOS / Traffic Class byte),
// `pkttype unicast|broadcast|multicast`, `mac 02:00:5e:10:00:01` (the arriving frame's source, for -m mac),
// `ipsec none|in|out|in,out` (whether it arrived decapsulated by IPsec, whether its route encapsulates
// it: for -m policy), `options mss=1460,sack-perm,ts,nop,wscale=7` (a TCP header's options; `linux`
// for what a Linux SYN carries, `none`: for --tcp-option, -m tcpmss, TCPMSS), `mtu 1492` (the path MTU
// TCPMSS --clamp-mss-to-pmtu reads),
// `at 2026-11-23T09:30Z` (when the packet is handled, for `-m time`; UTC unless an offset is given),
// `payload "GET / HTTP/1.1|0d 0a|"` (the bytes after the transport header, in `--hex-string` notation:
// the packet ends with them; for -m string and -m u32).

import type { TraceRequest } from './simulate';
import { parseIPv4, parseIPv6 } from './net';
import { protocolName, protocolNumber } from '../packet';
import { valueWord } from '../values';
import { dscpClassValue } from '../extensions/matches/dscp';
import { PKTTYPE_OPTION } from '../extensions/matches/pkttype';
import { macValue } from '../extensions/matches/mac';
import { decodeHexString, formatHexString, payloadBytes } from '../extensions/matches/string';
import { parseTcpOptionList } from '../tcp-options';
import { ECN_NAMES, MAX_PAYLOAD, ipHeaderLength, lengthWithPayload, transportLengthWithPayload } from '../packet-bytes';
import { arrivingFrameType, firstUnicast, readNodeAddresses } from './destinations';

export interface PacketLineResult {
  request?: TraceRequest;
  /** what is wrong, for the input box's validation message */
  error?: string;
  /** offset of the problem in the line */
  errorAt?: number;
  /** canonical spelling of the line */
  normalized?: string;
}

const STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'] as const;

interface Endpoint {
  address: string;
  port?: number;
}

function parseEndpoint(text: string): Endpoint | string {
  let address = text;
  let port: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) {
    address = bracket[1];
    port = bracket[2];
  } else if (/^[\d.]+:\d+$/.test(text)) {
    [address, port] = text.split(':');
  }
  const isV4 = parseIPv4(address) !== undefined;
  const isV6 = !isV4 && address.includes(':') && parseIPv6(address) !== undefined;
  if (!isV4 && !isV6) return `'${address}' is not an IPv4 or IPv6 address`;
  if (port !== undefined) {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 0 || n > 65535) return `port ${port} is out of range (0–65535)`;
    return { address, port: n };
  }
  return { address };
}

function parseNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^0x[0-9a-f]+$/i.test(text)) return parseInt(text, 16);
  if (/^\d+$/.test(text)) return Number(text);
  return undefined;
}

/** Parse a packet line. `nodeAddresses` supplies the source for `from local` without a source. */
export function parsePacketLine(line: string, nodeAddresses: readonly string[] = []): PacketLineResult {
  const text = line.trim();
  if (text === '') return { error: 'type a packet, e.g. 10.244.0.9 -> 10.96.0.10:53/udp in eth0', errorAt: 0 };
  const arrow = text.indexOf('->');
  if (arrow < 0) return { error: "missing '->' between source and destination (e.g. 10.0.0.1 -> 10.0.0.2:80)", errorAt: text.length };
  const left = text.slice(0, arrow).trim();
  const request: TraceRequest = { src: '', dst: '' };
  // The payload may hold spaces and quotes: taken out of the line before it is split into words.
  let right = text.slice(arrow + 2);
  const payloadClause = PAYLOAD_CLAUSE.exec(right);
  if (payloadClause) {
    const at = arrow + 2 + payloadClause.index + payloadClause[1].length;
    const written = payloadClause[2];
    if (written === undefined) return { error: "'payload' needs the bytes after the transport header, like \"GET / HTTP/1.1|0d 0a|\"", errorAt: at };
    const unquoted = written.startsWith('"') ? unquote(written) : written;
    if (unquoted === undefined) return { error: 'the payload\'s quote is not closed', errorAt: at };
    if (unquoted !== '') {
      const decoded = decodeHexString(unquoted, MAX_PAYLOAD);
      if ('error' in decoded) return { error: `payload: ${decoded.error.replace(/^STRING too long.*/, `at most ${MAX_PAYLOAD} bytes`)}`, errorAt: at };
    }
    request.payload = unquoted;
    right = right.slice(0, payloadClause.index) + ' '.repeat(payloadClause[0].length) + right.slice(payloadClause.index + payloadClause[0].length);
    if (PAYLOAD_CLAUSE.test(right)) return { error: "'payload' is given twice", errorAt: arrow + 2 + right.search(PAYLOAD_CLAUSE) };
  }
  const rightWords = right.trim().split(/\s+/).filter(Boolean);
  // Source side: an endpoint and/or `from local`.
  const leftWords = left.split(/\s+/).filter(Boolean);
  let fromLocal = false;
  let sourceText: string | undefined;
  for (let i = 0; i < leftWords.length; i++) {
    const w = leftWords[i].toLowerCase();
    if (w === 'from' && leftWords[i + 1]?.toLowerCase() === 'local') {
      fromLocal = true;
      i++;
    } else if (w === 'local' || w === 'node') {
      fromLocal = true;
    } else if (sourceText === undefined) {
      sourceText = leftWords[i];
    } else {
      return { error: `unexpected '${leftWords[i]}' before '->'`, errorAt: text.indexOf(leftWords[i]) };
    }
  }
  if (sourceText === undefined) {
    if (!fromLocal) return { error: 'missing source address before ->', errorAt: 0 };
    if (!nodeAddresses.length) return { error: "'from local' needs a source address (or set the node's local addresses)", errorAt: 0 };
    // (the first of the node's addresses that is not a group, without the prefix it may be given with)
    sourceText = firstUnicast(readNodeAddresses(nodeAddresses).addresses) ?? nodeAddresses[0];
  }
  const source = parseEndpoint(sourceText);
  if (typeof source === 'string') return { error: source, errorAt: text.indexOf(sourceText) };
  request.src = source.address;
  if (source.port !== undefined) request.sport = source.port;
  if (fromLocal) request.fromLocal = true;
  // Destination: first word, possibly with /proto.
  const destinationWord = rightWords.shift();
  if (!destinationWord) return { error: 'missing destination after ->', errorAt: text.length };
  const [destinationText, protoText] = destinationWord.split('/');
  const destination = parseEndpoint(destinationText);
  if (typeof destination === 'string') return { error: destination, errorAt: text.indexOf(destinationWord) };
  request.dst = destination.address;
  if (destination.port !== undefined) request.dport = destination.port;
  const v6 = request.src.includes(':');
  if (v6 !== request.dst.includes(':')) return { error: 'source and destination must both be IPv4 or both IPv6', errorAt: text.indexOf(destinationWord) };
  if (protoText !== undefined) {
    if (protocolNumber(protoText) === undefined) return { error: `unknown protocol '${protoText}'`, errorAt: text.indexOf(destinationWord) };
    request.proto = protoText.toLowerCase();
  }
  for (let i = 0; i < rightWords.length; i++) {
    const word = rightWords[i];
    const lower = word.toLowerCase();
    const value = rightWords[i + 1];
    const at = text.lastIndexOf(word);
    const needValue = (what: string): string | undefined => (value === undefined ? `'${word}' needs ${what}` : undefined);
    switch (lower) {
      case 'in':
      case 'out': {
        const problem = needValue('an interface name');
        if (problem) return { error: problem, errorAt: at };
        if (value.length > 15) return { error: `interface name '${value}' is longer than 15 characters`, errorAt: at };
        if (lower === 'in') request.inIface = value;
        else request.outIface = value;
        i++;
        break;
      }
      case 'from':
        if (value?.toLowerCase() !== 'local') return { error: "did you mean 'from local'?", errorAt: at };
        request.fromLocal = true;
        i++;
        break;
      case 'local':
        request.fromLocal = true;
        break;
      case 'mark':
      case 'ctmark': {
        const n = parseNumber(value);
        if (n === undefined || n > 0xffffffff) return { error: `'${word}' needs a 32-bit value like 0x4000`, errorAt: at };
        if (lower === 'mark') request.mark = n;
        else request.ctmark = n;
        i++;
        break;
      }
      case 'state':
      case 'ctstate': {
        const state = value?.toUpperCase();
        if (!state || !(STATES as readonly string[]).includes(state)) return { error: `state must be one of ${STATES.join(', ')}`, errorAt: at };
        request.ctstate = state as TraceRequest['ctstate'];
        i++;
        break;
      }
      case 'sport':
      case 'dport':
      case 'len':
      case 'ttl':
      case 'type': {
        const n = parseNumber(value);
        if (n === undefined) return { error: `'${word}' needs a number`, errorAt: at };
        if ((lower === 'sport' || lower === 'dport') && n > 65535) return { error: `port ${n} is out of range (0–65535)`, errorAt: at };
        if (lower === 'sport') request.sport = n;
        else if (lower === 'dport') request.dport = n;
        else if (lower === 'len') request.length = n;
        else if (lower === 'ttl') request.ttl = n;
        else request.icmpType = n;
        i++;
        break;
      }
      case 'dscp': {
        // a number 0–63 or a DiffServ class (EF, AF41, CS1 …), as -m dscp reads them
        const n = value === undefined ? undefined : parseNumber(value) ?? dscpClassValue(value);
        if (n === undefined || n > 63) return { error: "'dscp' needs a value 0–63 or a class like EF or AF41", errorAt: at };
        request.dscp = n;
        i++;
        break;
      }
      case 'ecn': {
        // 0–3 or the RFC 3168 name of the codepoint
        const n = value === undefined ? undefined : /^[0-3]$/.test(value) ? Number(value) : (ECN_NAMES as readonly string[]).indexOf(value.toLowerCase());
        if (n === undefined || n < 0) return { error: "'ecn' needs 0–3 or not-ect, ect1, ect0, ce", errorAt: at };
        request.ecn = n;
        i++;
        break;
      }
      case 'mac': {
        if (value === undefined || macValue(value) === undefined) return { error: "'mac' needs the source MAC address of the arriving frame, like 02:00:5e:10:00:01", errorAt: at };
        request.mac = value.toLowerCase();
        i++;
        break;
      }
      case 'mtu': {
        // (the kernel drops a packet TCPMSS clamps to an MTU no larger than its headers)
        const n = parseNumber(value);
        const least = v6 ? 1280 : 68;
        if (n === undefined || n < least || n > 65535) return { error: `'mtu' needs the path MTU, ${least}–65535`, errorAt: at };
        request.mtu = n;
        i++;
        break;
      }
      case 'options': {
        const parsed = value === undefined ? undefined : parseTcpOptionList(value, v6 ? 'ipv6' : 'ipv4');
        if (!parsed || 'error' in parsed) return { error: parsed && 'error' in parsed ? `options: ${parsed.error}` : "'options' needs the TCP options, like mss=1460,sack-perm,ts,nop,wscale=7 (or linux, none)", errorAt: at };
        request.tcpOptions = parsed.normal;
        i++;
        break;
      }
      case 'ipsec': {
        const ways = value?.toLowerCase().split(',').sort().join(',');
        if (ways !== 'none' && ways !== 'in' && ways !== 'out' && ways !== 'in,out') return { error: "'ipsec' needs none, in (it arrived decapsulated), out (its route encapsulates it) or in,out", errorAt: at };
        request.ipsec = ways;
        i++;
        break;
      }
      case 'pkttype': {
        const type = value === undefined ? undefined : valueWord(PKTTYPE_OPTION, value);
        if (type !== 'unicast' && type !== 'broadcast' && type !== 'multicast') return { error: "'pkttype' needs unicast, broadcast or multicast", errorAt: at };
        request.pkttype = type;
        i++;
        break;
      }
      case 'at': {
        const time = value === undefined ? undefined : parseTraceTime(value);
        if (time === undefined) return { error: "'at' needs a date and time like 2026-11-23T09:30Z (UTC unless an offset is given)", errorAt: at };
        request.time = time;
        i++;
        break;
      }
      case 'flags': {
        if (!value || !/^[A-Za-z,]+$/.test(value)) return { error: "'flags' needs TCP flags like SYN or ACK,PSH", errorAt: at };
        request.tcpFlags = value.toUpperCase().split(',');
        i++;
        break;
      }
      default:
        if (protocolNumber(lower) !== undefined && !/^\d+$/.test(lower)) {
          request.proto = lower;
          break;
        }
        return { error: `unknown word '${word}' (expected in, out, from local, mark, state, sport, ttl, dscp, ecn, pkttype, mac, ipsec, options, mtu, payload, tcp/udp/icmp …)`, errorAt: at };
    }
  }
  if (request.proto === undefined) request.proto = request.dport !== undefined ? 'tcp' : v6 ? 'tcp' : 'tcp';
  if (v6 && request.proto === 'icmp') request.proto = 'icmpv6';
  if (request.fromLocal && request.pkttype !== undefined && request.pkttype !== 'unicast') {
    return { error: "'pkttype' is the frame a packet arrives in: a packet the node sends is unicast until it leaves", errorAt: text.search(/\bpkttype\b/i) };
  }
  if (request.fromLocal && request.ipsec?.startsWith('in')) {
    return { error: "a packet the node sends did not arrive through IPsec: use 'ipsec out' or 'ipsec none'", errorAt: text.search(/\bipsec\b/i) };
  }
  if (request.tcpOptions !== undefined) {
    const problem = tcpOptionsProblem(request, v6 ? 'ipv6' : 'ipv4');
    if (problem) return { error: problem, errorAt: text.search(problem.startsWith('len') ? /\blen\b/i : /\boptions\b/i) };
  } else if (request.payload !== undefined && request.length !== undefined) {
    const problem = payloadLengthProblem(request, v6 ? 'ipv6' : 'ipv4');
    if (problem) return { error: problem, errorAt: text.search(/\blen\b/i) };
  }
  return { request, normalized: formatPacketLine(request) };
}

/** `payload X` or `payload "X …"` (group 2 absent: nothing follows the word). */
const PAYLOAD_CLAUSE = /(^|\s)payload(?:\s+("(?:[^"\\]|\\.)*"?|[^\s"]+))?(?=\s|$)/i;

/** A double-quoted word as iptables-restore reads one: a backslash takes the next character as it is. */
function unquote(written: string): string | undefined {
  let text = '';
  for (let i = 1; i < written.length; i++) {
    const c = written[i];
    if (c === '\\' && i + 1 < written.length) text += written[++i];
    else if (c === '"') return i === written.length - 1 ? text : undefined;
    else text += c;
  }
  return undefined;
}

/**
 * TCP options belong to a TCP packet, and fix its header's length: `len` must be the headers plus the
 * payload when one is given, and at least the headers otherwise.
 */
function tcpOptionsProblem(request: TraceRequest, family: 'ipv4' | 'ipv6'): string | undefined {
  const proto = typeof request.proto === 'number' ? request.proto : protocolNumber(request.proto ?? 'tcp');
  if (proto !== 6) return "'options' are TCP options: the packet is not TCP";
  const parsed = parseTcpOptionList(request.tcpOptions!, family);
  if ('error' in parsed || request.length === undefined) return undefined;
  const headers = ipHeaderLength(family) + 20 + parsed.options.bytes.length;
  const payload = payloadBytes(request.payload);
  if (payload) return request.length === headers + payload.length ? undefined : `len ${request.length} does not fit the headers (${headers} bytes with these options) and the ${payload.length}-byte payload: len ${headers + payload.length}`;
  return request.length >= headers ? undefined : `len ${request.length} is shorter than the headers with these options: at least ${headers}`;
}

/**
 * A packet that ends with its payload: `len` must leave room for exactly its headers — for TCP 20–60
 * bytes in steps of 4 (options), for other protocols their header alone.
 */
function payloadLengthProblem(request: TraceRequest, family: 'ipv4' | 'ipv6'): string | undefined {
  const payload = payloadBytes(request.payload);
  if (!payload) return undefined;
  const proto = typeof request.proto === 'number' ? request.proto : protocolNumber(request.proto ?? 'tcp') ?? 6;
  if (transportLengthWithPayload({ family, proto, length: request.length!, payload, fragment: false }) !== undefined) return undefined;
  const headers = request.length! - ipHeaderLength(family) - payload.length;
  const expected = lengthWithPayload(family, proto, payload.length);
  return proto === 6
    ? `len ${request.length} leaves ${headers} bytes for the TCP header before the ${payload.length}-byte payload; it has 20–60 (steps of 4): len ${expected}–${expected + 40}`
    : `len ${request.length} does not fit the headers and the ${payload.length}-byte payload (the packet ends with its payload): len ${expected}`;
}

/**
 * `2026-11-23T09:30`, `…:45`, `…Z`, `…+01:00` (a date alone is midnight) → seconds since the epoch.
 * Without an offset the time is UTC, as `-m time` reads its own values (never the machine's zone).
 */
export function parseTraceTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (!m) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00', zone] = m;
  const offset = zone && zone.toUpperCase() !== 'Z' ? (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2))) : 0;
  const fields = [Number(month), Number(day), Number(hour), Number(minute), Number(second)];
  if (fields[0] < 1 || fields[0] > 12 || fields[1] < 1 || fields[1] > 31 || fields[2] > 23 || fields[3] > 59 || fields[4] > 59) return undefined;
  const wallClock = Date.UTC(Number(year), fields[0] - 1, fields[1], fields[2], fields[3], fields[4]);
  if (new Date(wallClock).getUTCDate() !== fields[1]) return undefined; // 2026-02-30
  return wallClock / 1000 - offset * 60;
}

/** `2026-11-23T09:30:00Z` for seconds since the epoch. */
export function formatTraceTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Canonical one-line form of a request (what `parsePacketLine` reads back to the same request). */
export function formatPacketLine(request: TraceRequest): string {
  const v6 = request.src.includes(':');
  const endpoint = (address: string, port?: number) => (port === undefined ? address : v6 ? `[${address}]:${port}` : `${address}:${port}`);
  const proto = typeof request.proto === 'number' ? protocolName(request.proto) : request.proto ?? 'tcp';
  const parts = [`${request.fromLocal ? 'from local ' : ''}${endpoint(request.src, request.sport)} -> ${endpoint(request.dst, request.dport)}/${proto}`];
  if (request.inIface) parts.push(`in ${request.inIface}`);
  if (request.outIface) parts.push(`out ${request.outIface}`);
  if (request.mark) parts.push(`mark 0x${request.mark.toString(16)}`);
  if (request.ctmark) parts.push(`ctmark 0x${request.ctmark.toString(16)}`);
  if (request.ctstate && request.ctstate !== 'NEW') parts.push(`state ${request.ctstate}`);
  if (request.icmpType !== undefined) parts.push(`type ${request.icmpType}`);
  if (request.tcpFlags) parts.push(`flags ${request.tcpFlags.join(',')}`);
  if (request.length !== undefined) parts.push(`len ${request.length}`);
  if (request.ttl !== undefined) parts.push(`ttl ${request.ttl}`);
  if (request.dscp) parts.push(`dscp ${request.dscp}`);
  if (request.ecn) parts.push(`ecn ${ECN_NAMES[request.ecn & 3]}`);
  // (written when it is not what the destination gives: a group's frame is multicast, 255.255.255.255's broadcast)
  if (request.pkttype && request.pkttype !== (request.fromLocal ? 'unicast' : arrivingFrameType(request.dst))) parts.push(`pkttype ${request.pkttype}`);
  if (request.mac) parts.push(`mac ${request.mac}`);
  if (request.ipsec) parts.push(`ipsec ${request.ipsec}`);
  if (request.tcpOptions !== undefined) parts.push(`options ${request.tcpOptions}`);
  if (request.mtu !== undefined) parts.push(`mtu ${request.mtu}`);
  if (request.time !== undefined) parts.push(`at ${formatTraceTime(request.time)}`);
  if (request.payload !== undefined) {
    const payload = payloadBytes(request.payload);
    parts.push(`payload "${payload ? formatHexString(payload) : request.payload}"`);
  }
  return parts.join(' ');
}
