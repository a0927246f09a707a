// The warm-trace bench cases (cases/trace-warm-*.ts): parse once untimed, then time tracePacket
// alone, 200 times, against an absolute 2 ms median. setup checks the trace really walks the
// service's chain, so a trace that stops early cannot pass for a fast one.
import { defineBenchCase, type BenchCase } from './api';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { tracePacket } from '../../server/src/netfilter/trace/simulate';
import type { Ruleset } from '../../server/src/netfilter/model';
import type { TracePacketTarget } from './kube-targets';

export function warmTraceCase(name: string, choose: (text: string) => TracePacketTarget): BenchCase<{ ruleset: Ruleset; target: TracePacketTarget; note: string }> {
  return defineBenchCase({
    name,
    target: { absoluteMs: 2 },
    sizes: ['1k', '10k'],
    iterations: 200,
    warmup: 5,
    gcBetweenRuns: false, // a full GC of a 10k model before each 1 ms run would dominate the case
    setup(ctx) {
      const target = choose(ctx.dumpText);
      const ruleset = parseRuleset(ctx.dumpText, { family: 'ipv4', fileName: ctx.dumpPath });
      const result = tracePacket(ruleset, target.request);
      if (!result.paths.some((p) => p.steps.some((s) => s.chain === target.expectChain))) {
        throw new Error(`the trace of ${target.describe} never enters ${target.expectChain}: ${result.paths.map((p) => `${p.verdict} ${p.outcome}`).join('; ')}`);
      }
      const steps = Math.max(...result.paths.map((p) => p.steps.length));
      const note = `${target.describe}: ${result.paths.length} paths (${result.paths.map((p) => p.verdict).join(', ')}), ≤${steps} steps`;
      return { ruleset, target, note };
    },
    run(_ctx, { ruleset, target, note }) {
      tracePacket(ruleset, target.request);
      return { note };
    },
  });
}
