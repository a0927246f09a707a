// What the registry tests (restore-agreement.test.ts) and the restore differential campaign
// (test/fuzz/restore-differential.ts) write for each extension: where it is tried, what it needs
// besides the option under test, sample values, and the rule text for an option. Data only.

import type { MatchSpec, OptionSpec, TargetSpec } from '../../server/src/netfilter/extensions/types';
import { BUILTIN_CHAINS, type Family } from '../../server/src/netfilter/model';
// ---------------------------------------------------------------------------------------------
// Data: where each extension is tried, what it needs besides the option under test, and sample
// values for options whose grammar the default samples below do not satisfy.

export interface Context {
  table?: string; // default filter
  chain?: string; // default INPUT (first built-in chain of the table otherwise)
  /** rule text before `-m NAME` / `-j NAME` (protocol etc.) */
  pre?: string;
  /** options the extension needs to be valid; an option under test replaces its own entry */
  base?: string;
  /** per option: a different base (e.g. options that exclude the default base, or need a companion) */
  baseFor?: Record<string, string>;
  /** per option: words that must follow it (policy --next starts an element that must not stay empty) */
  afterFor?: Record<string, string>;
}

export const CONTEXT: Record<string, Context> = {
  // matches
  addrtype: { base: '--src-type LOCAL' },
  ah: { pre: '-p ah' },
  cluster: {
    base: '--cluster-total-nodes 2 --cluster-local-node 1 --cluster-hash-seed 0xdeadbeef',
    baseFor: { 'cluster-local-nodemask': '--cluster-total-nodes 2 --cluster-hash-seed 0xdeadbeef' },
  },
  connlabel: { baseFor: { set: '--label 1' } },
  connbytes: { base: '--connbytes 10:100 --connbytes-dir both --connbytes-mode bytes' },
  connlimit: { pre: '-p tcp', base: '--connlimit-above 2', baseFor: { 'connlimit-upto': '' } },
  dccp: { pre: '-p dccp' },
  dscp: { baseFor: {} },
  ecn: { pre: '-p tcp' },
  esp: { pre: '-p esp' },
  hashlimit: { base: '--hashlimit-upto 5/sec --hashlimit-name t', baseFor: { 'hashlimit-above': '--hashlimit-name t' } },
  icmp: { pre: '-p icmp' },
  icmp6: { pre: '-p ipv6-icmp' },
  ipcomp: { pre: '-p 108' },
  ipv6header: { base: '--header frag' },
  rateest: { base: '--rateest1 t --rateest-lt --rateest-bps2 8bit' },
  mh: { pre: '-p mh' },
  multiport: { pre: '-p tcp' },
  osf: { pre: '-p tcp', base: '--genre Linux' },
  owner: { chain: 'OUTPUT', baseFor: { 'suppl-groups': '--gid-owner 0' } },
  policy: {
    base: '--dir in --pol ipsec',
    baseFor: {
      strict: '--dir in --pol ipsec --proto esp',
      next: '--dir in --pol ipsec --strict --proto esp',
      'tunnel-src': '--dir in --pol ipsec --mode tunnel',
      'tunnel-dst': '--dir in --pol ipsec --mode tunnel',
    },
    afterFor: { next: '--proto ah' },
  },
  recent: {
    base: '--name t --rcheck',
    baseFor: { set: '--name t', update: '--name t', remove: '--name t', rsource: '--name t --rcheck', reap: '--name t --rcheck --seconds 60' },
  },
  rpfilter: { table: 'raw', chain: 'PREROUTING' },
  rt: { baseFor: { 'rt-0-not-strict': '--rt-type 0 --rt-0-addrs 2001:db8::1', 'rt-0-addrs': '--rt-type 0', 'rt-0-res': '--rt-type 0' } },
  sctp: { pre: '-p sctp' },
  set: { base: '--match-set s4 src' },
  socket: { table: 'mangle', chain: 'PREROUTING', pre: '-p tcp' },
  statistic: { base: '--mode random --probability 0.5', baseFor: { every: '--mode nth --packet 0', packet: '--mode nth --every 2' } },
  string: { base: '--algo bm --string x', baseFor: { 'hex-string': '--algo bm' } },
  tcp: { pre: '-p tcp' },
  tcpmss: { pre: '-p tcp' },
  time: { baseFor: { contiguous: '--timestart 22:00 --timestop 06:00' } },
  udp: { pre: '-p udp' },
  // targets
  CHECKSUM: { table: 'mangle', chain: 'POSTROUTING', pre: '-p udp' },
  CLASSIFY: { table: 'mangle', chain: 'POSTROUTING' },
  CONNMARK: {
    table: 'mangle',
    chain: 'PREROUTING',
    base: '--set-xmark 0x1/0xff',
    baseFor: {
      'set-mark': '', 'and-mark': '', 'or-mark': '', 'xor-mark': '', 'save-mark': '', 'restore-mark': '',
      ctmask: '--save-mark', nfmask: '--save-mark', mask: '--save-mark', 'left-shift-mark': '--save-mark', 'right-shift-mark': '--restore-mark',
    },
  },
  CLUSTERIP: { base: '--new --hashmode sourceip --clustermac 01:00:5E:00:00:01 --total-nodes 2 --local-node 1' },
  CONNSECMARK: { table: 'mangle', chain: 'PREROUTING' },
  CT: { table: 'raw', chain: 'PREROUTING', pre: '-p tcp' },
  DNAT: { table: 'nat', chain: 'PREROUTING', pre: '-p tcp', base: '--to-destination 10.0.0.1:80' },
  DNPT: { table: 'mangle', chain: 'PREROUTING', base: '--src-pfx 2001:db8::/64 --dst-pfx 2001:db9::/64' },
  DSCP: { table: 'mangle', chain: 'POSTROUTING' },
  ECN: { table: 'mangle', chain: 'POSTROUTING', pre: '-p tcp' },
  HL: { table: 'mangle', chain: 'POSTROUTING' },
  HMARK: { table: 'mangle', chain: 'PREROUTING', base: '--hmark-tuple ct --hmark-mod 10 --hmark-rnd 0x1' },
  IDLETIMER: { base: '--timeout 10 --label t' },
  LED: { base: '--led-trigger-id t' },
  MARK: { table: 'mangle', chain: 'PREROUTING', base: '--set-xmark 0x1/0xff', baseFor: { 'set-mark': '', 'and-mark': '', 'or-mark': '', 'xor-mark': '' } },
  MASQUERADE: { table: 'nat', chain: 'POSTROUTING', pre: '-p tcp' },
  NETMAP: { table: 'nat', chain: 'PREROUTING', base: '--to 10.1.0.0/24' },
  NFQUEUE: { baseFor: { 'queue-cpu-fanout': '--queue-balance 0:3' } },
  NOTRACK: { table: 'raw', chain: 'PREROUTING' },
  RATEEST: { base: '--rateest-name t --rateest-interval 250ms --rateest-ewmalog 4s' },
  REDIRECT: { table: 'nat', chain: 'PREROUTING', pre: '-p tcp' },
  SECMARK: { table: 'mangle', chain: 'PREROUTING' },
  SET: { base: '--add-set s4 src', baseFor: { 'del-set': '', 'map-set': '--map-mark', 'map-mark': '--map-set s4 src', 'map-prio': '--map-set s4 src', 'map-queue': '--map-set s4 src' } },
  SNAT: { table: 'nat', chain: 'POSTROUTING', pre: '-p tcp', base: '--to-source 10.0.0.1' },
  SNPT: { table: 'mangle', chain: 'POSTROUTING', base: '--src-pfx 2001:db8::/64 --dst-pfx 2001:db9::/64' },
  SYNPROXY: { pre: '-p tcp -m tcp --syn' },
  TCPMSS: { table: 'mangle', chain: 'FORWARD', pre: '-p tcp -m tcp --tcp-flags SYN,RST SYN', base: '--set-mss 1400', baseFor: { 'clamp-mss-to-pmtu': '' } },
  TCPOPTSTRIP: { table: 'mangle', chain: 'PREROUTING', pre: '-p tcp' },
  TEE: { table: 'mangle', chain: 'PREROUTING', base: '--gateway 10.0.0.1' },
  TOS: { table: 'mangle', chain: 'PREROUTING' },
  TPROXY: { table: 'mangle', chain: 'PREROUTING', pre: '-p tcp', base: '--on-port 8080' },
  TRACE: { table: 'raw', chain: 'PREROUTING' },
  TTL: { table: 'mangle', chain: 'POSTROUTING' },
};

/** `ext --option` → argument text (space separated words; double quotes group). */
export const SAMPLE: Record<string, string> = {
  'addrtype --src-type': 'LOCAL',
  'addrtype --dst-type': 'UNICAST,LOCAL',
  'bpf --bytecode': '"1,6 0 0 1"',
  'rateest --rateest-bps1': '8bit',
  'rateest --rateest-bps2': '16kbit',
  'rateest --rateest-pps1': '5',
  'rateest --rateest-pps2': '9',
  'CLUSTERIP --clustermac': '01:00:5E:00:00:01',
  'bpf --object-pinned': '/sys/fs/bpf/none',
  'cgroup --path': 'user.slice',
  'cgroup --cgroup': '1',
  'cluster --cluster-hash-seed': '0xdeadbeef',
  'cluster --cluster-total-nodes': '2',
  'connbytes --connbytes-dir': 'original',
  'connbytes --connbytes-mode': 'packets',
  'connlabel --label': '1',
  'conntrack --ctproto': 'tcp',
  'conntrack --ctorigsrc': '10.0.0.0/8',
  'conntrack --ctdir': 'REPLY',
  'conntrack --ctstate': 'ESTABLISHED,RELATED',
  'cpu --cpu': '0',
  'devgroup --src-group': '1',
  'devgroup --dst-group': '0x2/0xff',
  'dscp --dscp-class': 'AF11',
  'dst --dst-opts': '1:0',
  'hbh --hbh-opts': '1:0',
  'dccp --dccp-types': 'REQUEST,RESPONSE',
  'ecn --ecn-ip-ect': '1',
  'frag --fragid': '1:100',
  'hashlimit --hashlimit-mode': 'srcip,dstport',
  'hashlimit --hashlimit-burst': '10',
  'hashlimit --hashlimit-rate-interval': '1',
  'hashlimit --hashlimit-srcmask': '24',
  'hashlimit --hashlimit-dstmask': '24',
  'helper --helper': 'ftp',
  'hl --hl-eq': '64',
  'icmp --icmp-type': 'echo-request',
  'icmp6 --icmpv6-type': 'echo-request',
  'ipv6header --header': 'ipv6-frag,ipv6-route',
  'ipvs --vproto': 'tcp',
  'ipvs --vdir': 'ORIGINAL',
  'ipvs --vmethod': 'GATE',
  'ipvs --vport': '80',
  'ipvs --vportctl': '21',
  'length --length': '100:1500',
  'mac --mac-source': '00:11:22:33:44:55',
  'mh --mh-type': 'binding-update',
  'osf --genre': 'Linux',
  'owner --uid-owner': '0',
  'owner --gid-owner': '0-100',
  'pkttype --pkt-type': 'broadcast',
  'policy --dir': 'in',
  'policy --pol': 'ipsec',
  'policy --proto': 'esp',
  'policy --mode': 'tunnel',
  'realm --realm': '0x1/0xff',
  'recent --mask': '255.255.255.0',
  'recent --name': 'ssh',
  'rt --rt-0-addrs': '2001:db8::1,2001:db8::2',
  'sctp --chunk-types': 'any INIT,DATA:Be',
  'set --match-set': 's4 src,dst',
  'statistic --mode': 'random',
  'statistic --probability': '0.25',
  'statistic --every': '3',
  'statistic --packet': '1',
  'string --algo': 'kmp',
  'string --string': '"GET /"',
  'string --hex-string': '"|474554|"',
  'string --from': '40',
  'string --to': '80',
  'tcp --tcp-flags': 'SYN,ACK,FIN,RST SYN',
  'tcp --tcp-option': '2',
  'time --datestart': '2024-01-01T00:00:00',
  'time --datestop': '2038-01-01',
  'time --timestart': '08:00',
  'time --timestop': '17:30:00',
  'time --weekdays': 'Mon,Tue',
  'time --monthdays': '1,15',
  'tos --tos': 'Minimize-Delay',
  'ttl --ttl-eq': '64',
  'u32 --u32': '"0>>22&0x3C@12>>26&0x3C@0=0x10"',
  AUDIT: '',
  'AUDIT --type': 'accept',
  'CLASSIFY --set-class': '1:10',
  'CT --helper': 'ftp',
  'CT --timeout': 'tcp-short',
  'CT --ctevents': 'new,destroy',
  'CT --expevents': 'new',
  'CT --zone': '1',
  'CT --zone-orig': 'mark',
  'CT --zone-reply': '2',
  'DNAT --to-destination': '10.0.0.1-10.0.0.3:8080-8090',
  'DNPT --src-pfx': '2001:db8::/64',
  'DNPT --dst-pfx': '2001:db9::/64',
  'SNPT --src-pfx': '2001:db8::/64',
  'SNPT --dst-pfx': '2001:db9::/64',
  'DSCP --set-dscp': '10',
  'DSCP --set-dscp-class': 'EF',
  'ECN --ecn-tcp-cwr': '0',
  'ECN --ecn-tcp-ece': '0',
  'ECN --ecn-ip-ect': '0',
  'HL --hl-set': '64',
  'HMARK --hmark-tuple': 'src,dst,sport,dport',
  'HMARK --hmark-src-prefix': '24',
  'HMARK --hmark-dst-prefix': '24',
  'HMARK --hmark-mod': '16',
  'HMARK --hmark-offset': '100',
  'IDLETIMER --timeout': '60',
  'IDLETIMER --label': 'idle',
  'LED --led-trigger-id': 'net',
  'LED --led-delay': '100',
  'LOG --log-level': 'info',
  'LOG --log-prefix': '"dropped: "',
  'MASQUERADE --to-ports': '1024-2000',
  'NETMAP --to': '10.1.0.0/24',
  'NFLOG --nflog-group': '5',
  'NFLOG --nflog-prefix': 'x',
  'NFQUEUE --queue-balance': '0:3',
  'RATEEST --rateest-name': 't',
  'RATEEST --rateest-interval': '250ms',
  'RATEEST --rateest-ewmalog': '2s',
  'REDIRECT --to-ports': '8080',
  'REJECT --reject-with': 'icmp-port-unreachable',
  'SECMARK --selctx': 'system_u:object_r:ssh_packet_t:s0',
  'SET --add-set': 's4 src',
  'SET --del-set': 's4 src,dst',
  'SET --map-set': 's4 dst',
  'SET --timeout': '60',
  'SNAT --to-source': '192.0.2.1:1024-65535',
  'SYNPROXY --wscale': '7',
  'SYNPROXY --mss': '1460',
  'TCPMSS --set-mss': '1360',
  'TCPOPTSTRIP --strip-options': 'sack-permitted,timestamp',
  'TEE --gateway': '10.0.0.1',
  'TOS --set-tos': '0x10/0x3f',
  'TPROXY --on-ip': '127.0.0.1',
  'TPROXY --tproxy-mark': '0x1/0x1',
  'ULOG --ulog-prefix': 'x',
};

/** IPv6 spellings where the IPv4 sample would not parse. */
export const SAMPLE_V6: Record<string, string> = {
  'recent --mask': 'ffff:ffff::',
  'TEE --gateway': '2001:db8::1',
  'TPROXY --on-ip': '::1',
  'REJECT --reject-with': 'icmp6-adm-prohibited',
  'set --match-set': 's6 src',
  'SET --add-set': 's6 src',
  'SET --del-set': 's6 src',
  'SET --map-set': 's6 dst',
  'conntrack --ctorigsrc': '2001:db8::/32',
  'DNAT --to-destination': '[2001:db8::1]:80',
  'SNAT --to-source': '2001:db8::1',
  'NETMAP --to': '2001:db8::/64',
};


export type Spec = (MatchSpec | TargetSpec) & { kind: 'match' | 'target' };
export const isTarget = (spec: Spec): spec is TargetSpec & { kind: 'target' } => spec.kind === 'target';

export function defaultSample(option: OptionSpec, family: Family): string {
  switch (option.value) {
    case 'none': return '';
    case 'int': return '1';
    case 'int-range': return '1:1000';
    case 'number': return '0.5';
    case 'port': return '80';
    case 'port-range': return '1024:65535';
    case 'port-list': return '22,80,8000:8080';
    case 'address': return family === 'ipv4' ? '10.0.0.0/8' : '2001:db8::/32';
    case 'address-list': return family === 'ipv4' ? '10.0.0.1,10.0.0.2' : '2001:db8::1,2001:db8::2';
    case 'address-range': return family === 'ipv4' ? '10.0.0.1-10.0.0.9' : '2001:db8::1-2001:db8::9';
    case 'interface': return 'eth0';
    case 'mark': return '0x4000/0x4000';
    case 'hex': return '0x1';
    case 'enum': case 'enum-list': case 'flags': return option.values?.[0] ?? 'x';
    case 'rate': return '5/sec';
    case 'nat-range': return family === 'ipv4' ? '10.0.0.1' : '2001:db8::1';
    default: return option.arity === 2 ? 'x y' : 'x';
  }
}

export function sampleFor(spec: Spec, option: OptionSpec, family: Family): string {
  const key = `${spec.name} --${option.name}`;
  if (family === 'ipv6' && key in SAMPLE_V6) return SAMPLE_V6[key];
  return SAMPLE[key] ?? defaultSample(option, family);
}

export function familyOf(spec: Spec): Family {
  return spec.families && !spec.families.includes('ipv4') ? 'ipv6' : spec.families?.[0] ?? 'ipv4';
}

/** Remove `--name [args]` of the named options from an option string, keeping the rest. */
export function withoutOptions(base: string, spec: Spec, drop: OptionSpec): string {
  const words = base.split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const name = words[i].replace(/^--/, '');
    const option = spec.options.find((o) => o.name === name || o.aliases?.includes(name));
    if (option === drop) { i += typeof option.arity === 'number' ? option.arity : option.arity[1]; continue; }
    out.push(words[i]);
  }
  return out.join(' ');
}

export function contextOf(spec: Spec): Required<Pick<Context, 'table' | 'chain'>> & Context {
  const ctx = CONTEXT[spec.name] ?? {};
  const table = ctx.table ?? (isTarget(spec) && spec.tables ? spec.tables[0] : 'filter');
  const chain = ctx.chain ?? (isTarget(spec) && spec.hooks ? spec.hooks[0] : (BUILTIN_CHAINS as Record<string, readonly string[]>)[table][0]);
  return { ...ctx, table, chain };
}

/** Rule (without `-A CHAIN`) using `option`; `variant` changes how the option is written. */
export function ruleFor(spec: Spec, option: OptionSpec, family: Family, variant: 'plain' | 'negated' | 'missing-arg' | 'extra-word' | { value: string }): string {
  const ctx = contextOf(spec);
  const base = withoutOptions(ctx.baseFor?.[option.name] ?? ctx.base ?? '', spec, option);
  let args = typeof variant === 'object' ? `"${variant.value}"` : sampleFor(spec, option, family);
  if (variant === 'missing-arg') args = args.split(/\s+/).slice(0, (typeof option.arity === 'number' ? option.arity : option.arity[0]) - 1).join(' ');
  if (variant === 'extra-word') args = (args ? args + ' ' : '') + 'bogus';
  const written = `${variant === 'negated' ? '! ' : ''}--${option.name}${args ? ' ' + args : ''}`;
  const head = isTarget(spec) ? `-j ${spec.name}` : `-m ${spec.name}`;
  // the option under test goes last so that a missing argument cannot swallow another word
  const after = variant === 'plain' || variant === 'negated' || typeof variant === 'object' ? ctx.afterFor?.[option.name] : undefined;
  return [ctx.pre, head, base, written, after].filter(Boolean).join(' ');
}

export function dump(table: string, rules: Array<{ chain: string; text: string }>): string {
  return `*${table}\n` + rules.map((r) => `-A ${r.chain} ${r.text}`).join('\n') + '\nCOMMIT\n';
}
