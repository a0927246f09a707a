// The Linux kernel as the oracle for the parser and the packet simulator (test code only).
// See /work/shared/notes/kernel-oracle.md for the idea; this file is the machinery.
//
// What the kernel prints (iptables 1.8.9 `xtables-monitor --trace`, kernel 6.x), a real sample:
//
//   PACKET: 2 96d3499a IN=v1 MACSRC=46:6e:… MACPROTO=0800 SRC=192.168.50.9 DST=172.20.0.3 LEN=60 … SPORT=48898 DPORT=30080 SYN
//    TRACE: 2 96d3499a iplens_trace:pre:rule:0x3:CONTINUE  -4 -t iplens_trace -A pre -s 192.168.50.9/32 … -j TRACE
//    TRACE: 2 96d3499a iplens_trace:pre:policy:ACCEPT
//    TRACE: 2 96d3499a mangle:PREROUTING:policy:ACCEPT
//    TRACE: 2 96d3499a nat:PREROUTING:rule:0x1d:JUMP:KUBE-SERVICES  -4 -t nat -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
//    TRACE: 2 96d3499a nat:KUBE-MARK-MASQ:rule:0x2c:CONTINUE  -4 -t nat -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
//    TRACE: 2 96d3499a nat:KUBE-SEP-ULMINKU752SDK7IQ:rule:0x3c:ACCEPT  -4 -t nat -A KUBE-SEP-… -j DNAT --to-destination 10.244.1.2:80
//   PACKET: 2 96d3499a IN=v1 OUT=v1 … SRC=192.168.50.9 DST=10.244.1.2 … DPORT=80 SYN MARK=0x4000
//    TRACE: 2 96d3499a mangle:FORWARD:policy:ACCEPT
//    TRACE: 2 96d3499a filter:FORWARD:rule:0x11:JUMP:KUBE-FORWARD  -4 -t filter -A FORWARD … -j KUBE-FORWARD
//    TRACE: 2 96d3499a filter:KUBE-FORWARD:rule:0x19:ACCEPT  -4 -t filter -A KUBE-FORWARD … -m mark --mark 0x4000/0x4000 -j ACCEPT
//    TRACE: 2 96d3499a nat:POSTROUTING:rule:0x21:JUMP:KUBE-POSTROUTING  …
//    TRACE: 2 96d3499a nat:KUBE-POSTROUTING:rule:0x30:ACCEPT  -4 -t nat -A KUBE-POSTROUTING … -j MASQUERADE --random-fully
//
// Line grammar: ` TRACE: <family 2|10> <trace id> <table>:<chain>:rule:0x<nft handle>:<verdict>  <rule as iptables-save>`
// or `…:<chain>:policy:<ACCEPT|DROP>`. Verdicts seen: ACCEPT, DROP, CONTINUE, RETURN, JUMP:<chain>,
// GOTO:<chain>. Kernel facts measured with this harness (kernel 6.18, iptables 1.8.9, nft 1.0.6):
//  - a user chain that ends without a verdict returns silently: no `return` line at all, the next
//    line is simply the next matching rule of the calling chain (or the caller's policy);
//  - `-j RETURN` prints `rule:0xN:RETURN`; `-g X` prints `GOTO:X` and when X falls off its end the
//    next line is from the chain that called the goto'ing chain (or the base chain's policy);
//  - a non-terminal target (MARK, CONNMARK, LOG, CT …) prints `CONTINUE`; DNAT/SNAT/MASQUERADE/REDIRECT
//    print `ACCEPT` (the nat chain ends there); REJECT prints `DROP`; NFQUEUE (no listener, no bypass)
//    prints a raw verdict code `0x…3`-style queue verdict — see normalizeVerdict();
//  - a chain whose rules never match prints nothing, not even for the rules; only matching rules,
//    and the base chain's policy when it is reached, are printed;
//  - nat chains are traced only for the first packet of a connection (we send exactly one);
//  - the packet after DNAT is traced through mangle FORWARD / filter FORWARD / POSTROUTING with the
//    same trace id (see the PACKET line with the new DST);
//  - built-in chains the dump does not declare do not exist under iptables-nft, so they print nothing
//    (no `policy:ACCEPT` line for them); a dump without a raw/mangle table prints no raw/mangle lines;
//  - locally delivered: mangle INPUT, filter INPUT, then nat INPUT (priority 100) — nat INPUT comes last;
//  - NFQUEUE with no listener prints the queue verdict and nothing after it, with or without
//    --queue-bypass; plain `-j QUEUE` cannot even be loaded on this kernel (RULE_APPEND: No such file);
//  - a packet the node sends to itself: the trace flag is lost on lo (see traceTable); after
//    re-arming, the lo leg shows no nat lines (NAT was decided in OUTPUT) and `IN=lo LOOPBACK`;
//  - REJECT in OUTPUT (tcp-reset) sends its RST over lo before the REJECT line is printed;
//  - IPv6: xtables-monitor 1.8.9 exits on any ip6tables rule with an L4 match, so IPv6 uses
//    `nft -a monitor trace` (parseNftTrace), which prints nft syntax instead of iptables syntax.
// Parser oracle: `iptables-nft-restore --test` misses everything checked at commit (undeclared chains
// in -A/-j/-g, policy names, targets not allowed in the table/hook, loops, -X, -I index); use
// { mode: 'load' } to commit into a throw-away namespace, or restoreTestLegacy (checks chains/targets).
// Rule numbers: the trace gives nft handles; we list the ruleset with `nft -j list ruleset` after
// loading the dump (before adding our own tracing table) and map each handle to its 1-based
// position in its chain. Tracing is switched on by a separate nft table (`iplens_trace`, priority
// -350, before raw) so the dump's own chains are never renumbered and a dump without a raw table
// gets no raw chain; that table's own lines are dropped from the result.

import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, existsSync, readdirSync, readlinkSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalAddress } from '../../server/src/netfilter/addr';
import { decodeHexString } from '../../server/src/netfilter/extensions/matches/string';

export type Family = 'ipv4' | 'ipv6';

// ───────────────────────────── availability ─────────────────────────────

let availability: { ok: boolean; reason?: string } | undefined;

/** Can this machine run the kernel oracle? (root, namespaces, iptables-nft, xtables-monitor, nft, python3) */
export function oracleAvailable(): { ok: boolean; reason?: string } {
  if (availability) return availability;
  availability = probeAvailability();
  return availability;
}

function probeAvailability(): { ok: boolean; reason?: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `not Linux (${process.platform})` };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { ok: false, reason: 'not root (network namespaces need CAP_SYS_ADMIN)' };
  const tools: Array<[string, string]> = [
    ['unshare', 'util-linux'], ['ip', 'iproute2'], ['iptables-nft-restore', 'iptables'], ['ip6tables-nft-restore', 'iptables'],
    ['iptables-legacy-restore', 'iptables'], ['xtables-monitor', 'iptables'], ['nft', 'nftables'],
  ];
  for (const [tool, pkg] of tools) {
    if (!which(tool)) return { ok: false, reason: `${tool} not found (Debian package ${pkg})` };
  }
  if (!pythonPath()) return { ok: false, reason: 'python3 not found (used to send one packet from a chosen source port)' };
  const unshared = spawnSync('unshare', ['-n', 'true'], { encoding: 'utf8' });
  if (unshared.status !== 0) return { ok: false, reason: `unshare -n failed: ${(unshared.stderr || '').trim()}` };
  const probe = `ipl${process.pid}probe`;
  const added = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (added.status !== 0) return { ok: false, reason: `ip netns add failed: ${(added.stderr || '').trim()}` };
  spawnSync('ip', ['netns', 'del', probe]);
  return { ok: true };
}

const whichCache = new Map<string, string | null>();
function which(tool: string): string | null {
  if (!whichCache.has(tool)) {
    const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
    whichCache.set(tool, dirs.map((d) => `${d}/${tool}`).find((p) => existsSync(p)) ?? null);
  }
  return whichCache.get(tool)!;
}

let python: string | null | undefined;
/** The real python3 binary (pyenv shims are slow to start inside `ip netns exec`). */
function pythonPath(): string | null {
  if (python !== undefined) return python;
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  python = r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
  return python;
}

// ───────────────────────────── parser oracle ─────────────────────────────

export interface RestoreVerdict {
  accepted: boolean;
  /** 1-based line the tool blamed (absent when it named none) */
  errorLine?: number;
  /** the tool's complaint without the `Try --help` / `Error occurred at line` boilerplate; '' when accepted */
  message: string;
  exitCode: number;
}

export interface RestoreOptions {
  /**
   * 'test' (default): `--test`, parse and build the ruleset without committing. Under iptables-nft this
   * does NOT check that jump targets / `-A` chains exist, policy names, whether a target is allowed in
   * its table/hook (DNAT in filter, MASQUERADE in PREROUTING), jump loops, `-X`/`-I` errors.
   * 'load': really commit into a throw-away namespace (`unshare -n`), which catches all of the above —
   * but then the error line is often the table's COMMIT line (errors found at commit time).
   */
  mode?: 'test' | 'load';
}

/** `unshare -n iptables-nft-restore --test` (ip6tables-nft-restore for ipv6) on the dump. */
export function restoreTest(dumpText: string, family: Family, options: RestoreOptions = {}): RestoreVerdict {
  return runRestore(family === 'ipv6' ? 'ip6tables-nft-restore' : 'iptables-nft-restore', dumpText, options);
}

/** Same with iptables-legacy-restore (x_tables backend): stricter `--test` (checks chains and targets). */
export function restoreTestLegacy(dumpText: string, family: Family, options: RestoreOptions = {}): RestoreVerdict {
  return runRestore(family === 'ipv6' ? 'ip6tables-legacy-restore' : 'iptables-legacy-restore', dumpText, options);
}

/**
 * Both restores' verdict as one: accepted when both accept; else the rejection that blames the earlier
 * line (legacy checks chains and targets that nft --test leaves to the load).
 */
export function combineVerdicts(nft: RestoreVerdict, legacy: RestoreVerdict): RestoreVerdict {
  if (nft.accepted) return legacy;
  if (legacy.accepted) return nft;
  return (legacy.errorLine ?? Infinity) < (nft.errorLine ?? Infinity) ? legacy : nft;
}

function runRestore(tool: string, dumpText: string, options: RestoreOptions): RestoreVerdict {
  // The dump goes in a file, not through stdin: restore stops reading at its first error, and a big
  // dump then fails the write (EPIPE) instead of giving the verdict.
  const dir = mkdtempSync(join(tmpdir(), 'lens-restore-'));
  try {
    const file = join(dir, 'dump.rules');
    writeFileSync(file, dumpText);
    const args = ['-n', tool];
    if ((options.mode ?? 'test') === 'test') args.push('--test');
    args.push(file);
    const r = spawnSync('unshare', args, { encoding: 'utf8', timeout: 20_000 });
    if (r.error) throw new Error(`${tool}: ${r.error.message}`);
    return parseRestoreOutput(r.status ?? -1, `${r.stderr ?? ''}${r.stdout ?? ''}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The forms iptables-*-restore 1.8.9 uses to blame a line (all seen while writing this):
 *   `Error occurred at line: 3`                                  (after most option/match/target errors)
 *   `iptables-nft-restore: line 3 failed`                        (bad chain for -A/-I/-X, rule before *table)
 *   `iptables-nft-restore: line 3 failed: No chain/target/match by that name.`
 *   `iptables-nft-restore: COMMIT expected at line 4`            (file ends inside a table)
 *   `iptables-restore v1.8.9 (legacy): Can't set policy `FOO' on `INPUT' line 2: Bad policy name`
 *   `line 3: RULE_APPEND failed (Invalid argument): rule in chain INPUT`   (nft commit: wrong table/hook)
 */
export function parseRestoreOutput(exitCode: number, output: string): RestoreVerdict {
  const lines = output.split('\n').map((l) => l.trimEnd());
  const patterns = [
    /Error occurred at line: (\d+)/,
    /COMMIT expected at line (\d+)/,
    /\bline (\d+) failed\b/,
    /\bline (\d+): /,
    /\bline (\d+)\b/,
  ];
  let errorLine: number | undefined;
  for (const pattern of patterns) {
    const hit = lines.map((l) => pattern.exec(l)).find((m) => m);
    if (hit) { errorLine = Number(hit[1]); break; }
  }
  const message = lines
    .filter((l) => !/^Try `/.test(l) && !/^Error occurred at line: \d+$/.test(l))
    .map((l) => l.replace(/^ip6?tables(-nft|-legacy)?-restore v[\d.]+ \([^)]*\):\s*/, '').replace(/^ip6?tables(-nft|-legacy)?-restore: /, '').trim())
    .filter((l) => l !== '')
    .join('\n');
  const accepted = exitCode === 0;
  return accepted ? { accepted, message, exitCode } : { accepted, errorLine, message, exitCode };
}

// ───────────────────────────── trace oracle ─────────────────────────────

export interface PacketSpec {
  src: string;
  dst: string;
  proto: 'tcp' | 'udp' | 'icmp';
  sport?: number;
  dport?: number;
  /** the node itself sends the packet (OUTPUT path); `src` must then be one of nodeAddresses */
  fromLocal?: boolean;
  /**
   * addresses the node owns; all are put on its interface so routing and addrtype see them as local
   * (`/32` or `/128` unless one says its subnet, `10.0.0.1/24`: then the kernel also has that subnet's
   * broadcast route; a multicast group is joined)
   */
  nodeAddresses: string[];
  /** name of the node's interface the packet arrives on (and leaves by, unless outIface is given) */
  inIface?: string;
  /** when given, forwarded/sent packets leave by a second interface of that name (default route) */
  outIface?: string;
  /** the node address put on outIface instead of inIface (MASQUERADE picks it); must be in nodeAddresses */
  outAddress?: string;
  /** `ipset save` text loaded into the node before the dump (the dump's `-m set` / `-j SET` name these sets) */
  ipsets?: string;
  /** the DSCP the sender puts in the TOS / Traffic Class byte (IP_TOS, IPV6_TCLASS); default 0 */
  dscp?: number;
  /**
   * UDP and ICMP: the ECN field the sender puts in that byte (0–3; default 0). A TCP socket keeps
   * the field to itself (Linux masks it out of IP_TOS), so a TCP case cannot have one.
   */
  ecn?: number;
  /**
   * UDP and ICMP: the bytes after the transport header, in `--hex-string` notation (default
   * `iptables-lens`); a TCP SYN carries none
   */
  payload?: string;
  /**
   * A unicast destination carried in a broadcast (ff:ff:ff:ff:ff:ff) or multicast (01:00:5e:00:00:01)
   * frame: the client's neighbour entry for the node says so (pkttype). A packet to a group or to
   * 255.255.255.255 gets its frame from its destination.
   */
  frame?: 'broadcast' | 'multicast';
  /**
   * UDP from another host: the client writes the whole Ethernet frame itself (AF_PACKET), for sources
   * no socket sends from — a group, 0.0.0.0, the node's own address ("martians").
   */
  rawFrame?: true;
}

/** What the sender puts after a UDP or ICMP header unless the case says otherwise. */
export const DEFAULT_PAYLOAD = 'iptables-lens';

/** The payload the packet of `spec` carries (TCP: none, a SYN). */
export function payloadOf(spec: Pick<PacketSpec, 'proto' | 'payload'>): Uint8Array {
  if (spec.proto === 'tcp') return new Uint8Array(0);
  const decoded = decodeHexString(spec.payload ?? DEFAULT_PAYLOAD, 1400);
  if ('error' in decoded) throw new Error(`payload ${spec.payload}: ${decoded.error}`);
  return decoded.bytes;
}

let wscale: number | undefined;
/**
 * The window scale a SYN sent in a fresh namespace advertises: Linux's tcp_select_initial_window,
 * ilog2(max(tcp_rmem[2], rmem_max)) − 15, at most 14. The defaults depend on the machine's memory
 * (tcp_rmem[2] is 32 MiB on a large one: 10; 6 MiB: 7), so they are read, once.
 */
export function synWindowScale(): number {
  if (wscale !== undefined) return wscale;
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'cat /proc/sys/net/ipv4/tcp_rmem /proc/sys/net/core/rmem_max'], { encoding: 'utf8' });
  const numbers = (r.stdout ?? '').trim().split(/\s+/).map(Number);
  if (r.status !== 0 || numbers.length !== 4 || numbers.some((n) => !Number.isFinite(n))) throw new Error(`cannot read tcp_rmem and rmem_max in a namespace: ${r.stderr ?? ''}`);
  const space = Math.max(numbers[2], numbers[3]);
  wscale = Math.min(14, Math.max(0, Math.floor(Math.log2(space)) - 15));
  return wscale;
}

/** A PacketSpec with every default filled in: what the engine must be told to reproduce the kernel run. */
export interface ResolvedPacketSpec extends PacketSpec {
  family: Family;
  sport?: number;
  inIface: string;
  outIface: string;
}

export interface KernelStep {
  table: string;
  chain: string;
  kind: 'rule' | 'policy' | 'return';
  /** 1-based position of the rule in its chain (null for policy/return) */
  rule: number | null;
  /** `ACCEPT`, `DROP`, `CONTINUE`, `RETURN`, `JUMP X`, `GOTO X`, `QUEUE` … (xtables-monitor's word, `:` → space) */
  verdict: string;
  /** the rule as xtables-monitor printed it (iptables-save syntax with `-4 -t T -A CHAIN` in front) */
  ruleText?: string;
  /** netfilter hook this happened in, derived from the base chain of the traversal */
  hook?: string;
  /** nft rule handle (diagnostics only) */
  handle?: number;
}

export interface KernelTraceDetails {
  steps: KernelStep[];
  /** the raw xtables-monitor lines of our packet (PACKET and TRACE) */
  raw: string[];
  /** `table:chain` of every chain the dump created in the kernel (a chain absent here does not exist) */
  chains: string[];
  spec: ResolvedPacketSpec;
  /**
   * The connection as the kernel's conntrack table holds it after the packet: the packet as it left,
   * every NAT applied (read from the reply tuple). Undefined when conntrack kept no entry for it
   * (dropped before the entry was confirmed, NOTRACK, CT --notrack).
   */
  conntrack?: ConntrackTuple;
  /**
   * How many packets the node's IP layer dropped on arrival for their header, before any hook
   * (Ip6InHdrErrors / Ip InHdrErrors of the fresh namespace): a packet the kernel printed no trace for
   * was dropped there when this is not 0.
   */
  droppedOnArrival: number;
  /** the second (since the epoch, UTC) the packet was sent in: what `-m time` saw */
  sentAtSeconds: number;
  elapsedMs: number;
  /** ms since start at which each stage ended (setup, monitor, sent, quiet) — for tuning */
  timings: Record<string, number>;
}

/** A packet's addresses and ports as conntrack reports them (ports absent for ICMP). */
export interface ConntrackTuple {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
}

export interface KernelTraceOptions {
  /** overall limit for one run (default 10 s); everything is torn down when it expires */
  timeoutMs?: number;
  /** how long the monitor must stay silent before we consider the packet done (default 120 ms) */
  quietMs?: number;
}

const DEFAULT_SPORT = 40000;
const DEFAULT_IFACE = 'ipl0';
/** the address the peer (client) end of the link gets when the node itself sends */
const PEER_V4 = '192.0.2.254';
const PEER_V6 = '2001:db8:ffff::fe';

export function familyOf(address: string): Family {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

export function resolvePacketSpec(spec: PacketSpec): ResolvedPacketSpec {
  const family = familyOf(spec.dst);
  const inIface = spec.inIface ?? DEFAULT_IFACE;
  const sport = spec.proto === 'icmp' ? undefined : spec.sport ?? DEFAULT_SPORT;
  if (spec.proto === 'tcp' && spec.ecn) throw new Error('a TCP socket does not let its sender set the ECN field: give the case a UDP or ICMP packet');
  return { ...spec, family, sport, inIface, outIface: spec.outIface ?? inIface };
}

/** Trace one packet through the dump in the real kernel and return the steps (see KernelStep). */
export async function kernelTrace(dumpText: string, packetSpec: PacketSpec, options: KernelTraceOptions = {}): Promise<KernelStep[]> {
  return (await kernelTraceDetailed(dumpText, packetSpec, options)).steps;
}

let runCounter = 0;
const liveNamespaces = new Set<string>();
const liveProcesses = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: a crash or Ctrl-C must not leave namespaces behind.
  const sweep = () => {
    for (const p of liveProcesses) { try { p.kill('SIGKILL'); } catch { /* gone */ } }
    for (const ns of liveNamespaces) { try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* gone */ } }
    liveNamespaces.clear();
  };
  process.on('exit', sweep);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => { sweep(); process.kill(process.pid, signal); });
  }
}

/** Namespace names are `ipl<pid>x<counter>{c,n}`; delete those whose creating process is gone. */
export function cleanupStaleNamespaces(): string[] {
  const removed: string[] = [];
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    const m = /^(ipl(\d+)(?:x\d+[cn]|probe))\b/.exec(line.trim());
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || existsSync(`/proc/${pid}`)) continue;
    spawnSync('ip', ['netns', 'del', m[1]]);
    removed.push(m[1]);
  }
  return removed;
}

export async function kernelTraceDetailed(dumpText: string, packetSpec: PacketSpec, options: KernelTraceOptions = {}): Promise<KernelTraceDetails> {
  const started = Date.now();
  const timings: Record<string, number> = {};
  const mark = (what: string) => { timings[what] = Date.now() - started; };
  const spec = resolvePacketSpec(packetSpec);
  validateSpec(spec);
  installExitHook();
  const id = `ipl${process.pid}x${++runCounter}`;
  const cli = `${id}c`;
  const node = `${id}n`;
  const deadline = started + (options.timeoutMs ?? 10_000);
  let monitor: ChildProcess | undefined;
  liveNamespaces.add(cli);
  liveNamespaces.add(node);
  try {
    // 1. topology + dump + rule listing + tracing table, in one shell (each spawn costs ~5 ms)
    const setup = await run('bash', ['-e', '-c', setupScript(spec, cli, node)], { input: dumpText, deadline });
    if (setup.code !== 0) throw new Error(`kernel setup failed (exit ${setup.code}): ${setup.stderr.trim()}`);
    const jsonStart = setup.stdout.indexOf('{');
    const { handles, chains } = indexRuleset(setup.stdout.slice(jsonStart), spec.family);
    mark('setup');

    // 2. monitor, started before the packet and waited for until it has joined the trace group
    // IPv6: xtables-monitor 1.8.9 exits ("Parsing nftables rule failed") on the first ip6tables rule
    // with an L4 match it has to print, so IPv6 traces are read from `nft -a monitor trace` instead.
    const monitorCommand = spec.family === 'ipv6' ? ['nft', '-a', 'monitor', 'trace'] : ['xtables-monitor', '--trace', '-4'];
    monitor = spawn('ip', ['netns', 'exec', node, ...monitorCommand], { stdio: ['ignore', 'pipe', 'pipe'] });
    liveProcesses.add(monitor);
    let output = '';
    let lastOutputAt = Date.now();
    monitor.stdout!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; lastOutputAt = Date.now(); });
    let monitorErr = '';
    monitor.stderr!.setEncoding('utf8').on('data', (chunk: string) => { monitorErr += chunk; });
    await waitForTraceSubscription(monitor, deadline, () => monitorErr);
    mark('monitor');

    // 3. exactly one packet (`-m time` reads the clock when the packet passes: the second it was sent)
    const sendingAt = Date.now();
    const sender = await run('ip', ['netns', 'exec', spec.fromLocal ? node : cli, pythonPath()!, '-I', '-S', '-c', SENDER_PY, JSON.stringify(senderArgs(spec))], { deadline });
    if (sender.code !== 0) throw new Error(`sending the packet failed: ${sender.stderr.trim()}`);
    const sentAt = Date.now();
    mark('sent');

    // 4. wait until the monitor has been quiet for a while (the traversal itself takes microseconds)
    const quietMs = options.quietMs ?? 120;
    for (;;) {
      const now = Date.now();
      if (now > deadline) throw new Error('kernel trace timed out');
      if (now - sentAt >= quietMs && now - lastOutputAt >= quietMs) break;
      await sleep(15);
    }
    mark('quiet');
    if (monitor.exitCode !== null) throw new Error(`xtables-monitor exited during the trace: ${monitorErr.trim()}`);
    const { steps, raw } = spec.family === 'ipv6' ? parseNftTrace(output, handles) : parseTrace(output, handles, spec.family);
    // 5. what conntrack made of the connection: the NAT the kernel chose (addresses, ports)
    const table = await run('ip', ['netns', 'exec', node, 'cat', '/proc/net/nf_conntrack'], { deadline });
    const conntrack = table.code === 0 ? connectionAfterNat(table.stdout, spec) : undefined;
    mark('conntrack');
    // packets the IP layer dropped on arrival, before the first hook (ipv6_rcv / ip_rcv header checks)
    const snmp = await run('ip', ['netns', 'exec', node, 'cat', spec.family === 'ipv6' ? '/proc/net/snmp6' : '/proc/net/snmp'], { deadline });
    const droppedOnArrival = snmp.code === 0 ? inHeaderErrors(snmp.stdout, spec.family) : 0;
    // (the sender prints the clock right before it sends; starting it takes tens of milliseconds, in which a second may end)
    const stamped = /sent-at (\d+(?:\.\d+)?)/.exec(sender.stdout);
    const sentAtSeconds = Math.floor(stamped ? Number(stamped[1]) : sendingAt / 1000);
    return { steps, raw, chains, spec, conntrack, droppedOnArrival, sentAtSeconds, elapsedMs: Date.now() - started, timings };
  } finally {
    if (monitor) { monitor.kill('SIGKILL'); liveProcesses.delete(monitor); }
    await Promise.all([cli, node].map(async (ns) => {
      await run('ip', ['netns', 'del', ns], { deadline: Date.now() + 5000 }).catch(() => undefined);
      liveNamespaces.delete(ns);
    }));
    mark('cleanup');
  }
}

/**
 * The entry of /proc/net/nf_conntrack whose original tuple is the packet we sent, turned into the
 * packet as it left: `ipv4 2 tcp 6 118 SYN_SENT src=A dst=B sport=P dport=Q [UNREPLIED] src=B'
 * dst=A' sport=Q' dport=P' mark=0 …` — the reply tuple, reversed. (Addresses canonical; the file
 * writes IPv6 addresses in full.)
 */
export function connectionAfterNat(table: string, spec: ResolvedPacketSpec): ConntrackTuple | undefined {
  const sent = { src: canonicalAddress(spec.src), dst: canonicalAddress(spec.dst) };
  for (const line of table.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[2] !== (spec.proto === 'icmp' ? (spec.family === 'ipv6' ? 'icmpv6' : 'icmp') : spec.proto)) continue;
    const tuples: Array<Record<string, string>> = [];
    for (const word of words) {
      const [key, value] = word.split('=');
      if (value === undefined) continue;
      if (key === 'src') tuples.push({});
      if (tuples.length > 0 && tuples[tuples.length - 1][key] === undefined) tuples[tuples.length - 1][key] = value;
    }
    const [original, reply] = tuples;
    if (!original || !reply) continue;
    if (canonicalAddress(original.src) !== sent.src || canonicalAddress(original.dst) !== sent.dst) continue;
    if (spec.proto !== 'icmp' && (Number(original.sport) !== spec.sport || Number(original.dport) !== spec.dport)) continue;
    const after: ConntrackTuple = { src: canonicalAddress(reply.dst), dst: canonicalAddress(reply.src) };
    if (spec.proto !== 'icmp') {
      after.sport = Number(reply.dport);
      after.dport = Number(reply.sport);
    }
    return after;
  }
  return undefined;
}

function validateSpec(spec: ResolvedPacketSpec): void {
  if (spec.nodeAddresses.length === 0) throw new Error('packet spec: nodeAddresses must name at least one node address');
  if (spec.proto !== 'icmp' && spec.dport === undefined) throw new Error(`packet spec: ${spec.proto} needs dport`);
  const owned = spec.nodeAddresses.map(withoutPrefix);
  if (spec.fromLocal && !owned.includes(spec.src) && !/^127\./.test(spec.src)) throw new Error('packet spec: fromLocal needs src among nodeAddresses');
  if (spec.outAddress && !owned.includes(spec.outAddress)) throw new Error('packet spec: outAddress must be one of nodeAddresses');
  for (const name of [spec.inIface, spec.outIface]) {
    if (!/^[A-Za-z0-9_.+-]{1,15}$/.test(name) || name === 'lo') throw new Error(`packet spec: bad interface name ${name}`);
  }
  const group = isGroupOrBroadcast(spec.dst);
  if (group && spec.proto === 'tcp') throw new Error('packet spec: TCP cannot go to a group or a broadcast address');
  if (group && spec.frame) throw new Error('packet spec: a packet to a group or a broadcast address gets its frame from its destination');
  if (spec.rawFrame && (spec.fromLocal || spec.proto !== 'udp')) throw new Error('packet spec: rawFrame is for UDP from another host');
  if (spec.ipsets && !/^(?:(?:create|add) [\w.-]+ [^\n']*\n?)*$/.test(spec.ipsets.trim())) throw new Error('packet spec: ipsets must be `ipset save` create/add lines');
  if (spec.nodeAddresses.some((a) => !/^[0-9a-fA-F:.]+(?:\/\d{1,3})?$/.test(a))) throw new Error('packet spec: a node address is an address, maybe with its prefix');
  for (const a of [spec.src, spec.dst, ...owned]) {
    if (!/^[0-9a-fA-F:.]+$/.test(a) || familyOf(a) !== spec.family) throw new Error(`packet spec: bad or mixed-family address ${a}`);
  }
}

function setupScript(spec: ResolvedPacketSpec, cli: string, node: string): string {
  const v6 = spec.family === 'ipv6';
  const ip = v6 ? 'ip -6' : 'ip';
  const host = v6 ? '/128' : '/32';
  const nodad = v6 ? ' nodad' : '';
  const restore = v6 ? 'ip6tables-nft-restore' : 'iptables-nft-restore';
  // the client end: the packet's source for incoming packets, a documentation address otherwise
  // (and for a frame the client writes itself, whose source may be one no interface can have)
  const peer = spec.fromLocal || spec.rawFrame ? (v6 ? PEER_V6 : PEER_V4) : spec.src;
  const twoLinks = spec.outIface !== spec.inIface;
  // groups the node has joined are among its addresses (`autojoin`): never the one it is reached by
  const unicast = spec.nodeAddresses.map(withoutPrefix).filter((a) => !isGroupOrBroadcast(a));
  const nodeMain = unicast.find((a) => a !== spec.outAddress || !twoLinks)!;
  const addOnIn = (a: string) => `${ip} -n ${node} addr add ${a.includes('/') ? a : a + host} dev ${spec.inIface}${isGroupOrBroadcast(a) ? ' autojoin' : nodad}`;
  const lines = [
    `ip netns add ${cli}`, `ip netns add ${node}`,
    // fixed MACs + permanent neighbour entries: no ARP/NDP round trip before the packet leaves
    // (IPv6 neighbour discovery on a link that just came up would otherwise hold the packet back)
    `ip link add c0 netns ${cli} address ${MAC.cli0} type veth peer name ${spec.inIface} netns ${node} address ${MAC.nodeIn}`,
    `${ip} -n ${cli} addr add ${peer}${host} dev c0${nodad}`,
    `ip -n ${cli} link set c0 up`, `ip -n ${cli} link set lo up`,
    ...spec.nodeAddresses.filter((a) => withoutPrefix(a) !== spec.outAddress || !twoLinks).map(addOnIn),
    `ip -n ${node} link set ${spec.inIface} up`, `ip -n ${node} link set lo up`,
    `${ip} -n ${cli} route add ${nodeMain}${host} dev c0`,
    `${ip} -n ${cli} route add default via ${nodeMain} dev c0 onlink`,
    `${ip} -n ${node} route add ${peer}${host} dev ${spec.inIface}`,
    `ip -n ${cli} neigh replace ${nodeMain} lladdr ${frameMac(spec)} dev c0 nud permanent`,
    `ip -n ${node} neigh replace ${peer} lladdr ${MAC.cli0} dev ${spec.inIface} nud permanent`,
  ];
  if (twoLinks) {
    lines.push(
      `ip link add c1 netns ${cli} address ${MAC.cli1} type veth peer name ${spec.outIface} netns ${node} address ${MAC.nodeOut}`,
      `ip -n ${node} neigh replace ${peer} lladdr ${MAC.cli1} dev ${spec.outIface} nud permanent`,
      `ip -n ${cli} link set c1 up`, `ip -n ${node} link set ${spec.outIface} up`,
      ...(spec.outAddress ? [`${ip} -n ${node} addr add ${spec.outAddress}${host} dev ${spec.outIface}${nodad}`] : []),
      `${ip} -n ${node} route add default via ${peer} dev ${spec.outIface} onlink`,
    );
  } else {
    lines.push(`${ip} -n ${node} route add default via ${peer} dev ${spec.inIface} onlink`);
  }
  lines.push(
    v6 ? `ip netns exec ${node} sysctl -qw net.ipv6.conf.all.forwarding=1`
      // send_redirects is OR-ed over `all` and the device: it must be off on each link, else a packet
      // forwarded out by the link it came in on makes the node send an ICMP redirect — RELATED to the
      // packet's connection, through OUTPUT — before the packet reaches FORWARD (campaign seed 401779:
      // a CONNMARK in mangle OUTPUT had changed the connection's mark). The simulator does not model it.
      : `ip netns exec ${node} sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.all.rp_filter=0 ` +
        [...new Set([spec.inIface, spec.outIface])].map((i) => `net/ipv4/conf/${i}/send_redirects=0`).join(' '),
    // ipsets are per network namespace; the dump's set matches need them at load time
    ...(spec.ipsets ? [`ip netns exec ${node} ipset restore <<'IPSET'\n${spec.ipsets.trim()}\nIPSET`] : []),
    // the dump arrives on stdin; nothing before this line reads stdin
    `ip netns exec ${node} ${restore}`,
    `ip netns exec ${node} nft -j list ruleset`,
    `ip netns exec ${node} nft -f - <<'NFT'\n${traceTable(spec)}\nNFT`,
  );
  return lines.join('\n');
}

/**
 * nft table that sets nftrace on our packet only: exact tuple, and for TCP only the SYN, so replies
 * and the client's RST are not traced. Priority -350 runs before raw (-300) and conntrack (-200).
 * A packet the node sends to itself loses its trace flag on the loopback device (measured: the trace
 * stops after OUTPUT/POSTROUTING), so for fromLocal a second chain re-arms it when it comes back in
 * on lo. That match is on the source address only (+ SYN for TCP): DNAT in OUTPUT may have changed
 * the destination, and MASQUERADE --random-fully on lo the source port (40000 came back as 26152 with
 * kube-proxy's KUBE-SEP to the node's own API server; the address stayed). Not matching any lo packet
 * matters: REJECT --reject-with tcp-reset in OUTPUT sends its RST over lo *before* the REJECT line is
 * printed. parseTrace keeps the first packet armed by each chain.
 * Every expression here must be one xtables-monitor can print as iptables syntax: it exits with
 * "Parsing nftables rule failed" on e.g. `ct original proto-dst` (seen), which would end the trace.
 */
function traceTable(spec: ResolvedPacketSpec): string {
  const fam = spec.family === 'ipv6' ? 'ip6' : 'ip';
  const l4 = spec.proto === 'icmp' ? (spec.family === 'ipv6' ? 'icmpv6' : 'icmp') : spec.proto;
  const source = [`${fam} saddr ${spec.src}`];
  const destination = [`${fam} daddr ${spec.dst}`];
  let l4Match: string[];
  if (spec.proto === 'icmp') l4Match = [`${l4} type echo-request`];
  else {
    source.push(`${l4} sport ${spec.sport}`);
    destination.push(`${l4} dport ${spec.dport}`);
    l4Match = spec.proto === 'tcp' ? ['tcp flags & (syn|ack|fin|rst) == syn'] : [];
  }
  // xtables-monitor 1.8.9 cannot print any ip6 rule with an L4 match ("unsupported layer 4 protocol
  // value", then it exits): for IPv6 match addresses only and rely on parseTrace taking the first
  // traced packet of each chain (ours is the first packet between the two addresses).
  const v6 = spec.family === 'ipv6';
  const packet = (v6 ? [source[0], destination[0]] : [...source, ...destination, ...l4Match]).join(' ');
  // the protocol too: an ICMP error the node sends itself about our packet has the same source
  // (IPv6 is read with `nft monitor trace`, which prints any expression; campaign seed 702218: a
  // REJECT's ICMPv6 error in OUTPUT was traced on lo)
  const v6Loopback = [source[0], `meta l4proto ${l4}`, ...(spec.proto === 'icmp' ? ['icmpv6 type echo-request'] : [])];
  const loopback = (v6 ? v6Loopback : [source[0], `ip protocol ${l4}`, ...l4Match]).join(' ');
  const chains = spec.fromLocal
    ? [`  chain trace { type filter hook output priority -350; policy accept; ${packet} meta nftrace set 1; }`,
       `  chain trace_lo { type filter hook prerouting priority -350; policy accept; iifname "lo" ${loopback} meta nftrace set 1; }`]
    : [`  chain trace { type filter hook prerouting priority -350; policy accept; ${packet} meta nftrace set 1; }`];
  return `table ${fam} ${TRACE_TABLE} {\n${chains.join('\n')}\n}`;
}

/** `10.0.0.1/24` → `10.0.0.1` (a node address may say its subnet). */
export function withoutPrefix(address: string): string {
  return address.split('/')[0];
}

/** A multicast group or the IPv4 limited broadcast: not an address a host is reached by. */
export function isGroupOrBroadcast(address: string): boolean {
  return /^(?:2(?:2[4-9]|3\d)\.|255\.255\.255\.255$|ff)/i.test(address);
}

/** The destination MAC of the frame the client sends to the node (see PacketSpec.frame, rawFrame). */
function frameMac(spec: ResolvedPacketSpec): string {
  if (spec.dst === '255.255.255.255') return 'ff:ff:ff:ff:ff:ff';
  if (isGroupOrBroadcast(spec.dst)) {
    // RFC 1112 / RFC 2464: the group's low 23 (IPv4) or 32 (IPv6) bits under 01:00:5e / 33:33
    if (spec.family === 'ipv4') {
      const [, b, c, d] = spec.dst.split('.').map(Number);
      return ['01', '00', '5e', (b & 0x7f).toString(16), c.toString(16), d.toString(16)].map((x) => x.padStart(2, '0')).join(':');
    }
    const hex = canonicalFullHex(spec.dst).slice(-8);
    return `33:33:${hex.match(/../g)!.join(':')}`;
  }
  return spec.frame === 'broadcast' ? 'ff:ff:ff:ff:ff:ff' : spec.frame === 'multicast' ? '01:00:5e:00:00:01' : MAC.nodeIn;
}

/** An IPv6 address as 32 hex digits. */
function canonicalFullHex(address: string): string {
  const [head, tail = ''] = canonicalAddress(address).split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return all.map((g) => g.padStart(4, '0')).join('');
}

/** the nft table that arms tracing on our packet (its lines are in KernelTraceDetails.raw, never in steps) */
export const TRACE_TABLE = 'iplens_trace';
/** The veths' addresses: packets the client sends come from cli0 (the source MAC `-m mac` sees). */
export const MAC = { cli0: '02:00:5e:10:00:01', nodeIn: '02:00:5e:10:00:02', cli1: '02:00:5e:10:00:03', nodeOut: '02:00:5e:10:00:04' };

interface HandleInfo { table: string; chain: string; position: number }

/** handle → (table, chain, 1-based position) from `nft -j list ruleset`, and the chains that exist. */
export function indexRuleset(json: string, family: Family): { handles: Map<string, HandleInfo>; chains: string[] } {
  const fam = family === 'ipv6' ? 'ip6' : 'ip';
  const handles = new Map<string, HandleInfo>();
  const chains: string[] = [];
  const positions = new Map<string, number>();
  const parsed = JSON.parse(json) as { nftables: Array<Record<string, { family: string; table: string; chain?: string; name?: string; handle: number }>> };
  for (const item of parsed.nftables) {
    if (item.chain && item.chain.family === fam) chains.push(`${item.chain.table}:${item.chain.name}`);
    const rule = item.rule;
    if (!rule || rule.family !== fam) continue;
    const key = `${rule.table}:${rule.chain}`;
    const position = (positions.get(key) ?? 0) + 1;
    positions.set(key, position);
    handles.set(`${rule.table}:${rule.handle}`, { table: rule.table, chain: rule.chain!, position });
  }
  return { handles, chains };
}

const BASE_CHAINS = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

/**
 * Parse xtables-monitor --trace output. Our packet's trace ids: for each chain of our tracing table,
 * the first id whose first line is that chain's rule (a packet looped back through lo gets a second
 * id from `trace_lo`; a later packet of the same flow — a retransmission, the client's RST — is
 * ignored). Lines of other ids are ignored, and so are our table's own lines.
 */
export function parseTrace(output: string, handles: Map<string, HandleInfo>, family: Family): { steps: KernelStep[]; raw: string[] } {
  const famNumber = family === 'ipv6' ? '10' : '2';
  const steps: KernelStep[] = [];
  const raw: string[] = [];
  const ours = new Set<string>();
  const others = new Set<string>();
  const armedBy = new Set<string>();
  let hook: string | undefined;
  for (const line of output.split('\n')) {
    const head = /^\s*(PACKET|TRACE): (\d+) ([0-9a-f]+) (.*)$/.exec(line);
    if (!head || head[2] !== famNumber) continue;
    const [, what, , id, rest] = head;
    if (!ours.has(id)) {
      if (others.has(id) || what !== 'TRACE') continue;
      const arming = new RegExp(`^${TRACE_TABLE}:([^:]+):rule:`).exec(rest);
      if (arming && !armedBy.has(arming[1])) { armedBy.add(arming[1]); ours.add(id); }
      else { others.add(id); continue; }
    }
    raw.push(line.trim());
    if (what !== 'TRACE') continue;
    const t = /^([^:]+):(.+):(rule|policy|return):(.*)$/.exec(rest);
    if (!t) throw new Error(`unrecognised trace line: ${line}`);
    const [, table, chain, kind, tail] = t;
    if (table === TRACE_TABLE) continue;
    if (BASE_CHAINS.has(chain)) hook = chain;
    if (kind === 'rule') {
      const r = /^0x([0-9a-f]+):(\S+)\s*(.*)$/.exec(tail);
      if (!r) throw new Error(`unrecognised rule trace: ${line}`);
      const handle = parseInt(r[1], 16);
      const info = handles.get(`${table}:${handle}`);
      if (!info) throw new Error(`trace names rule handle ${handle} in ${table}:${chain}, which the ruleset listing does not have`);
      if (info.chain !== chain) throw new Error(`handle ${handle} is in ${info.chain}, trace says ${chain}`);
      const ruleText = r[3].trim() || undefined;
      let verdict = normalizeVerdict(r[2]);
      // REJECT answers with NF_DROP; say what the rule is, as the simulator does
      if (verdict === 'DROP' && ruleText && / -j REJECT\b/.test(ruleText)) verdict = 'REJECT';
      steps.push({ table, chain, kind: 'rule', rule: info.position, verdict, ruleText, hook, handle });
    } else {
      steps.push({ table, chain, kind: kind as 'policy' | 'return', rule: null, verdict: normalizeVerdict(tail.trim()), hook });
    }
  }
  return { steps, raw };
}

/**
 * Parse `nft -a monitor trace` output (used for IPv6), same selection rules as parseTrace:
 *   trace id 2646b631 ip6 filter INPUT packet: iif "ipl0" … tcp dport 443 tcp flags == syn …
 *   trace id 2646b631 ip6 filter INPUT rule counter packets 0 bytes 0 jump SERVICES # handle 9 (verdict jump SERVICES)
 *   trace id 2646b631 ip6 filter SERVICES rule tcp dport 443 counter packets 0 bytes 0 accept # handle 10 (verdict accept)
 *   trace id 75014c85 ip6 filter INPUT policy drop
 */
export function parseNftTrace(output: string, handles: Map<string, HandleInfo>): { steps: KernelStep[]; raw: string[] } {
  const steps: KernelStep[] = [];
  const raw: string[] = [];
  const ours = new Set<string>();
  const others = new Set<string>();
  const armedBy = new Set<string>();
  let hook: string | undefined;
  for (const line of output.split('\n')) {
    const m = /^trace id ([0-9a-f]+) (ip6?|inet) (\S+) (\S+) (packet:|rule|policy|return)\s?(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, , table, chain, what, rest] = m;
    if (!ours.has(id)) {
      if (others.has(id) || what === 'packet:') continue;
      if (table === TRACE_TABLE && what === 'rule' && !armedBy.has(chain)) { armedBy.add(chain); ours.add(id); }
      else { others.add(id); continue; }
    }
    raw.push(line.trim());
    if (table === TRACE_TABLE || what === 'packet:') continue;
    if (BASE_CHAINS.has(chain)) hook = chain;
    if (what === 'rule') {
      const r = /^(.*?)\s*# handle (\d+) \(verdict (.+)\)\s*$/.exec(rest);
      if (!r) throw new Error(`unrecognised nft rule trace: ${line}`);
      const handle = Number(r[2]);
      const info = handles.get(`${table}:${handle}`);
      if (!info) throw new Error(`trace names rule handle ${handle} in ${table}:${chain}, which the ruleset listing does not have`);
      let verdict = nftVerdict(r[3]);
      if (verdict === 'DROP' && /\breject\b|REJECT/.test(r[1])) verdict = 'REJECT';
      steps.push({ table, chain, kind: 'rule', rule: info.position, verdict, ruleText: r[1], hook, handle });
    } else {
      steps.push({ table, chain, kind: what as 'policy' | 'return', rule: null, verdict: nftVerdict(rest.trim()), hook });
    }
  }
  return { steps, raw };
}

function nftVerdict(text: string): string {
  const m = /^(jump|goto) (.+)$/.exec(text);
  if (m) return `${m[1].toUpperCase()} ${m[2]}`;
  return text.split(/\s/)[0].toUpperCase();
}

/**
 * `JUMP:X` → `JUMP X`. xtables-monitor 1.8.9 prints verdicts it has no name for as hex:
 * NFT_RETURN (-5) as `0xfffffffb`, NFT_BREAK (-2) as `0xfffffffe`, and NF_QUEUE as `0x<num>0003`
 * (queue number in the high 16 bits, 0x8000 = --queue-bypass) — all seen on this kernel.
 */
export function normalizeVerdict(word: string): string {
  const jump = /^(JUMP|GOTO):(.+)$/.exec(word);
  if (jump) return `${jump[1]} ${jump[2]}`;
  if (/^0x[0-9a-f]+$/i.test(word)) {
    const code = parseInt(word, 16);
    const negative: Record<number, string> = { 0xffffffff: 'CONTINUE', 0xfffffffe: 'BREAK', 0xfffffffd: 'JUMP', 0xfffffffc: 'GOTO', 0xfffffffb: 'RETURN' };
    if (negative[code]) return negative[code];
    if ((code & 0xff) === 3) return 'QUEUE';
    if ((code & 0xff) === 4) return 'REPEAT';
    if ((code & 0xff) === 2) return 'STOLEN';
    return word;
  }
  return word;
}

/** `table:chain:kind:rule:verdict` one per line — the readable form used in reports and test messages. */
export function formatSteps(steps: Array<Pick<KernelStep, 'table' | 'chain' | 'kind' | 'rule' | 'verdict'>>): string {
  return steps.map((s) => `${s.table}:${s.chain}:${s.kind}:${s.rule ?? '-'}:${s.verdict}`).join('\n');
}

/** Ip6InHdrErrors of /proc/net/snmp6, or the Ip InHdrErrors column of /proc/net/snmp. */
export function inHeaderErrors(text: string, family: Family): number {
  if (family === 'ipv6') return Number(/^Ip6InHdrErrors\s+(\d+)/m.exec(text)?.[1] ?? 0);
  const [header, values] = text.split('\n').filter((line) => line.startsWith('Ip: '));
  const column = header?.split(' ').indexOf('InHdrErrors') ?? -1;
  return column > 0 ? Number(values?.split(' ')[column] ?? 0) : 0;
}

// ───────────────────────────── packet sender ─────────────────────────────

function senderArgs(spec: ResolvedPacketSpec): object {
  return {
    family: spec.family, proto: spec.proto, src: spec.src, dst: spec.dst, sport: spec.sport ?? 0, dport: spec.dport ?? 0, dscp: spec.dscp ?? 0, ecn: spec.ecn ?? 0,
    payload: Buffer.from(payloadOf(spec)).toString('hex'),
    // the interface a packet to a group leaves by (IPv6 link-local groups need it), and the frame a raw sender writes
    ifname: spec.fromLocal ? spec.outIface : 'c0',
    raw: spec.rawFrame ? { dstMac: frameMac(spec).replace(/:/g, ''), srcMac: MAC.cli0.replace(/:/g, '') } : null,
  };
}

// One packet from (src, sport): TCP = non-blocking connect (one SYN; the socket is closed well before
// the first retransmission at 1 s), UDP = one datagram, ICMP = one echo request on a raw socket.
// IP_FREEBIND lets the node bind addresses it only just received.
const SENDER_PY = String.raw`
import json, socket, struct, sys, time
a = json.loads(sys.argv[1])
v6 = a['family'] == 'ipv6'
af = socket.AF_INET6 if v6 else socket.AF_INET
def freebind(s):
    try:
        if v6: s.setsockopt(socket.IPPROTO_IPV6, 78, 1)  # IPV6_FREEBIND
        else: s.setsockopt(socket.IPPROTO_IP, 15, 1)      # IP_FREEBIND
    except OSError:
        pass
    # the DSCP and the ECN field in the TOS / Traffic Class byte
    tos = (a['dscp'] << 2) | a['ecn']
    if tos:
        if v6: s.setsockopt(socket.IPPROTO_IPV6, 67, tos)  # IPV6_TCLASS
        else: s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
def stamp():
    # the clock right before the packet leaves: the second -m time sees (the kernel handles it within microseconds)
    print('sent-at %.6f' % time.time(), flush=True)
def send(f):
    # a DROP in OUTPUT (rule or policy) fails the send with EPERM: the packet was traced, that is the outcome
    stamp()
    try: f()
    except PermissionError: pass
def group(s):
    # to a group or a broadcast address: allowed (SO_BROADCAST), out by the link, TTL / hop limit 64 as for any other packet
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex(a['ifname']))
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 64)
    else:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 64)
def target(port):
    # (an IPv6 group of link-local scope needs the interface as its scope)
    if v6 and a['dst'].lower().startswith('ff'): return (a['dst'], port, 0, socket.if_nametoindex(a['ifname']))
    return (a['dst'], port)
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return (~s) & 0xffff
if a['proto'] == 'tcp':
    s = socket.socket(af, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    freebind(s)
    s.bind((a['src'], a['sport']))
    s.setblocking(False)
    stamp()
    s.connect_ex((a['dst'], a['dport']))
    time.sleep(0.03)
    s.close()
elif a['raw']:
    # the whole frame, for a source no socket sends from: IPv4/IPv6 header (TTL / hop limit 64), UDP
    src = socket.inet_pton(af, a['src']); dst = socket.inet_pton(af, a['dst'])
    payload = bytes.fromhex(a['payload'])
    udp = struct.pack('!HHHH', a['sport'], a['dport'], 8 + len(payload), 0) + payload
    pseudo = src + dst + (struct.pack('!I3xB', len(udp), 17) if v6 else struct.pack('!xBH', 17, len(udp)))
    udp = udp[:6] + struct.pack('!H', csum(pseudo + udp) or 0xffff) + udp[8:]
    tos = (a['dscp'] << 2) | a['ecn']
    if v6:
        ip = struct.pack('!IHBB', (6 << 28) | (tos << 20), len(udp), 17, 64) + src + dst
        ethertype = b'\x86\xdd'
    else:
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, tos, 20 + len(udp), 1, 0, 64, 17, 0, src, dst)
        ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
        ethertype = b'\x08\x00'
    k = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    k.bind((a['ifname'], 0))
    send(lambda: k.send(bytes.fromhex(a['raw']['dstMac']) + bytes.fromhex(a['raw']['srcMac']) + ethertype + ip + udp))
    k.close()
elif a['proto'] == 'udp':
    s = socket.socket(af, socket.SOCK_DGRAM)
    freebind(s)
    group(s)
    s.bind((a['src'], a['sport']))
    send(lambda: s.sendto(bytes.fromhex(a['payload']), target(a['dport'])))
    s.close()
else:
    if v6:
        s = socket.socket(af, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        pkt = struct.pack('!BBHHH', 128, 0, 0, 0x1e5, 1) + bytes.fromhex(a['payload'])  # kernel fills the checksum
    else:
        s = socket.socket(af, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        body = struct.pack('!BBHHH', 8, 0, 0, 0x1e5, 1) + bytes.fromhex(a['payload'])
        pkt = body[:2] + struct.pack('!H', csum(body)) + body[4:]
    freebind(s)
    group(s)
    s.bind((a['src'], 0))
    send(lambda: s.sendto(pkt, target(0)))
    s.close()
`;

// ───────────────────────────── small process helpers ─────────────────────────────

interface RunResult { code: number; stdout: string; stderr: string }

function run(cmd: string, args: string[], opts: { input?: string; deadline: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    liveProcesses.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, Math.max(1, opts.deadline - Date.now()));
    child.on('error', (e) => { clearTimeout(timer); liveProcesses.delete(child); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      liveProcesses.delete(child);
      if (signal === 'SIGKILL' && Date.now() >= opts.deadline) reject(new Error(`${cmd} ${args.slice(0, 4).join(' ')} timed out`));
      else resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.on('error', () => { /* the child may exit before reading everything */ });
    child.stdin.end(opts.input ?? '');
  });
}

/** Poll /proc/<pid>/net/netlink (the monitor's own namespace) until a NETLINK_NETFILTER socket has joined NFNLGRP_NFTRACE. */
async function waitForTraceSubscription(monitor: ChildProcess, deadline: number, stderr: () => string): Promise<void> {
  const NETLINK_NETFILTER = 12;
  const NFTRACE_GROUP_BIT = 1 << (9 - 1); // NFNLGRP_NFTRACE = 9
  for (;;) {
    if (monitor.exitCode !== null || monitor.signalCode !== null) throw new Error(`xtables-monitor exited: ${stderr().trim()}`);
    try {
      // only the monitor's own sockets count (before `ip netns exec` has switched namespace, this
      // file shows the host's table, where someone else might be tracing)
      const ownSockets = new Set(readdirSync(`/proc/${monitor.pid}/fd`)
        .map((fd) => { try { return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${monitor.pid}/fd/${fd}`))?.[1]; } catch { return undefined; } })
        .filter((inode): inode is string => inode !== undefined));
      const table = readFileSync(`/proc/${monitor.pid}/net/netlink`, 'utf8');
      const subscribed = table.split('\n').slice(1).some((row) => {
        const cols = row.trim().split(/\s+/);
        return Number(cols[1]) === NETLINK_NETFILTER && (parseInt(cols[3], 16) & NFTRACE_GROUP_BIT) !== 0 && ownSockets.has(cols[9]);
      });
      if (subscribed) return;
    } catch { /* process still starting */ }
    if (Date.now() > deadline) throw new Error('xtables-monitor did not subscribe to trace events in time');
    await sleep(5);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
