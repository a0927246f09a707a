// Differential suite: every case in cases.ts goes through the real kernel (oracle.ts) and through the
// simulator; the kernel's step list must be one of the simulator's paths.
//
// Granularity compared: table, chain, kind, rule position, verdict. Not compared: `return` steps
// (this kernel never prints one for a chain that falls off its end; older kernels did), and steps in
// chains the kernel does not have (iptables-nft creates only the built-in chains a dump declares,
// so an undeclared INPUT has no `policy:ACCEPT` line). REJECT is compared as REJECT (the kernel's
// DROP is relabelled from the rule text by the oracle).
//
// Without the oracle (not root, no iptables-nft …) the suite prints one `SKIPPED: <reason>` line and
// passes — except under CI=true, where it fails.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kernelCases, type KernelCase } from './cases';
import { cleanupStaleNamespaces, formatSteps, kernelTraceDetailed, oracleAvailable, resolvePacketSpec, type KernelStep, type ResolvedPacketSpec } from './oracle';
import type { TraceResult, TraceStep } from '../../server/src/netfilter/trace/types';

interface Engine {
  parse(text: string): unknown;
  trace(ruleset: unknown, request: Record<string, unknown>): TraceResult;
}

let enginePromise: Promise<Engine | Error> | undefined;
function loadEngine(): Promise<Engine | Error> {
  enginePromise ??= (async () => {
    try {
      const parser = await import('../../server/src/netfilter/parser');
      const simulate = await import('../../server/src/netfilter/trace/simulate');
      if (typeof parser.parseRuleset !== 'function' || typeof simulate.tracePacket !== 'function') {
        return new Error('parseRuleset / tracePacket are not exported');
      }
      return {
        parse: (text: string) => parser.parseRuleset(text),
        trace: (ruleset: unknown, request: Record<string, unknown>) => simulate.tracePacket(ruleset as never, request as never),
      };
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  })();
  return enginePromise;
}

/** What the simulator must be told to reproduce the kernel run exactly. */
export function engineRequest(spec: ResolvedPacketSpec): Record<string, unknown> {
  return {
    src: spec.src,
    dst: spec.dst,
    proto: spec.proto === 'icmp' && spec.family === 'ipv6' ? 'icmpv6' : spec.proto,
    sport: spec.sport,
    dport: spec.dport,
    tcpFlags: spec.proto === 'tcp' ? ['SYN'] : undefined,
    // the oracle sends an echo request (ICMP type 8 / ICMPv6 type 128)
    icmpType: spec.proto === 'icmp' ? (spec.family === 'ipv6' ? 128 : 8) : undefined,
    inIface: spec.fromLocal ? undefined : spec.inIface,
    outIface: spec.outIface,
    fromLocal: !!spec.fromLocal,
    localAddresses: spec.nodeAddresses,
    egressAddress: spec.outAddress ?? spec.nodeAddresses[0],
    mark: 0,
    ctstate: 'NEW',
  };
}

type Comparable = Pick<KernelStep, 'table' | 'chain' | 'kind' | 'rule' | 'verdict'>;

function comparable(steps: Array<KernelStep | TraceStep>, kernelChains: Set<string>): Comparable[] {
  return steps
    .filter((s) => s.kind !== 'return' && kernelChains.has(`${s.table}:${s.chain}`))
    .map((s) => ({ table: s.table, chain: s.chain, kind: s.kind, rule: s.kind === 'rule' ? s.rule : null, verdict: normalizeVerdict(s.verdict) }));
}

function normalizeVerdict(verdict: string): string {
  return verdict.trim().replace(/^(JUMP|GOTO):/, '$1 ').replace(/\s+/g, ' ').toUpperCase();
}

function firstDifference(a: Comparable[], b: Comparable[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return i;
  }
  return -1;
}

const available = oracleAvailable();

if (!available.ok) {
  test('kernel differential suite', () => {
    if (process.env.CI === 'true') assert.fail(`kernel oracle unavailable under CI: ${available.reason}`);
    console.log(`SKIPPED: kernel differential suite — kernel oracle unavailable: ${available.reason}`);
  });
} else {
  cleanupStaleNamespaces();
  describe('kernel differential: kernel trace is one of the simulator paths', { concurrency: 3 }, () => {
    for (const c of kernelCases) {
      test(c.name, async () => {
        await checkCase(c);
      });
    }
  });
}

async function checkCase(c: KernelCase): Promise<void> {
  const engine = await loadEngine();
  if (engine instanceof Error) assert.fail(`engine not available (server/src/netfilter/parser, trace/simulate): ${engine.message}`);
  const dump = readFileSync(c.dump, 'utf8');
  const spec = resolvePacketSpec({ ...c.packet, nodeAddresses: c.nodeAddresses });
  const kernel = await kernelTraceDetailed(dump, spec);
  const chains = new Set(kernel.chains);
  const expected = comparable(kernel.steps, chains);
  assert.ok(expected.length > 0, `the kernel printed no trace for ${c.name} — harness problem (raw: ${kernel.raw.join(' | ')})`);

  const result = engine.trace(engine.parse(dump), engineRequest(spec));
  const paths = result.paths.map((p) => ({ path: p, steps: comparable(p.steps, chains) }));
  if (paths.some((p) => JSON.stringify(p.steps) === JSON.stringify(expected))) return;

  const report = paths.map((p, i) => {
    const at = firstDifference(expected, p.steps);
    return `--- simulator path ${i + 1}/${paths.length} (p=${p.path.probability}, ${p.path.verdict}: ${p.path.outcome}), first difference at step ${at + 1}:\n${formatSteps(p.steps)}`;
  }).join('\n');
  assert.fail(`kernel trace is none of the simulator's ${paths.length} path(s) for: ${c.name}\n` +
    `packet: ${JSON.stringify(engineRequest(spec))}\n--- kernel:\n${formatSteps(expected)}\n${report}`);
}
