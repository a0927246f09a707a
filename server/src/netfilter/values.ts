// Validation of option values by their grammar (ValueKind). Conservative by design: a value is
// reported as an error only when iptables-restore certainly rejects it; doubtful cases (a hostname,
// a service name we do not know) are warnings or nothing. False errors on real dumps are bugs.

import type { Family } from './model';
import type { OptionSpec } from './extensions/types';

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

/** `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `2001:db8::/32`, `host.example`, for -s / -d and similar. */
export function checkAddress(text: string, family: Family): ValueProblem | undefined {
  if (text === '') return { severity: 'error', message: 'empty address' };
  const slash = text.indexOf('/');
  const host = slash >= 0 ? text.slice(0, slash) : text;
  const mask = slash >= 0 ? text.slice(slash + 1) : undefined;
  if (family === 'ipv4') {
    if (!IPV4.test(host)) {
      if (isIPv6(host)) return { severity: 'error', message: `'${host}' is an IPv6 address in an IPv4 (iptables) dump` };
      if (DOTTED_QUAD_LIKE.test(host)) return { severity: 'error', message: `host/network '${host}' is not a valid IPv4 address` };
      if (!HOSTNAME.test(host)) return { severity: 'error', message: `host/network '${host}' is not an address or host name` };
      return { severity: 'information', message: `'${host}' is a host name: iptables resolves it once, when the rules are loaded` };
    }
    if (mask !== undefined) {
      if (/^\d+$/.test(mask)) {
        if (Number(mask) > 32) return { severity: 'error', message: `invalid mask '/${mask}': at most /32` };
      } else if (!IPV4.test(mask)) {
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
    if (/^\d+$/.test(mask)) {
      if (Number(mask) > 128) return { severity: 'error', message: `invalid mask '/${mask}': at most /128` };
    } else if (!isIPv6(mask)) {
      return { severity: 'error', message: `invalid mask '/${mask}'` };
    }
  }
  return undefined;
}

function checkNumber(text: string, max: number, what: string): ValueProblem | undefined {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) return { severity: 'error', message: `'${text}' is not a valid ${what}` };
  const value = Number(text);
  if (value > max) return { severity: 'error', message: `${what} '${text}' is out of range (max ${max})` };
  return undefined;
}

const SERVICE_NAME = /^[A-Za-z][A-Za-z0-9_.+-]*$/;

export function checkPort(text: string): ValueProblem | undefined {
  if (/^\d+$/.test(text)) return Number(text) > 65535 ? { severity: 'error', message: `invalid port '${text}': ports go up to 65535` } : undefined;
  if (SERVICE_NAME.test(text)) return KNOWN_SERVICES.has(text) ? undefined : { severity: 'warning', message: `'${text}' is read as a service name from /etc/services when the rules are loaded` };
  return { severity: 'error', message: `invalid port/service '${text}'` };
}

export function checkPortRange(text: string): ValueProblem | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return checkPort(text);
  const low = text.slice(0, colon);
  const high = text.slice(colon + 1);
  for (const part of [low, high]) {
    if (part === '') continue;
    const problem = checkPort(part);
    if (problem) return problem;
  }
  if (/^\d+$/.test(low) && /^\d+$/.test(high) && Number(low) > Number(high)) {
    return { severity: 'warning', message: `port range '${text}' is reversed; iptables swaps it to ${high}:${low}` };
  }
  return undefined;
}

export function checkPortList(text: string): ValueProblem | undefined {
  const parts = text.split(',');
  if (parts.length > 15) return { severity: 'error', message: `too many ports in '${text}' (multiport allows 15)` };
  for (const part of parts) {
    const problem = checkPortRange(part);
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

/** Check one argument of an option against its declared grammar. */
export function checkValue(spec: OptionSpec, text: string, family: Family): ValueProblem | undefined {
  if (text === '!') return { severity: 'error', message: `'!' must come before the option: write '! --${spec.name} …'` };
  switch (spec.value) {
    case 'int':
      return checkNumber(text, Number.MAX_SAFE_INTEGER, 'number');
    case 'port':
      return checkPort(text);
    case 'port-range':
      return checkPortRange(text);
    case 'port-list':
      return checkPortList(text);
    case 'mark':
      return checkMark(text);
    case 'interface':
      return checkInterface(text);
    case 'address': {
      for (const part of text.split(',')) {
        const problem = checkAddress(part, family);
        if (problem && problem.severity === 'error') return problem;
      }
      return undefined;
    }
    case 'enum': {
      if (!spec.values) return undefined;
      const ok = spec.values.some((v) => v.toLowerCase() === text.toLowerCase());
      return ok ? undefined : { severity: 'error', message: `'${text}' is not one of ${spec.values.join(', ')}` };
    }
    case 'enum-list':
    case 'flags': {
      if (!spec.values) return undefined;
      const allowed = new Set(spec.values.map((v) => v.toLowerCase()));
      for (const part of text.split(',')) {
        if (!allowed.has(part.toLowerCase())) return { severity: 'error', message: `'${part}' is not one of ${spec.values.join(', ')}` };
      }
      return undefined;
    }
    default:
      return undefined;
  }
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
