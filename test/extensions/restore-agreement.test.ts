// The registry against the real tool. For every option of every match and target in the registry:
//   1. a minimal rule using it is accepted by `iptables-nft-restore --test`;
//   2. `! --opt` is accepted exactly when the spec says `negatable`;
//   3. the option without its argument (1-arity) / with a stray extra word (0-arity) is rejected;
// then, with real loads inside a throw-away network namespace:
//   4. every extension loads in the kernel, or is listed in KERNEL_LIMITS with the reason;
//   5. every target is accepted in exactly the tables / built-in chains its spec declares.
//
// Needs root and iptables-nft; otherwise prints one `SKIPPED:` line (and fails when CI=true).
// Set REGISTRY_REPORT=1 to print the per-option figures.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allMatches, allTargets } from '../../server/src/netfilter/extensions/registry';
import { GENERIC_OPTIONS } from '../../server/src/netfilter/extensions/generic';
import type { MatchSpec, OptionSpec, TargetSpec } from '../../server/src/netfilter/extensions/types';
import { BUILTIN_CHAINS, TABLE_NAMES, type Family } from '../../server/src/netfilter/model';
import { parseRuleset } from '../../server/src/netfilter/parser';

// ---------------------------------------------------------------------------------------------
// Data: where each extension is tried, what it needs besides the option under test, and sample
// values for options whose grammar the default samples below do not satisfy.

interface Context {
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

const CONTEXT: Record<string, Context> = {
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
const SAMPLE: Record<string, string> = {
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
const SAMPLE_V6: Record<string, string> = {
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

/** Options iptables-nft-restore --test rejects in this environment for a reason that is not syntax. */
const SYNTAX_PHASE_LIMITS: Record<string, string> = {
  'bpf --object-pinned': 'userspace opens the pinned eBPF object while parsing; none exists here',
};

/**
 * Extensions the kernel this suite runs on refuses to load (real load, not --test) for reasons
 * that are not syntax: the module is not built, or it needs an object that does not exist.
 */
const KERNEL_LIMITS: Record<string, string> = {
  ipvs: 'xt_ipvs needs IPVS (ip_vs), not in this kernel',
  nfacct: 'xt_nfacct needs an accounting object created with nfacct(8) first',
  cgroup: 'the cgroup v2 path must exist on the host',
  ULOG: 'ipt_ULOG was removed from Linux in 3.17',
  SECMARK: 'needs an LSM with secmark support (SELinux) and a valid context',
  LED: 'xt_LED needs LED trigger support (CONFIG_NETFILTER_XT_TARGET_LED), not in this kernel',
  rateest: 'xt_rateest needs the estimator it names, made by a RATEEST rule loaded before it',
  CLUSTERIP: 'ipt_CLUSTERIP was removed from Linux in 6.3',
};

// ---------------------------------------------------------------------------------------------
// Building rules

type Spec = (MatchSpec | TargetSpec) & { kind: 'match' | 'target' };
const isTarget = (spec: Spec): spec is TargetSpec & { kind: 'target' } => spec.kind === 'target';

function defaultSample(option: OptionSpec, family: Family): string {
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

function sampleFor(spec: Spec, option: OptionSpec, family: Family): string {
  const key = `${spec.name} --${option.name}`;
  if (family === 'ipv6' && key in SAMPLE_V6) return SAMPLE_V6[key];
  return SAMPLE[key] ?? defaultSample(option, family);
}

function familyOf(spec: Spec): Family {
  return spec.families && !spec.families.includes('ipv4') ? 'ipv6' : spec.families?.[0] ?? 'ipv4';
}

/** Remove `--name [args]` of the named options from an option string, keeping the rest. */
function withoutOptions(base: string, spec: Spec, drop: OptionSpec): string {
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

function contextOf(spec: Spec): Required<Pick<Context, 'table' | 'chain'>> & Context {
  const ctx = CONTEXT[spec.name] ?? {};
  const table = ctx.table ?? (isTarget(spec) && spec.tables ? spec.tables[0] : 'filter');
  const chain = ctx.chain ?? (isTarget(spec) && spec.hooks ? spec.hooks[0] : (BUILTIN_CHAINS as Record<string, readonly string[]>)[table][0]);
  return { ...ctx, table, chain };
}

/** Rule (without `-A CHAIN`) using `option`; `variant` changes how the option is written. */
function ruleFor(spec: Spec, option: OptionSpec, family: Family, variant: 'plain' | 'negated' | 'missing-arg' | 'extra-word' | { value: string }): string {
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

function dump(table: string, rules: Array<{ chain: string; text: string }>): string {
  return `*${table}\n` + rules.map((r) => `-A ${r.chain} ${r.text}`).join('\n') + '\nCOMMIT\n';
}

// ---------------------------------------------------------------------------------------------
// Running the tool: one `unshare -n` per phase; inside it a small shell script runs every case.

const TOOL = { ipv4: 'iptables-nft-restore', ipv6: 'ip6tables-nft-restore' } as const;

function toolMissing(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root';
  for (const tool of ['unshare', TOOL.ipv4, TOOL.ipv6, 'ipset']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
    if (found.status !== 0) return `${tool} not found`;
  }
  const probe = spawnSync('unshare', ['-n', 'true']);
  if (probe.status !== 0) return 'cannot create a network namespace (unshare -n)';
  return undefined;
}

interface CaseResult { ok: boolean; stderr: string }

/**
 * Run each dump with restore (`--test` or a real load). Cases are split into groups that run in
 * parallel, each group in its own fresh network namespace (with the ipsets s4 / s6 the samples use).
 */
function runCases(cases: Array<{ family: Family; text: string }>, mode: 'test' | 'load', groups = 8): CaseResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'lens-restore-'));
  try {
    const scripts: string[][] = Array.from({ length: groups }, () => [
      'ipset create s4 hash:ip >/dev/null 2>&1',
      'ipset create s6 hash:ip family inet6 >/dev/null 2>&1',
    ]);
    cases.forEach((c, i) => {
      writeFileSync(join(dir, `${i}.rules`), c.text);
      scripts[i % groups].push(`${TOOL[c.family]} ${mode === 'test' ? '--test ' : ''}${dir}/${i}.rules 2>${dir}/${i}.err >/dev/null; echo $? >${dir}/${i}.rc`);
    });
    const main: string[] = [];
    scripts.forEach((lines, g) => {
      writeFileSync(join(dir, `group${g}.sh`), lines.join('\n') + '\n');
      main.push(`unshare -n sh ${dir}/group${g}.sh &`);
    });
    main.push('wait');
    writeFileSync(join(dir, 'run.sh'), main.join('\n') + '\n');
    execFileSync('sh', [join(dir, 'run.sh')], { stdio: 'ignore', timeout: 300_000 });
    return cases.map((_, i) => ({
      ok: readFileSync(join(dir, `${i}.rc`), 'utf8').trim() === '0',
      stderr: readFileSync(join(dir, `${i}.err`), 'utf8').trim(),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function allSpecs(): Spec[] {
  return [
    ...allMatches().map((s) => ({ ...s, kind: 'match' as const })),
    ...allTargets().filter((t) => !['ACCEPT', 'DROP', 'RETURN', 'QUEUE'].includes(t.name)).map((s) => ({ ...s, kind: 'target' as const })),
  ];
}

/** Every option of every extension the tool can judge on its own (SYNTAX_PHASE_LIMITS left out), with where to try it. */
function* registryOptions(): Generator<{ key: string; spec: Spec; option: OptionSpec; family: Family; ctx: ReturnType<typeof contextOf> }> {
  for (const spec of allSpecs()) {
    const family = familyOf(spec);
    const ctx = contextOf(spec);
    for (const option of spec.options) {
      const key = `${spec.name} --${option.name}`;
      if (!(key in SYNTAX_PHASE_LIMITS)) yield { key, spec, option, family, ctx };
    }
  }
}

const skipReason = toolMissing();
function skipOrFail(): boolean {
  if (!skipReason) return false;
  if (process.env.CI === 'true') assert.fail(`restore-agreement cannot run: ${skipReason}`);
  console.log(`SKIPPED: restore-agreement: ${skipReason}`);
  return true;
}
const report = (line: string): void => { if (process.env.REGISTRY_REPORT) console.log(line); };

// ---------------------------------------------------------------------------------------------

test('every option: accepted, negation as declared, missing argument / extra word rejected', () => {
  if (skipOrFail()) return;
  type Case = { key: string; check: 'accept' | 'negation' | 'arity'; expectOk: boolean; family: Family; text: string };
  const cases: Case[] = [];
  for (const { key, spec, option, family, ctx } of registryOptions()) {
    const make = (variant: Parameters<typeof ruleFor>[3]) => dump(ctx.table, [{ chain: ctx.chain, text: ruleFor(spec, option, family, variant) }]);
    cases.push({ key, check: 'accept', expectOk: true, family, text: make('plain') });
    cases.push({ key, check: 'negation', expectOk: option.negatable, family, text: make('negated') });
    const minArity = typeof option.arity === 'number' ? option.arity : option.arity[0];
    cases.push({ key, check: 'arity', expectOk: false, family, text: make(minArity === 0 ? 'extra-word' : 'missing-arg') });
  }
  const results = runCases(cases, 'test');
  const wrong: string[] = [];
  const figures = { options: 0, accepted: 0, negationAgrees: 0, arityRejected: 0 };
  cases.forEach((c, i) => {
    if (c.check === 'accept') figures.options++;
    if (results[i].ok === c.expectOk) {
      if (c.check === 'accept') figures.accepted++;
      if (c.check === 'negation') figures.negationAgrees++;
      if (c.check === 'arity') figures.arityRejected++;
      return;
    }
    wrong.push(`${c.key} [${c.check}] expected ${c.expectOk ? 'accepted' : 'rejected'}: ${c.text.split('\n')[1]}\n    ${results[i].stderr.split('\n').slice(0, 2).join(' | ')}`);
  });
  report(`restore-agreement: ${figures.options} options (+${Object.keys(SYNTAX_PHASE_LIMITS).length} environment-limited), ` +
    `${figures.accepted} accepted, negation agrees for ${figures.negationAgrees}, missing/extra argument rejected for ${figures.arityRejected}`);
  assert.deepEqual(wrong, []);
});

test('every extension loads in the kernel, or its limit is recorded', () => {
  if (skipOrFail()) return;
  const specs = allSpecs();
  const cases = specs.map((spec) => {
    const ctx = contextOf(spec);
    const family = familyOf(spec);
    const first = spec.options.find((o) => o.required) ?? spec.options[0];
    const text = first
      ? ruleFor(spec, first, family, 'plain')
      : [ctx.pre, isTarget(spec) ? `-j ${spec.name}` : `-m ${spec.name}`].filter(Boolean).join(' ');
    return { family, text: dump(ctx.table, [{ chain: ctx.chain, text }]) };
  });
  const results = runCases(cases, 'load');
  const unexpected: string[] = [];
  const limited: string[] = [];
  specs.forEach((spec, i) => {
    if (results[i].ok) {
      if (spec.name in KERNEL_LIMITS) report(`note: ${spec.name} loads here although KERNEL_LIMITS says: ${KERNEL_LIMITS[spec.name]}`);
      return;
    }
    if (spec.name in KERNEL_LIMITS) { limited.push(spec.name); return; }
    unexpected.push(`${spec.name}: ${cases[i].text.split('\n')[1]}\n    ${results[i].stderr.split('\n').slice(0, 3).join(' | ')}`);
  });
  report(`kernel load: ${specs.length - limited.length - unexpected.length} of ${specs.length} extensions load; kernel-limited: ${limited.join(', ')}`);
  assert.deepEqual(unexpected, []);
});

test('targets are accepted in exactly the tables and built-in chains they declare', () => {
  if (skipOrFail()) return;
  const targets = allSpecs().filter(isTarget).filter((t) => !(t.name in KERNEL_LIMITS));
  type Case = { target: string; table: string; chain: string; family: Family; text: string };
  const cases: Case[] = [];
  for (const target of targets) {
    const family = familyOf(target);
    const first = target.options.find((o) => o.required) ?? target.options[0];
    const ctx = contextOf(target);
    const text = first ? ruleFor(target, first, family, 'plain') : [ctx.pre, `-j ${target.name}`].filter(Boolean).join(' ');
    for (const table of TABLE_NAMES)
      for (const chain of BUILTIN_CHAINS[table]) cases.push({ target: target.name, table, chain, family, text: dump(table, [{ chain, text }]) });
  }
  const results = runCases(cases, 'load');
  const wrong: string[] = [];
  cases.forEach((c, i) => {
    const spec = targets.find((t) => t.name === c.target)!;
    const declared = (!spec.tables || spec.tables.includes(c.table)) && (!spec.hooks || spec.hooks.includes(c.chain));
    if (results[i].ok !== declared)
      wrong.push(`${c.target} in ${c.table} ${c.chain}: kernel ${results[i].ok ? 'accepts' : 'refuses'}, spec says ${declared ? 'allowed' : 'refused'}  (${results[i].stderr.split('\n').slice(-1)[0]})`);
  });
  report(`hooks: ${cases.length} target/table/chain combinations checked, ${cases.length - wrong.length} agree`);
  for (const target of targets) {
    const accepted = cases.flatMap((c, i) => (c.target === target.name && results[i].ok ? [`${c.table}:${c.chain}`] : []));
    report(`  ${target.name} kernel accepts in: ${accepted.join(' ') || 'nothing'}`);
  }
  assert.deepEqual(wrong, []);
});

test('generic options: every spelling accepted, negation as declared, missing argument rejected', () => {
  if (skipOrFail()) return;
  const sample: Record<string, string> = {
    protocol: 'tcp', source: '10.0.0.0/8', destination: '10.0.0.1', 'in-interface': 'eth+', 'out-interface': 'eth0',
    match: 'comment --comment x', jump: 'ACCEPT', goto: 'X', 'set-counters': '1 2',
  };
  type Case = { what: string; expectOk: boolean; text: string };
  const cases: Case[] = [];
  for (const option of GENERIC_OPTIONS) {
    // FORWARD accepts both -i and -o; the goto target chain X is declared in the dump
    const make = (written: string) => `*filter\n:X - [0:0]\n-A FORWARD ${written}\nCOMMIT\n`;
    const args = sample[option.name] ?? '';
    for (const spelling of [`--${option.name}`, ...(option.aliases ?? []).map((a) => `--${a}`), ...(option.short ? [`-${option.short}`] : [])]) {
      cases.push({ what: `${spelling} accepted`, expectOk: true, text: make(`${spelling} ${args}`.trim()) });
      cases.push({ what: `! ${spelling} ${option.negatable ? 'accepted' : 'rejected'}`, expectOk: option.negatable, text: make(`! ${spelling} ${args}`.trim()) });
      if (option.arity !== 0) cases.push({ what: `${spelling} without argument rejected`, expectOk: false, text: make(`-m comment --comment x ${spelling}`) });
    }
  }
  const results = runCases(cases.map((c) => ({ family: 'ipv4' as Family, text: c.text })), 'test');
  const wrong = cases.flatMap((c, i) => (results[i].ok === c.expectOk ? [] : [`${c.what}: ${c.text.split('\n')[2]} → ${results[i].stderr.split('\n')[0]}`]));
  report(`generic options: ${cases.length} spellings/variants checked, ${cases.length - wrong.length} agree`);
  assert.deepEqual(wrong, []);
});

// Bad values: every one-argument option gets four values restore has to judge ("@@", a number too big
// for any field, "-1", ""), and our parser must say what restore says — an error on the line exactly
// when restore rejects it. The options below still disagree, each for the reason given; the test
// also fails when one of them starts to agree (then take it off the list).
const BAD_VALUES = ['@@', '99999999999999999999', '-1', ''];
const KNOWN_VALUE_GAPS: Record<string, string> = {
  // restore's answer depends on this machine, not on the rule's syntax
  'ipvs --vproto': 'environment: restore refuses the ipvs match itself here (module missing)',
  'ipvs --vdir': 'environment: ipvs module missing',
  'ipvs --vmethod': 'environment: ipvs module missing',
  'LED --led-delay': 'environment: LED module missing',
  'LED --led-trigger-id': 'environment: LED module missing',
  'ULOG --ulog-prefix': 'environment: ULOG module missing',
  'connlabel --label': 'environment: /etc/xtables/connlabel.conf is missing',
  'DNPT --src-pfx': 'environment: the prefix is looked up in DNS',
  'DNPT --dst-pfx': 'environment: the prefix is looked up in DNS',
  'SNPT --src-pfx': 'environment: the prefix is looked up in DNS',
  'SNPT --dst-pfx': 'environment: the prefix is looked up in DNS',
  'owner --uid-owner': 'not checked: user names are looked up in the passwd database',
  'owner --gid-owner': 'not checked: group names are looked up in the group database',
  'devgroup --src-group': 'not checked: names come from /etc/iproute2/group',
  'devgroup --dst-group': 'not checked: names come from /etc/iproute2/group',
  'realm --realm': 'not checked: names come from /etc/iproute2/rt_realms',
};

test('every option with a bad value: an error exactly where restore rejects it', () => {
  if (skipOrFail()) return;
  type Case = { key: string; family: Family; text: string; value: string };
  const cases: Case[] = [];
  for (const { key, spec, option, family, ctx } of registryOptions()) {
    if ((typeof option.arity === 'number' ? option.arity : option.arity[1]) !== 1) continue;
    for (const value of BAD_VALUES) cases.push({ key, family, value, text: dump(ctx.table, [{ chain: ctx.chain, text: ruleFor(spec, option, family, { value }) }]) });
  }
  const results = runCases(cases, 'test');
  const unexplained: string[] = [];
  const gapsSeen = new Set<string>();
  cases.forEach((c, i) => {
    const ours = parseRuleset(c.text, { family: c.family }).problems.some((p) => p.severity === 'error');
    if (ours === !results[i].ok) return;
    if (c.key in KNOWN_VALUE_GAPS) gapsSeen.add(c.key);
    else unexplained.push(`${c.key} ${JSON.stringify(c.value)}: restore ${results[i].ok ? 'accepts' : `rejects (${results[i].stderr.split('\n')[0]})`}, we ${ours ? 'report an error' : 'report none'}`);
  });
  report(`bad values: ${cases.length} cases, ${unexplained.length} unexplained disagreements, ${gapsSeen.size} of ${Object.keys(KNOWN_VALUE_GAPS).length} known gaps seen`);
  assert.deepEqual(unexplained, []);
  assert.deepEqual(Object.keys(KNOWN_VALUE_GAPS).filter((key) => !gapsSeen.has(key)), [], 'these options agree now: take them off KNOWN_VALUE_GAPS');
});
