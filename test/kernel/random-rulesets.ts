// Random rulesets and packets for the kernel differential: small iptables-save dumps built from the
// matches and targets the simulator models, and one packet, both drawn from the same few addresses,
// ports and interfaces so that about half of the matches match. Reproducible from a seed.
//
// Every dump is meant to be one the kernel loads: targets only where the kernel accepts them (nat
// user chains are reached from one hook family only), jumps only to later user chains (no loops).
// A dump the kernel refuses anyway is reported by the campaign as a generator bug, not compared.

import { Rng } from '../fuzz/rng';
import { MAC, type PacketSpec } from './oracle';
import { findMatch, findTarget } from '../../server/src/netfilter/extensions/registry';
import type { OptionSpec } from '../../server/src/netfilter/extensions/types';
import { valueWord } from '../../server/src/netfilter/values';
import { parseAddress } from '../../server/src/netfilter/addr';

/** The spec of option `name` of match (or, with `target`, target) `owner`. */
function optionSpec(owner: string, name: string, target = false): OptionSpec {
  return (target ? findTarget(owner, 'ipv4') : findMatch(owner, 'ipv4'))!.options.find((o) => o.name === name)!;
}

/**
 * A list of `spec`'s values as people also write them and iptables reads the same (values.ts
 * valueWord): in lower case, cut to their start (`est,rel`), or another name (`bcast`).
 */
function respelled(rng: Rng, spec: OptionSpec, list: string): string {
  if (!rng.chance(0.3)) return list;
  return list.split(',').map((word) => {
    const candidates = [word.toLowerCase(), ...(spec.valueAliases?.[word] ?? [])];
    for (let length = 1; length < word.length; length++) candidates.push(word.slice(0, length));
    const same = candidates.filter((candidate) => valueWord(spec, candidate) === word);
    return same.length ? rng.pick(same) : word;
  }).join(',');
}

export interface RandomKernelCase {
  name: string;
  seed: number;
  dumpText: string;
  /** `ipset save` text the dump's set matches and SET targets name (undefined: the dump uses none) */
  ipsets?: string;
  packet: Omit<PacketSpec, 'nodeAddresses'>;
  nodeAddresses: string[];
}

/** Addresses, networks and the family's spelling of ICMP, TTL, REJECT: everything that differs by family. */
interface Vocabulary {
  family: 'ipv4' | 'ipv6';
  node: string;
  /** the node's second address: on the uplink when the packet leaves by a second interface */
  uplinkAddress: string;
  clients: string[];
  remotes: string[];
  cidrs: string[];
  ranges: string[];
  dnatTargets: string[];
  icmp: { proto: string; module: string; option: string; types: string[] };
  ttl: { module: string; prefix: string; target: string; targetPrefix: string };
  rejectWith: string;
  /** ipsets the node has when a dump uses one (`ipset save` text), and the flags each set takes */
  ipsets: { text: string; sets: Array<{ name: string; flags: string[] }> };
  netmapTo: string;
}

/**
 * One set per kind of element the simulator reads (address, network with a nomatch hole, address +
 * protocol:port, a port bitmap, an empty set). A single flag on a two-dimensional set is generated on
 * purpose: the kernel then matches nothing.
 */
function ipsetsFor(family: 'inet' | 'inet6', members: { ip: string[]; net: string[]; ipport: string[] }): Vocabulary['ipsets'] {
  const hash = (name: string, type: string) => `create ${name} ${type} family ${family} hashsize 1024 maxelem 65536`;
  const lines = [
    hash('lens-ip', 'hash:ip'), ...members.ip.map((m) => `add lens-ip ${m}`),
    hash('lens-net', 'hash:net'), ...members.net.map((m) => `add lens-net ${m}`),
    hash('lens-ipport', 'hash:ip,port'), ...members.ipport.map((m) => `add lens-ipport ${m}`),
    'create lens-ports bitmap:port range 1-1024', 'add lens-ports 22', 'add lens-ports 53',
    hash('lens-none', 'hash:ip'),
  ];
  const one = ['src', 'dst'];
  return {
    text: lines.join('\n') + '\n',
    sets: [
      { name: 'lens-ip', flags: one }, { name: 'lens-net', flags: one }, { name: 'lens-none', flags: one },
      { name: 'lens-ipport', flags: ['src,dst', 'dst,dst', 'src,src', 'dst,src', 'src', 'dst,dst,dst'] },
      { name: 'lens-ports', flags: one },
    ],
  };
}

const IPV4: Vocabulary = {
  family: 'ipv4',
  node: '172.20.0.3',
  uplinkAddress: '203.0.113.7',
  clients: ['192.168.50.9', '10.99.1.1', '10.244.1.5'],
  remotes: ['10.1.2.3', '8.8.8.8'],
  cidrs: [
    '192.168.50.0/24', '192.168.0.0/16', '192.168.50.9/32', '10.0.0.0/8', '10.244.0.0/16', '10.99.1.1/32',
    '172.20.0.3/32', '172.20.0.0/16', '8.8.8.8/32', '10.1.2.0/24', '203.0.113.0/24', '224.0.0.0/4',
  ],
  ranges: ['192.168.50.1-192.168.50.100', '10.0.0.0-10.255.255.255', '172.20.0.1-172.20.0.2', '8.8.8.8-8.8.8.8'],
  dnatTargets: ['10.1.2.3', '10.1.2.3:8080', '172.20.0.3:8080', '172.20.0.3', '8.8.4.4'],
  icmp: { proto: 'icmp', module: 'icmp', option: '--icmp-type', types: ['8', 'echo-request', 'echo-reply', '3', 'any'] },
  ttl: { module: 'ttl', prefix: '--ttl', target: 'TTL', targetPrefix: '--ttl' },
  rejectWith: 'icmp-port-unreachable',
  ipsets: ipsetsFor('inet', {
    ip: ['192.168.50.9', '8.8.8.8', '172.20.0.3'],
    net: ['10.0.0.0/8', '10.99.1.0/24 nomatch', '192.168.50.0/24'],
    ipport: ['192.168.50.9,tcp:80', '10.99.1.1,udp:53', '172.20.0.3,tcp:443', '8.8.8.8,udp:53', '10.244.1.5,tcp:22'],
  }),
  netmapTo: '10.1.2.0/24',
};

const IPV6: Vocabulary = {
  family: 'ipv6',
  node: '2001:db8:1::10',
  uplinkAddress: '2001:db8:ff::7',
  clients: ['2001:db8:2::9', '2001:db8:99::1', 'fd00:244:1::5'],
  remotes: ['2001:db8:100::5', '2001:4860::8888'],
  cidrs: [
    '2001:db8:2::/64', '2001:db8::/32', '2001:db8:2::9/128', 'fd00::/8', 'fd00:244::/32', '2001:db8:99::1/128',
    '2001:db8:1::10/128', '2001:db8:1::/48', '2001:4860::8888/128', '2001:db8:100::/64', '2001:db8:ff::/48', 'ff00::/8',
  ],
  ranges: ['2001:db8:2::1-2001:db8:2::100', 'fd00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db8:1::1-2001:db8:1::f'],
  dnatTargets: ['2001:db8:100::5', '[2001:db8:100::5]:8080', '[2001:db8:1::10]:8080', '2001:db8:1::10', '2001:4860::8844'],
  icmp: { proto: 'ipv6-icmp', module: 'icmp6', option: '--icmpv6-type', types: ['128', 'echo-request', 'echo-reply', '1', 'destination-unreachable'] },
  ttl: { module: 'hl', prefix: '--hl', target: 'HL', targetPrefix: '--hl' },
  rejectWith: 'icmp6-port-unreachable',
  ipsets: ipsetsFor('inet6', {
    ip: ['2001:db8:2::9', '2001:4860::8888', '2001:db8:1::10'],
    net: ['fd00::/8', '2001:db8:99::/64 nomatch', '2001:db8:2::/64', '2001:db8::/32'],
    ipport: ['2001:db8:2::9,tcp:80', '2001:db8:99::1,udp:53', '2001:db8:1::10,tcp:443', '2001:4860::8888,udp:53'],
  }),
  netmapTo: '2001:db8:100::/64',
};

const PORTS = [22, 53, 80, 443, 8080];
const IN_IFACES = ['eth0', 'eth1', 'ens3'];
const UPLINK = 'wan0';
const IFACE_PATTERNS = ['eth0', 'eth1', 'eth+', 'ens3', 'wan0', 'lo', 'e+'];
const MARKS = ['0x1', '0x2', '0x4000', '0x10'];
const MASKS = ['0xffffffff', '0x1', '0xff', '0x4000', '0xf0'];

type TableName = 'raw' | 'mangle' | 'nat' | 'filter';

const BUILTINS: Record<TableName, string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/**
 * User chains per table. nat's are split by the hooks that may reach them, because the kernel
 * refuses a DNAT in a chain reachable from POSTROUTING and a SNAT/MASQUERADE reachable from PREROUTING.
 */
const USER_CHAINS: Record<TableName, Array<{ name: string; from: string[] }>> = {
  raw: [{ name: 'RAW-A', from: ['PREROUTING', 'OUTPUT'] }, { name: 'RAW-B', from: ['PREROUTING', 'OUTPUT'] }],
  mangle: [{ name: 'MARKS-A', from: BUILTINS.mangle }, { name: 'MARKS-B', from: BUILTINS.mangle }],
  nat: [{ name: 'DEST-A', from: ['PREROUTING', 'OUTPUT'] }, { name: 'DEST-B', from: ['PREROUTING', 'OUTPUT'] }, { name: 'SOURCE-A', from: ['POSTROUTING'] }],
  filter: [{ name: 'CHECK-A', from: BUILTINS.filter }, { name: 'CHECK-B', from: BUILTINS.filter }, { name: 'CHECK-C', from: BUILTINS.filter }],
};

export function randomKernelCase(seed: number): RandomKernelCase {
  const rng = new Rng(seed);
  const v = rng.chance(0.25) ? IPV6 : IPV4;
  const packet = randomPacket(rng, v);
  // (drawn from a second stream, so the rules of every earlier seed stay what they were)
  const { joined, nodePrefix } = destinationVariant(new Rng((seed ^ 0x9e3779b9) >>> 0), v, packet);
  const node = nodePrefix ? `${v.node}/${nodePrefix}` : v.node;
  const tables: TableName[] = ['filter'];
  if (rng.chance(0.5)) tables.unshift('mangle');
  if (rng.chance(0.6)) tables.push('nat');
  if (rng.chance(0.3)) tables.unshift('raw');
  const lines = [`# random ${v.family === 'ipv6' ? 'ip6tables' : 'iptables'} ruleset, seed ${seed}`];
  // The oracle re-arms tracing on lo by the packet's source address: a packet the node sends to
  // itself must keep it, so source NAT may only map it to the address it already has — for every
  // packet the node sends, as a DNAT in OUTPUT can turn it back to the node (campaign seed 100396).
  const loopback = !!packet.fromLocal;
  const g: Generation = { rng, v, loopback, usesSets: false, hashlimits: 0 };
  for (const table of tables) lines.push(...randomTable(g, table));
  const what = packet.fromLocal ? 'node ->' : `${packet.inIface ?? 'ipl0'}:`;
  const port = packet.dport ? (v.family === 'ipv6' ? `, port ${packet.dport}` : `:${packet.dport}`) : '';
  return {
    name: `random #${seed}: ${what} ${packet.src} -> ${packet.dst}${port}/${packet.proto}${packet.dscp ? ` dscp ${packet.dscp}` : ''}${packet.ecn ? ` ecn ${packet.ecn}` : ''}${packet.payload ? ` payload "${packet.payload}"` : ''}${packet.frame ? ` in a ${packet.frame} frame` : ''}${packet.rawFrame ? ' (raw frame)' : ''}${joined.length ? ` joined ${joined.join(',')}` : ''}${nodePrefix ? ` node ${node}` : ''} (${tables.join(', ')})`,
    seed,
    dumpText: lines.join('\n') + '\n',
    ipsets: g.usesSets ? v.ipsets.text : undefined,
    packet,
    // (IPv6: one address — REDIRECT takes an address of the incoming link, and which one the kernel
    // lists first for IPv6 is not the order they were added: campaign seed 501836; the simulator
    // takes the first node address and says so)
    nodeAddresses: [...(v.family === 'ipv6' ? [node] : [node, v.uplinkAddress]), ...joined],
  };
}

const GROUPS = {
  ipv4: ['224.0.0.251', '239.255.255.250', '224.0.0.1', '255.255.255.255'],
  // (all nodes, all routers, a solicited-node group of the node's address, mDNS, a global group)
  ipv6: ['ff02::1', 'ff02::2', 'ff02::1:ff00:10', 'ff02::fb', 'ff0e::1234'],
};

/**
 * Sometimes (one case in five) turn a UDP or ICMP packet into one routing treats apart
 * (trace/destinations.ts): to a group or a broadcast address — maybe one the node has joined (IPv4
 * only: a group joined on IPv6 becomes an address REDIRECT could pick), or its subnet's broadcast
 * address (the node's address then given with its prefix) —, in a broadcast or multicast frame, or
 * from a martian source (the node's own address, a group, 0.0.0.0). Returns the groups the node joins
 * and the prefix of its address, if given.
 */
function destinationVariant(rng: Rng, v: Vocabulary, packet: Omit<PacketSpec, 'nodeAddresses'>): { joined: string[]; nodePrefix?: number } {
  const none = { joined: [] };
  if (packet.proto === 'tcp' || !rng.chance(0.2)) return none;
  const groups = GROUPS[v.family];
  const variant = rng.pick(['group', 'group', 'frame', 'martian'] as const);
  if (variant === 'group' || packet.fromLocal) {
    delete packet.outIface;
    delete packet.outAddress;
    if (v.family === 'ipv4' && rng.chance(0.25)) {
      // the broadcast address of the node's subnet (its address given as /24), in a broadcast frame
      packet.dst = SUBNET_BROADCAST;
      if (!packet.fromLocal) packet.frame = 'broadcast';
      return { joined: [], nodePrefix: 24 };
    }
    packet.dst = rng.pick(groups);
    return { joined: v.family === 'ipv4' && packet.dst !== '255.255.255.255' && rng.chance(0.5) ? [packet.dst] : [] };
  }
  if (variant === 'frame') {
    packet.frame = rng.pick(['broadcast', 'multicast'] as const);
    return none;
  }
  // martians: the node's own address as the source, a group (IPv6: dropped on arrival), or 0.0.0.0
  // (to the node, or a DHCP discover)
  if (packet.proto !== 'udp') return none;
  packet.rawFrame = true;
  const martian = rng.pick(v.family === 'ipv6' ? ['node', 'group'] : ['node', 'group', 'zero'] as const);
  if (martian === 'node') packet.src = v.node;
  else if (martian === 'group') packet.src = v.family === 'ipv6' ? 'ff0e::5' : '224.0.0.5';
  else {
    packet.src = '0.0.0.0';
    if (rng.chance(0.5)) packet.dst = '255.255.255.255';
  }
  delete packet.outIface;
  delete packet.outAddress;
  return none;
}

/** the broadcast address of 172.20.0.3/24, the IPv4 node's address when a case gives its prefix */
const SUBNET_BROADCAST = '172.20.0.255';

interface Generation {
  rng: Rng;
  v: Vocabulary;
  loopback: boolean;
  /** a rule names an ipset: the node gets v.ipsets */
  usesSets: boolean;
  /** hashlimit names handed out (the kernel shares one table per name, whatever the options) */
  hashlimits: number;
}

function randomPacket(rng: Rng, v: Vocabulary): Omit<PacketSpec, 'nodeAddresses'> {
  const proto = rng.pick(['tcp', 'tcp', 'tcp', 'udp', 'udp', 'icmp'] as const);
  // (a DSCP on the wire for the dscp / tos matches: 10 is AF11, 34 AF41, 46 EF)
  const ports = { ...(proto === 'icmp' ? {} : { dport: rng.pick(PORTS), sport: rng.pick([40000, 40000, 1234]) }), ...(rng.chance(0.3) ? { dscp: rng.pick([4, 10, 34, 46]) } : {}) };
  // (UDP and ICMP carry a payload, -m string searches it: the oracle's default or one of PAYLOADS)
  if (proto !== 'tcp' && rng.chance(0.4)) Object.assign(ports, { payload: rng.pick(PAYLOADS) });
  // (and an ECN field: a TCP socket does not let its sender set one)
  if (proto !== 'tcp' && rng.chance(0.3)) Object.assign(ports, { ecn: 1 + rng.int(3) });
  const kind = rng.pick(['to-node', 'to-node', 'forward', 'forward', 'from-node'] as const);
  if (kind === 'from-node') {
    const dst = rng.chance(0.3) ? v.node : rng.pick(v.remotes);
    return { src: v.node, dst, proto, ...ports, fromLocal: true };
  }
  const src = rng.pick(v.clients);
  const inIface = rng.pick(IN_IFACES);
  if (kind === 'to-node') return { src, dst: v.node, proto, ...ports, inIface };
  // (the oracle cannot route IPv6 out by a second link: `onlink` next hops are IPv4 only)
  const uplink = v.family === 'ipv4' && rng.chance(0.5) ? { outIface: UPLINK, outAddress: v.uplinkAddress } : {};
  return { src, dst: rng.pick(v.remotes), proto, ...ports, inIface, ...uplink };
}

function randomTable(g: Generation, table: TableName): string[] {
  const { rng } = g;
  const users = USER_CHAINS[table].slice(0, rng.int(USER_CHAINS[table].length + 1));
  const lines = [`*${table}`];
  for (const chain of BUILTINS[table]) {
    const policy = table === 'filter' && rng.chance(0.3) ? 'DROP' : 'ACCEPT';
    lines.push(`:${chain} ${policy} [0:0]`);
  }
  for (const user of users) lines.push(`:${user.name} - [0:0]`);
  for (const chain of BUILTINS[table]) {
    const reachable = users.filter((u) => u.from.includes(chain));
    for (let i = rng.int(5); i > 0; i--) lines.push(`-A ${chain} ${randomRule(g, table, chain, [chain], reachable)}`);
  }
  users.forEach((user, index) => {
    // jumps go to later user chains only, reachable from every hook this chain is reached from
    const later = users.slice(index + 1).filter((u) => user.from.every((hook) => u.from.includes(hook)));
    for (let i = 1 + rng.int(4); i > 0; i--) lines.push(`-A ${user.name} ${randomRule(g, table, user.name, user.from, later)}`);
  });
  lines.push('COMMIT');
  return lines;
}

function randomRule(g: Generation, table: TableName, chain: string, hooks: string[], callees: Array<{ name: string }>): string {
  const { rng, v } = g;
  const parts: string[] = [];
  const not = (p: number) => (rng.chance(p) ? '! ' : '');
  if (rng.chance(0.3)) parts.push(`${not(0.2)}-s ${rng.pick(v.cidrs)}`);
  if (rng.chance(0.3)) parts.push(`${not(0.2)}-d ${rng.pick(v.cidrs)}`);
  // -i is refused in OUTPUT/POSTROUTING and -o in PREROUTING/INPUT, also in user chains reached from them
  const inOk = hooks.every((h) => ['PREROUTING', 'INPUT', 'FORWARD'].includes(h));
  const outOk = hooks.every((h) => ['OUTPUT', 'FORWARD', 'POSTROUTING'].includes(h));
  if (inOk && rng.chance(0.25)) parts.push(`${not(0.25)}-i ${rng.pick(IFACE_PATTERNS)}`);
  if (outOk && rng.chance(0.25)) parts.push(`${not(0.25)}-o ${rng.pick(IFACE_PATTERNS)}`);
  let proto: string | undefined;
  if (rng.chance(0.55)) {
    proto = rng.pick(['tcp', 'tcp', 'udp', v.icmp.proto]);
    if (rng.chance(0.1)) {
      // numeric spellings and `all`: no protocol module follows them
      // (`! -p all` is refused: "rule would never match protocol")
      const numeric = rng.pick(['6', '17', v.family === 'ipv4' ? '1' : '58', 'all']);
      parts.push(`${numeric === 'all' ? '' : not(0.2)}-p ${numeric}`);
      proto = undefined;
    } else
    if (rng.chance(0.1)) {
      parts.push(`! -p ${proto}`);
      proto = undefined;
    } else {
      parts.push(`-p ${proto}`, ...protocolMatch(g, proto));
    }
  }
  const extras = rng.int(3);
  for (let i = 0; i < extras; i++) {
    const extra = extraMatch(g, hooks, proto);
    // -f is a flag of the rule, not a module: restore refuses it twice
    if (/^(! )?-f$/.test(extra) && parts.some((p) => /^(! )?-f$/.test(p))) continue;
    parts.push(extra);
  }
  parts.push(...target(g, table, chain, hooks, callees, proto));
  return parts.filter(Boolean).join(' ');
}

function portSpec(rng: Rng, module: string): string {
  const port = rng.pick(PORTS);
  if (!rng.chance(0.3)) return `${port}`;
  const low = Math.max(1, port - rng.int(40));
  // multiport refuses a range whose ends are equal, tcp/udp take it
  const high = port + rng.int(40) + (module === 'multiport' ? 1 : 0);
  return `${low}:${high}`;
}

function protocolMatch(g: Generation, proto: string): string[] {
  const { rng, v } = g;
  const not = (p: number) => (rng.chance(p) ? '! ' : '');
  if (proto === v.icmp.proto) {
    const type = v.family === 'ipv4' && rng.chance(0.3) ? rng.pick(['8/0', '0/0', '3/3', '8/1']) : rng.pick(v.icmp.types);
    return rng.chance(0.6) ? [`-m ${v.icmp.module}`, `${not(0.2)}${v.icmp.option} ${type}`] : [];
  }
  if (rng.chance(0.2)) {
    const list = Array.from({ length: 1 + rng.int(3) }, () => portSpec(rng, 'multiport')).join(',');
    return ['-m multiport', `${not(0.2)}--${rng.pick(['dports', 'sports', 'ports'])} ${list}`];
  }
  const options: string[] = [];
  if (rng.chance(0.6)) options.push(`${not(0.2)}--dport ${portSpec(rng, proto)}`);
  if (rng.chance(0.2)) options.push(`${not(0.2)}--sport ${rng.pick(['40000', '1234', '1024:65535', '0:1023'])}`);
  // a range of every port: iptables-nft 1.8.9 loads it as no test, `!` included (saved-by.ts dropsFullPortRanges)
  const free = ['dport', 'sport'].filter((name) => !options.some((o) => o.includes(`--${name} `)));
  if (free.length && rng.chance(0.08)) options.push(`${not(0.6)}--${rng.pick(free)} ${rng.pick(['0:65535', ':', '0:', ':65535'])}`);
  if (proto === 'tcp' && rng.chance(0.1)) options.push(`${not(0.3)}--tcp-option ${rng.pick(['2', '3', '4', '8', '30'])}`);
  if (proto === 'tcp' && rng.chance(0.25)) {
    options.push(rng.pick(['--tcp-flags SYN,ACK SYN', '! --tcp-flags SYN,ACK SYN', '--tcp-flags FIN,SYN,RST,ACK SYN', '--tcp-flags SYN,RST SYN,RST', '--tcp-flags ACK ACK',
      // COMP outside MASK never matches; strtok skips empty items; no flag at all is every packet for both loaders
      '--tcp-flags SYN SYN,ACK', '--tcp-flags ,SYN,,RST, SYN', '--tcp-flags NONE NONE']));
  }
  return options.length ? [`-m ${proto}`, ...options] : [];
}

/** Whether a stateful match on this rule would also count the node's own neighbour discovery / MLD. */
function countsNeighbourDiscovery(family: string, proto: string | undefined): boolean {
  return family === 'ipv6' && proto !== 'tcp' && proto !== 'udp';
}

function extraMatch(g: Generation, hooks: string[], proto: string | undefined): string {
  const { rng, v } = g;
  const not = (p: number) => (rng.chance(p) ? '! ' : '');
  switch (rng.int(24)) {
    case 23: {
      // -m string over the whole packet: patterns of the payloads and of the headers (the node's
      // address), in any case with --icase, and windows that end at, or one byte before, a pattern's end
      const payloadStart = v.family === 'ipv4' ? 28 : 48;
      const pattern = rng.pick(['--string iptables', '--string lens', '--string IPTABLES', '--string "Host: example"', '--string "GET /"',
        '--hex-string "|0d0a|"', '--hex-string "|07|example"', '--hex-string "|c9|"', '--hex-string "|bf|"', `--hex-string "|${addressHex(v.node)}|"`, '--string zz']);
      const window = rng.pick(['', '', '', ` --from ${payloadStart}`, ` --from ${payloadStart + 1}`, ` --to ${payloadStart + 12}`, ` --to ${payloadStart + 13}`,
        ` --from ${payloadStart} --to ${payloadStart + 4}`, ' --from 12 --to 20', ` --to ${v.family === 'ipv4' ? 20 : 40}`]);
      return `-m string ${not(0.25)}${pattern} --algo ${rng.pick(['bm', 'kmp'])}${window}${rng.chance(0.3) ? ' --icase' : ''}`;
    }
    case 19: {
      const set = rng.pick(v.ipsets.sets);
      g.usesSets = true;
      const nomatch = set.name === 'lens-net' && rng.chance(0.25) ? ' --return-nomatch' : '';
      return `-m set ${not(0.25)}--match-set ${set.name} ${rng.pick(set.flags)}${nomatch}`;
    }
    case 20: {
      // the TCP bits need `-p tcp` (the kernel refuses them otherwise); IP ECT on any packet
      const options = proto === 'tcp' ? ['--ecn-tcp-cwr', '--ecn-tcp-ece', '--ecn-ip-ect 0', '--ecn-ip-ect 2'] : ['--ecn-ip-ect 0', '--ecn-ip-ect 1'];
      return `-m ecn ${not(0.3)}${rng.pick(options)}`;
    }
    // (quota and hashlimit count packets: in IPv6 only on a TCP/UDP rule, see case 14)
    case 21: if (countsNeighbourDiscovery(v.family, proto)) return '-m comment --comment "no quota for IPv6 ICMP"';
      return `-m quota ${not(0.2)}--quota ${rng.pick(['0', '40', '41', '60', '1000000'])}`;
    case 22: if (countsNeighbourDiscovery(v.family, proto)) return '-m comment --comment "no hashlimit for IPv6 ICMP"';
      return `-m hashlimit --hashlimit-${rng.pick(['upto', 'above'])} ${rng.pick(['1/sec', '1/hour', '100/sec'])} --hashlimit-burst 5 ` +
        `--hashlimit-mode ${rng.pick(['srcip', 'dstip', 'srcip,dstport'])} --hashlimit-name lens${++g.hashlimits}`;
    case 17: {
      // addrtype limited to the packet's interface (in: PREROUTING/INPUT/FORWARD, out: OUTPUT/FORWARD/POSTROUTING)
      const inOk = hooks.every((h) => ['PREROUTING', 'INPUT', 'FORWARD'].includes(h));
      const outOk = hooks.every((h) => ['OUTPUT', 'FORWARD', 'POSTROUTING'].includes(h));
      const limit = inOk ? ' --limit-iface-in' : outOk ? ' --limit-iface-out' : '';
      return `-m addrtype ${not(0.2)}--dst-type ${rng.pick(['LOCAL', 'UNICAST'])}${limit}`;
    }
    case 18: return v.family === 'ipv4'
      ? rng.pick(['-f', '! -f']) // a later fragment; the traced packet is a whole one
      // extension headers: the traced packet has none, only its upper-layer protocol ("prot")
      : rng.pick(['-m frag --fragmore', '-m frag ! --fragid 5', '-m ipv6header --header frag --soft', '-m hbh', '-m dst ! --dst-len 8',
        '-m rt --rt-type 0', '-m rt ! --rt-type 0', '-m ah ! --ahspi 1', `-m ipv6header ${not(0.3)}--header ${rng.pick(['prot', 'hop,prot', 'none', 'esp'])}`,
        `-m ipv6header ${not(0.3)}--header ${rng.pick(['prot', 'hop,frag', 'hop,prot'])} --soft`]);
    case 13: {
      // the rest of conntrack's tuple and status options
      const address = rng.pick(v.cidrs);
      return `-m conntrack ${rng.pick([
        `${not(0.2)}--ctorigsrc ${address}`, `${not(0.2)}--ctreplsrc ${address}`, `${not(0.2)}--ctrepldst ${address}`,
        `${not(0.2)}--ctorigdstport ${rng.pick(PORTS)}`, `${not(0.2)}--ctorigsrcport ${rng.pick(['40000', '1234', '1024:65535'])}`,
        `${not(0.2)}--ctreplsrcport ${rng.pick(PORTS)}`, `--ctproto ${rng.pick(['tcp', 'udp', '6', '17'])}`,
        `${not(0.2)}--ctstatus ${respelled(rng, optionSpec('conntrack', 'ctstatus'), rng.pick(['NONE', 'CONFIRMED', 'SEEN_REPLY', 'ASSURED']))}`,
        // (a state test with another option: without a conntrack entry the state test alone decides)
        `${not(0.3)}--ctstate ${rng.pick(['UNTRACKED', 'INVALID', 'NEW', 'UNTRACKED,NEW'])} ${rng.pick([`${not(0.3)}--ctstatus ${rng.pick(['NONE', 'CONFIRMED'])}`, '--ctdir REPLY', `${not(0.3)}--ctproto ${rng.pick(['6', '17', '47'])}`, `${not(0.3)}--ctorigdst ${address}`])}`,
      ])}`;
    }
    // Stateful matches count every packet, and an IPv6 node sends and receives neighbour discovery
    // and MLD before the traced packet (campaign seed 200160: a burst-1 limit already spent): in
    // IPv6 they only go on rules that name TCP or UDP, which those ICMPv6 messages never meet.
    case 14: if (countsNeighbourDiscovery(v.family, proto)) return '-m comment --comment "no stateful match for IPv6 ICMP"';
      return rng.pick([
      // (burst 5: the simulator assumes a limit has credit; a burst-1 limit in a chain that one packet
      // reaches from two hooks runs dry on the second visit — campaign seed 201324, not modelled)
      '-m limit --limit 1/sec --limit-burst 5', '-m limit --limit 1/hour --limit-burst 5',
      `-m statistic --mode nth --every ${rng.pick(['1', '2', '3'])} --packet 0`,
      // (the counters of the traced connection: its first packet)
      `-m connbytes ${not(0.2)}--connbytes ${rng.pick(['1', '2:', '0:0', '41:60', '60', ':59'])} --connbytes-dir ${rng.pick(['original', 'reply', 'both'])} --connbytes-mode ${rng.pick(['packets', 'bytes', 'avgpkt'])}`,
    ]);
    case 15: if (countsNeighbourDiscovery(v.family, proto)) return '-m comment --comment "no stateful match for IPv6 ICMP"';
      return rng.pick(['-m recent --set --name seen', '-m recent --rcheck --name seen', '-m recent --update --seconds 60 --name seen']);
    case 16: return hooks.every((h) => h === 'OUTPUT') ? `-m owner ${not(0.2)}--uid-owner ${rng.pick(['0', '1000'])}` : `-m comment --comment "owner only in OUTPUT"`;
    case 0: return `-m conntrack ${not(0.2)}--ctstate ${respelled(rng, optionSpec('conntrack', 'ctstate'), rng.pick(['NEW', 'ESTABLISHED', 'RELATED,ESTABLISHED', 'INVALID', 'UNTRACKED', 'DNAT', 'SNAT', 'NEW,UNTRACKED']))}`;
    case 1: return rng.chance(0.5)
      ? `-m conntrack ${not(0.2)}--ctorigdst ${hostmaskForm(rng, rng.pick(v.cidrs))}`
      : `-m conntrack --ctdir ${respelled(rng, optionSpec('conntrack', 'ctdir'), rng.pick(['ORIGINAL', 'REPLY']))}`;
    case 2: return `-m state ${not(0.1)}--state ${respelled(rng, optionSpec('state', 'state'), rng.pick(['NEW', 'ESTABLISHED,RELATED', 'INVALID', 'UNTRACKED']))}`;
    case 3: return `-m mark ${not(0.2)}--mark ${rng.pick(MARKS)}${rng.chance(0.5) ? `/${rng.pick(MASKS)}` : ''}`;
    case 4: return `-m connmark ${not(0.2)}--mark ${rng.pick(MARKS)}${rng.chance(0.5) ? `/${rng.pick(MASKS)}` : ''}`;
    case 5: {
      const which = rng.chance(0.5) ? '--dst-type' : '--src-type';
      // IPv6 refuses BROADCAST (place/match-family)
      const types = v.family === 'ipv4' ? ['LOCAL', 'UNICAST', 'BROADCAST', 'MULTICAST', 'LOCAL,UNICAST'] : ['LOCAL', 'UNICAST', 'MULTICAST', 'LOCAL,UNICAST', 'ANYCAST'];
      return `-m addrtype ${not(0.2)}${which} ${rng.pick(types)}`;
    }
    case 6: {
      const which = rng.chance(0.5) ? '--src-range' : '--dst-range';
      return `-m iprange ${not(0.2)}${which} ${rng.pick(v.ranges)}`;
    }
    case 7: return `-m comment --comment "rule ${rng.int(100)}"`;
    case 8: return `-m statistic --mode random --probability ${rng.pick(['0.5', '0.25000000000', '0.10000000009'])}`;
    case 9: return hooks.includes('OUTPUT') || hooks.includes('POSTROUTING')
      ? `-m mark --mark ${rng.pick(MARKS)}`
      : `-m addrtype --dst-type ${rng.pick(['LOCAL', 'UNICAST'])}`;
    case 10: {
      const t = v.ttl.prefix;
      return `-m ${v.ttl.module} ${rng.pick([`${t}-eq 64`, `${t}-eq 63`, `! ${t}-eq 64`, `${t}-gt 63`, `${t}-lt 64`, `${t}-lt 2`])}`;
    }
    // (lengths around the oracle's packets: IPv4 SYN 60, UDP and echo 41; IPv6 80 and 61 — more with a payload)
    case 11: return `-m length ${not(0.2)}--length ${rng.pick(v.family === 'ipv4' ? ['0:59', '60', '41', '40:100', '61:1500', '41:60'] : ['0:79', '80', '61', '60:100', '81:1500', '61:80'])}`;
    default: if (rng.chance(0.3)) return `-m u32 ${not(0.2)}--u32 "${rng.pick(v.family === 'ipv4' ? U32_IPV4 : U32_IPV6)}"`;
      // (the source of the client's frames, in other spellings, or another machine's; only where the kernel allows -m mac)
      if (rng.chance(0.12) && hooks.every((h) => h === 'PREROUTING' || h === 'INPUT' || h === 'FORWARD'))
        return `-m mac ${not(0.3)}--mac-source ${rng.pick([MAC.cli0, MAC.cli0.toUpperCase(), MAC.cli0.replace(/(^|:)0/g, '$1'), '02:00:5e:10:00:09'])}`;
      // (decided by the second the oracle sent the packet in, which the simulator is given)
      if (rng.chance(0.15)) return `-m time ${rng.pick(TIME_OPTIONS)}`;
      // (the SYN's MSS: 1460 / 1440 over the veth, 65495 / 65476 through lo; TCPMSS may have lowered it to 1300)
      if (proto === 'tcp' && rng.chance(0.2)) return `-m tcpmss ${not(0.3)}--mss ${rng.pick(['1460', '1440', '1300', '1400:1500', '0:1299', '65495', '536', '1301:65535'])}`;
      // (no packet goes through IPsec in the namespaces; a direction only where the kernel loads it)
      if (rng.chance(0.1)) {
        const dirs = [
          ...(hooks.every((h) => h !== 'OUTPUT' && h !== 'POSTROUTING') ? ['in'] : []),
          ...(hooks.every((h) => h !== 'PREROUTING' && h !== 'INPUT') ? ['out'] : []),
        ];
        const tunnelEnd = v.family === 'ipv4' ? '10.0.0.1' : '2001:db8:99::1';
        if (dirs.length) return `-m policy --dir ${rng.pick(dirs)} ${rng.pick(POLICY_OPTIONS).replace('TUNNEL-END', tunnelEnd)}`.trimEnd();
      }
      return rng.chance(0.5)
      ? `-m pkttype ${not(0.2)}--pkt-type ${respelled(rng, optionSpec('pkttype', 'pkt-type'), rng.pick(['unicast', 'broadcast', 'multicast']))}`
      : rng.pick([
        `-m dscp ${not(0.2)}--dscp ${rng.pick(['0', '10', '0x2e', '34'])}`,
        `-m dscp ${not(0.2)}--dscp-class ${rng.pick(['EF', 'af41', 'CS0', 'AF11x'])}`,
        `-m tos ${not(0.2)}--tos ${rng.pick(['0x00', '0x10', '0x28/0xfc', '0xb8/0xfc', 'Minimize-Delay', '0x88'])}`,
      ]);
  }
}

/** Payloads of UDP datagrams and echo requests besides the oracle's `iptables-lens` (hex-string notation). */
const PAYLOADS = [
  'GET /index.html HTTP/1.1|0d 0a|Host: example.com|0d 0a 0d 0a|',
  '|12 34 01 00 00 01 00 00 00 00 00 00 03|www|07|example|03|com|00 00 01 00 01|',
  '|c9|t|e9 20 df f7 ff|',
  'x',
];

/** An address's bytes in hex (what -m string --hex-string writes for it). */
function addressHex(address: string): string {
  const parsed = parseAddress(address, address.includes(':') ? 'ipv6' : 'ipv4')!;
  return parsed.value.toString(16).padStart(address.includes(':') ? 32 : 8, '0');
}

// u32 programs on what a trace models (decided) and on what it does not (identification, flow
// label, payload: forked), and reads that end exactly at or one byte past the end of the oracle's
// packets (IPv4: SYN 60, UDP and echo 41 bytes; IPv6: 80 and 61).
const U32_IPV4 = [
  '6&0xFF=6', '6&0xFF=17', '6&0xFF=1', '0>>22&0x3C@0>>16=40000', '0>>22&0x3C@0&0xFFFF=80:1024', '0&0xFFFF=0:59', '0&0xFFFF=60',
  '8>>24=63:64', '8>>24=64', '1>>24=0', '0>>22&0x3C@12&0xFF0000=0x20000', '0>>22&0x3C@4>>16=21', '4>>16=0x1234', '4&0x1FFF=0',
  '0>>22&0x3C@0>>24=8', '56=0:0xFFFFFFFF', '57=0:0xFFFFFFFF', '37=0:0xFFFFFFFF', '38=0:0xFFFFFFFF', '6&0xFF=6&&0>>22&0x3C@0&0xFFFF=1:100',
];
const U32_IPV6 = [
  '0>>28=6', '4>>16=40', '4>>16=21', '6>>24=6', '6>>24=17', '6>>16&0xFF=64', '40>>16=40000', '40&0xFFFF=80:1024', '0&0xFFFFF=0',
  '76=0:0xFFFFFFFF', '77=0:0xFFFFFFFF', '57=0:0xFFFFFFFF', '58=0:0xFFFFFFFF',
];

const POLICY_OPTIONS = [
  '--pol none', '--pol ipsec', '', '--pol ipsec --proto esp', '--pol ipsec ! --reqid 3', '--pol ipsec --mode tunnel --tunnel-dst TUNNEL-END',
  '--pol ipsec --strict --proto esp --next --mode transport', '--pol ipsec ! --spi 0x100',
];

const TIME_OPTIONS = [
  '--timestart 08:00 --timestop 18:00', '--timestart 22:00 --timestop 06:00', '--timestart 22:00 --timestop 06:00 --contiguous --weekdays Mon,Wed,Fri',
  '--weekdays Sat,Sun', '! --weekdays Sat,Sun', '--monthdays 1,15,23', '! --monthdays 1,15,23', '--datestart 2026-01-01 --datestop 2026-12-31',
  '--datestop 2020-01-01', '--timestart 10:00 --timestop 10:00', '--timestart 00:00 --timestop 11:59:59 --weekdays Mon,Tue,Wed,Thu',
];

function target(g: Generation, table: TableName, chain: string, hooks: string[], callees: Array<{ name: string }>, proto: string | undefined): string[] {
  const { rng, v, loopback } = g;
  const isUser = !BUILTINS[table].includes(chain);
  const choices: string[][] = [];
  const add = (weight: number, words: string[]) => { for (let i = 0; i < weight; i++) choices.push(words); };
  for (const callee of callees) {
    add(3, ['-j', callee.name]);
    add(1, ['-g', callee.name]);
  }
  add(isUser ? 2 : 1, ['-j', 'RETURN']); // in a built-in chain: the policy decides
  add(1, []); // no target: counts and goes on
  // non-terminating targets valid in every table (the sets exist: v.ipsets)
  if (rng.chance(0.3)) add(1, [rng.pick(['-j NFLOG --nflog-group 5', '-j NFLOG --nflog-prefix "lens "', `-j AUDIT --type ${rng.pick(['accept', 'drop', 'reject'])}`])]);
  if (rng.chance(0.3)) {
    g.usesSets = true;
    add(1, [`-j SET --${rng.pick(['add-set', 'del-set'])} ${rng.pick(['lens-ip', 'lens-none', 'lens-net'])} ${rng.pick(['src', 'dst'])}`]);
  }
  const tcpOnly = proto === 'tcp'; // (TCPMSS and ECN need `-p tcp` in the rule)
  const late = hooks.every((h) => ['OUTPUT', 'FORWARD', 'POSTROUTING'].includes(h));
  const mark = () => rng.pick([`-j MARK --set-xmark ${rng.pick(MARKS)}/${rng.pick(MASKS)}`, `-j MARK --set-mark ${rng.pick(MARKS)}`, `-j MARK --or-mark ${rng.pick(MARKS)}`, `-j MARK --and-mark ${rng.pick(MASKS)}`]);
  const connmark = () => rng.pick(['-j CONNMARK --save-mark', '-j CONNMARK --restore-mark', `-j CONNMARK --set-mark ${rng.pick(MARKS)}`,
    `-j CONNMARK --save-mark --nfmask ${rng.pick(MASKS)} --ctmask ${rng.pick(MASKS)}`, `-j CONNMARK --restore-mark --mask ${rng.pick(MASKS)}`,
    `-j CONNMARK --set-xmark ${rng.pick(MARKS)}/${rng.pick(MASKS)}`]);
  switch (table) {
    case 'filter':
      add(3, ['-j', 'ACCEPT']);
      add(2, ['-j', 'DROP']);
      add(1, proto === 'tcp' && rng.chance(0.5) ? ['-j', 'REJECT', '--reject-with', rng.pick(v.family === 'ipv4' ? ['tcp-reset', 'tcp', 'TCP-RST'] : ['tcp-reset', 'tcp', 'TCP-RES'])] : ['-j', 'REJECT', '--reject-with', v.rejectWith]);
      add(1, ['-j', 'LOG', '--log-prefix', '"lens "']);
      add(1, [mark()]);
      break;
    case 'mangle': {
      add(3, [mark()]);
      add(2, [connmark()]);
      const t = v.ttl.targetPrefix;
      add(1, [rng.pick([`-j ${v.ttl.target} ${t}-set 1`, `-j ${v.ttl.target} ${t}-set 70`, `-j ${v.ttl.target} ${t}-dec 1`, `-j ${v.ttl.target} ${t}-inc 2`])]);
      add(1, [rng.pick(['-j DSCP --set-dscp 10', '-j DSCP --set-dscp-class AF41', '-j TOS --set-tos 0x10', '-j TOS --set-tos 0x28/0xfc', '-j TOS --set-tos 0x03/0x03', '-j TOS --and-tos 0xfc'])]);
      add(1, [rng.pick(['-j CHECKSUM --checksum-fill', '-j HMARK --hmark-tuple src,dst --hmark-mod 10 --hmark-rnd 0xcafe --hmark-offset 1'])]);
      if (late) add(1, ['-j CLASSIFY --set-class 1:10']);
      if (tcpOnly) add(1, [late && rng.chance(0.5) ? '-j TCPMSS --clamp-mss-to-pmtu' : '-j TCPMSS --set-mss 1300']);
      if (tcpOnly && v.family === 'ipv4') add(1, ['-j ECN --ecn-tcp-remove']);
      if (v.family === 'ipv4') add(1, [`-j ECN --ecn-ip-ect ${rng.int(4)}`]);
      add(1, ['-j', 'ACCEPT']);
      add(1, ['-j', 'DROP']);
      break;
    }
    case 'raw':
      add(2, ['-j', 'CT', '--notrack']);
      add(1, ['-j', 'CT', '--zone', '1']);
      add(1, ['-j', 'NOTRACK']);
      add(1, ['-j', 'TRACE']);
      add(1, ['-j', 'ACCEPT']);
      add(1, ['-j', 'DROP']);
      add(1, [mark()]);
      break;
    case 'nat': {
      add(1, ['-j', 'ACCEPT']);
      add(1, [mark()]);
      const destination = hooks.every((h) => h === 'PREROUTING' || h === 'OUTPUT');
      const source = hooks.every((h) => h === 'POSTROUTING' || h === 'INPUT');
      const ports = proto === 'tcp' || proto === 'udp';
      if (destination) {
        let to = rng.pick(v.dnatTargets);
        if (!ports) to = to.replace(/^\[(.*)\]:\d+$/, '$1').replace(/^([\d.]+):\d+$/, '$1');
        add(3, ['-j', 'DNAT', '--to-destination', to]);
        add(1, ['-j', 'NETMAP', '--to', v.netmapTo]);
        if (ports) add(1, ['-j', 'REDIRECT', '--to-ports', '8080']);
        // Ranges: the kernel picks the address by a hash of the connection and the port as the first
        // of the range unless the packet's is in it (compared through the kernel's conntrack entry).
        const portRange = ports ? rng.pick(['8080-8090', '70-90', '1000-1999/20000']) : undefined;
        add(1, rng.pick([['-j', 'REDIRECT'], ['-j', 'DNAT', '--to-destination', v.family === 'ipv4' ? '10.1.2.3-10.1.2.5' : '2001:db8:100::5-2001:db8:100::7'],
          ['-j', 'DNAT', '--to-destination', v.family === 'ipv4' ? `10.1.2.3-10.1.2.9${portRange ? `:${portRange}` : ''}` : `[2001:db8:100::5-2001:db8:100::9]${portRange ? `:${portRange}` : ''}`]]));
      }
      if (source) {
        add(2, ['-j', 'SNAT', '--to-source', loopback ? v.node : v.uplinkAddress]);
        if (!loopback) add(1, ['-j', 'NETMAP', '--to', v.netmapTo]);
        if (ports && !loopback) add(1, ['-j', 'SNAT', '--to-source', v.family === 'ipv4' ? `${v.uplinkAddress}:${rng.pick(['2000-3000', '2000-3000/40000'])}` : `[${v.uplinkAddress}]:2000-3000`]);
        // an address range: which address the kernel's hash picks is compared through conntrack
        if (!loopback) add(1, ['-j', 'SNAT', '--to-source', v.family === 'ipv4' ? '198.51.100.10-198.51.100.40' : '2001:db8:ff::10-2001:db8:ff::40']);
        if (!loopback && hooks.every((h) => h === 'POSTROUTING')) {
          add(2, ['-j', 'MASQUERADE']);
          if (ports) add(1, rng.pick([['-j', 'MASQUERADE', '--to-ports', '2000-3000'], ['-j', 'MASQUERADE', '--random-fully']]));
        }
      }
      break;
    }
  }
  return rng.pick(choices);
}

/**
 * An IPv4 `a.b.c.d/len` written as getaddrinfo also reads it in an extension's address option (half
 * of the time): `a.b.N` or one 32-bit number, as inet_aton reads them (conntrack's --ctorigdst …).
 */
function hostmaskForm(rng: Rng, cidr: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(\/.*)?$/.exec(cidr);
  if (!m || rng.chance(0.5)) return cidr;
  const [a, b, c, d] = m.slice(1, 5).map(Number);
  const host = rng.chance(0.5) ? `${a}.${b}.${c * 256 + d}` : String(((a << 24) | (b << 16) | (c << 8) | d) >>> 0);
  return host + (m[5] ?? '');
}
