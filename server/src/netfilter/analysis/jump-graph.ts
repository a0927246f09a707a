// graph/loop, graph/too-deep, graph/unused-chain, graph/empty-chain-jump.
// Undeclared jump targets are the parser's (parse/undeclared-chain) and are not repeated here.

import type { Problem, Rule } from '../model';
import { lineNumber, type AnalysisContext, type TableFacts } from './context';

/**
 * Chains tools create on purpose without referencing them from a rule: kube-proxy's and the
 * kubelet's canaries and hint, and KUBE-MARK-DROP, which the kubelet still creates although
 * kube-proxy stopped using it (v1.28).
 */
const INTENTIONALLY_UNREFERENCED = new Set(['KUBE-KUBELET-CANARY', 'KUBE-PROXY-CANARY', 'KUBE-IPTABLES-HINT', 'KUBE-MARK-DROP']);

/**
 * Fixed hook chains that kube-proxy and Docker always create and jump to, and fill only when
 * there is something to do (no NodePort yet, no container yet, no user rule): empty is normal.
 */
const INTENTIONALLY_EMPTY = new Set([
  'KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-EXTERNAL-SERVICES', 'KUBE-PROXY-FIREWALL', 'KUBE-FIREWALL', 'KUBE-FORWARD',
  'KUBE-POSTROUTING', 'KUBE-MARK-MASQ', 'KUBE-MARK-DROP', 'KUBE-LOAD-BALANCER', 'KUBE-FW-EXTERNAL',
  'DOCKER', 'DOCKER-USER', 'DOCKER-INGRESS', 'DOCKER-ISOLATION-STAGE-1', 'DOCKER-ISOLATION-STAGE-2',
]);

export function checkJumpGraph(context: AnalysisContext, facts: TableFacts, problems: Problem[]): void {
  const table = facts.table;
  // Loops: the kernel (nf_tables; legacy too when reachable) refuses a ruleset where a chain can
  // reach itself. Only cycles reachable from a built-in chain are refused, so walk from those.
  const state = new Map<string, 1 | 2>(); // 1 = on the DFS stack, 2 = done
  const stackRules: Rule[] = [];
  const stackChains: string[] = [];
  const reported = new Set<Rule>();
  for (const chain of table.chains.values()) {
    if (!chain.builtin) continue;
    // Iterative DFS over (chain, next rule index).
    const frames: Array<{ name: string; index: number }> = [{ name: chain.name, index: 0 }];
    if (state.get(chain.name)) continue;
    state.set(chain.name, 1);
    stackChains.push(chain.name);
    while (frames.length) {
      const frame = frames[frames.length - 1];
      const rules = table.chains.get(frame.name)?.rules ?? [];
      if (frame.index >= rules.length) {
        state.set(frame.name, 2);
        frames.pop();
        stackChains.pop();
        stackRules.pop();
        continue;
      }
      const rule = rules[frame.index++];
      context.tick();
      const target = rule.target;
      if (!target || target.kind !== 'chain' || rule.broken || !table.chains.has(target.name)) continue;
      const s = state.get(target.name);
      if (s === 2) continue;
      if (s === 1) {
        if (reported.has(rule)) continue;
        reported.add(rule);
        const start = stackChains.indexOf(target.name);
        const along = stackRules.slice(start);
        const cycle = [...stackChains.slice(start), target.name].join(' → ');
        problems.push({
          severity: 'error',
          code: 'graph/loop',
          message: `jump loop ${cycle}: the kernel refuses a ruleset in which a chain can reach itself ("Too many links")`,
          span: { start: target.token.start, end: target.token.end },
          related: along.map((r) => ({ span: { start: r.target!.token.start, end: r.target!.token.end }, message: `${r.chain} ${r.target!.goto ? 'goes to' : 'jumps to'} ${r.target!.name} (line ${lineNumber(context.ruleset, r.span.start)})` })),
        });
        continue;
      }
      state.set(target.name, 1);
      stackChains.push(target.name);
      stackRules.push(rule);
      frames.push({ name: target.name, index: 0 });
    }
  }

  checkJumpDepth(context, facts, problems);

  for (const chain of table.chains.values()) {
    if (chain.builtin || !chain.nameSpan) continue;
    const referrers = facts.referrers.get(chain.name);
    if (!referrers || referrers.length === 0) {
      if (INTENTIONALLY_UNREFERENCED.has(chain.name)) continue;
      problems.push({
        severity: 'information',
        code: 'graph/unused-chain',
        message:
          chain.rules.length === 0
            ? `chain ${chain.name} is empty and never jumped to`
            : `chain ${chain.name} is never jumped to: its ${chain.rules.length === 1 ? 'rule is' : `${chain.rules.length} rules are`} never evaluated`,
        span: { start: chain.nameSpan.start, end: chain.nameSpan.end },
      });
      continue;
    }
    if (chain.rules.length === 0 && chain.declSpan && !INTENTIONALLY_EMPTY.has(chain.name)) {
      for (const rule of referrers) {
        problems.push({
          severity: 'hint',
          code: 'graph/empty-chain-jump',
          message: `${rule.target!.goto ? 'goto' : 'jump'} to ${chain.name}, which has no rules: ${rule.target!.goto ? 'the packet goes back to the chain that called this one' : 'it returns at once'}`,
          span: { start: rule.target!.token.start, end: rule.target!.token.end },
          related: [{ span: { start: chain.declSpan.start, end: chain.declSpan.end }, message: `${chain.name} declared here, empty` }],
        });
      }
    }
  }
}

/**
 * nf_tables validates jumps and gotos with a stack of NFT_JUMP_STACK_SIZE (16): a user chain more
 * than 15 jumps below a base chain makes iptables-nft-restore fail with "Too many links" (checked:
 * INPUT → C1 → … → C15 loads, a jump to C16 is refused; gotos count the same; chains no base
 * chain reaches are not checked). iptables-legacy has no such limit, hence a warning.
 */
export const NFT_MAX_JUMP_LEVEL = 15;

function checkJumpDepth(context: AnalysisContext, facts: TableFacts, problems: Problem[]): void {
  const table = facts.table;
  // Longest path from a base chain, over the acyclic part of the graph (Kahn's order).
  const edges = new Map<string, Rule[]>();
  const indegree = new Map<string, number>();
  const reachable = new Set<string>();
  const queue: string[] = [];
  for (const chain of table.chains.values()) if (chain.builtin) { reachable.add(chain.name); queue.push(chain.name); }
  for (let i = 0; i < queue.length; i++) {
    const name = queue[i];
    const out: Rule[] = [];
    for (const rule of table.chains.get(name)?.rules ?? []) {
      context.tick();
      const target = rule.target;
      if (!target || target.kind !== 'chain' || rule.broken || !table.chains.has(target.name)) continue;
      out.push(rule);
      indegree.set(target.name, (indegree.get(target.name) ?? 0) + 1);
      if (!reachable.has(target.name)) {
        reachable.add(target.name);
        queue.push(target.name);
      }
    }
    edges.set(name, out);
  }
  const level = new Map<string, number>();
  const ready: string[] = [];
  for (const name of reachable) if (!indegree.get(name)) { ready.push(name); level.set(name, 0); }
  const reported = new Set<string>();
  for (let i = 0; i < ready.length; i++) {
    const name = ready[i];
    const depth = level.get(name) ?? 0;
    for (const rule of edges.get(name) ?? []) {
      const target = rule.target!.name;
      if (depth + 1 > (level.get(target) ?? 0)) level.set(target, depth + 1);
      if (depth + 1 === NFT_MAX_JUMP_LEVEL + 1 && !reported.has(target)) {
        reported.add(target);
        problems.push({
          severity: 'warning',
          code: 'graph/too-deep',
          message: `${target} is ${depth + 1} jumps below a built-in chain: iptables-nft (the default backend) refuses more than ${NFT_MAX_JUMP_LEVEL} ("Too many links"); iptables-legacy accepts it`,
          span: { start: rule.target!.token.start, end: rule.target!.token.end },
        });
      }
      const remaining = (indegree.get(target) ?? 0) - 1;
      indegree.set(target, remaining);
      if (remaining === 0) ready.push(target);
    }
  }
}
