// graph/loop, graph/too-deep, graph/unused-chain, graph/empty-chain-jump.
// Undeclared jump targets are the parser's (parse/undeclared-chain) and are not repeated here.

import type { Problem, Rule } from '../model';
import { keepEnds } from '../elide';
import { lineNumber, type AnalysisContext, type AnalysisSteps, type TableFacts } from './context';

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

export function* checkJumpGraph(context: AnalysisContext, facts: TableFacts, problems: Problem[]): AnalysisSteps {
  const { names, chains } = facts.graph;
  // Loops: the kernel (nf_tables; legacy too when reachable) refuses a ruleset where a chain can
  // reach itself. Only cycles reachable from a built-in chain are refused, so walk from those.
  const state = new Uint8Array(names.length); // 1 = on the DFS stack, 2 = done
  // Iterative DFS over (chain, next edge): frame f is chain stackChains[f] at its edge
  // stackEdges[f]; the rule that entered frame f is edge stackEdges[f - 1] - 1 of frame f - 1.
  // Numbers only: rules are read when a loop is reported.
  const stackChains: number[] = [];
  const stackEdges: number[] = [];
  const ruleOfFrame = (f: number): Rule => facts.edgeRule(stackChains[f - 1], stackEdges[f - 1] - 1);
  const reported = new Set<Rule>();
  for (let root = 0; root < chains.length; root++) {
    if (!chains[root].builtin || state[root]) continue;
    state[root] = 1;
    stackChains.push(root);
    stackEdges.push(0);
    while (stackChains.length) {
      const top = stackChains.length - 1;
      const id = stackChains[top];
      const edge = stackEdges[top];
      if (edge >= facts.edgeCount(id)) {
        state[id] = 2;
        stackChains.pop();
        stackEdges.pop();
        continue;
      }
      const next = facts.edgeTarget(id, edge);
      stackEdges[top] = edge + 1;
      if (context.tick()) yield;
      if (state[next] === 2) continue;
      if (state[next] === 1) {
        const rule = facts.edgeRule(id, edge);
        if (reported.has(rule)) continue;
        reported.add(rule);
        const target = rule.target!;
        const start = stackChains.indexOf(next);
        const along: Rule[] = [];
        for (let f = start + 1; f <= top; f++) along.push(ruleOfFrame(f));
        // (a loop of thousands of chains keeps its ends: every step is in the related locations)
        const cycle = keepEnds([...stackChains.slice(start), next].map((id) => names[id]), 10, 5, 3).join(' → ');
        problems.push({
          severity: 'error',
          code: 'graph/loop',
          message: `jump loop ${cycle}: the kernel refuses a ruleset in which a chain can reach itself ("Too many links")`,
          span: { start: target.token.start, end: target.token.end },
          related: along.map((r) => ({ span: { start: r.target!.token.start, end: r.target!.token.end }, message: `${r.chain} ${r.target!.goto ? 'goes to' : 'jumps to'} ${r.target!.name} (line ${lineNumber(context.ruleset, r.span.start)})` })),
        });
        continue;
      }
      state[next] = 1;
      stackChains.push(next);
      stackEdges.push(0);
    }
  }

  yield* checkJumpDepth(context, facts, problems);

  for (let id = 0; id < chains.length; id++) {
    const chain = chains[id];
    if (context.tick()) yield;
    if (chain.builtin || !chain.nameSpan) continue;
    // The jumps themselves are needed only where each is reported (to an empty chain); for the
    // other chains, whether there is one.
    const count = facts.ruleCount(id); // (no rule objects made for the 41k chains of a kube dump)
    const reportsEachJump = count === 0 && !!chain.declSpan && !INTENTIONALLY_EMPTY.has(chain.name);
    const referrers = reportsEachJump ? facts.referrersOf(chain.name) : undefined;
    if (referrers ? referrers.length === 0 : !facts.isReferencedId(id)) {
      if (INTENTIONALLY_UNREFERENCED.has(chain.name)) continue;
      problems.push({
        severity: 'information',
        code: 'graph/unused-chain',
        message:
          count === 0
            ? `chain ${chain.name} is empty and never jumped to`
            : `chain ${chain.name} is never jumped to: its ${count === 1 ? 'rule is' : `${count} rules are`} never evaluated`,
        span: { start: chain.nameSpan.start, end: chain.nameSpan.end },
      });
      continue;
    }
    if (reportsEachJump && referrers && chain.declSpan) {
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

function* checkJumpDepth(context: AnalysisContext, facts: TableFacts, problems: Problem[]): AnalysisSteps {
  const { names, chains } = facts.graph;
  // Longest path from a base chain, over the acyclic part of the graph (Kahn's order).
  const indegree = new Int32Array(names.length);
  const reachable = new Uint8Array(names.length);
  const queue: number[] = [];
  chains.forEach((chain, id) => {
    if (!chain.builtin) return;
    reachable[id] = 1;
    queue.push(id);
  });
  for (let i = 0; i < queue.length; i++) {
    for (let k = 0; k < facts.edgeCount(queue[i]); k++) {
      const target = facts.edgeTarget(queue[i], k);
      if (context.tick()) yield;
      indegree[target]++;
      if (!reachable[target]) {
        reachable[target] = 1;
        queue.push(target);
      }
    }
  }
  const level = new Int32Array(names.length);
  const ready: number[] = [];
  for (const id of queue) if (indegree[id] === 0) ready.push(id);
  const reported = new Uint8Array(names.length);
  for (let i = 0; i < ready.length; i++) {
    if (context.tick()) yield;
    const id = ready[i];
    const depth = level[id];
    for (let k = 0; k < facts.edgeCount(id); k++) {
      const target = facts.edgeTarget(id, k);
      if (depth + 1 > level[target]) level[target] = depth + 1;
      if (depth + 1 === NFT_MAX_JUMP_LEVEL + 1 && !reported[target]) {
        reported[target] = 1;
        const rule = facts.edgeRule(id, k);
        problems.push({
          severity: 'warning',
          code: 'graph/too-deep',
          message: `${names[target]} is ${depth + 1} jumps below a built-in chain: iptables-nft (the default backend) refuses more than ${NFT_MAX_JUMP_LEVEL} ("Too many links"); iptables-legacy accepts it`,
          span: { start: rule.target!.token.start, end: rule.target!.token.end },
        });
      }
      if (--indegree[target] === 0) ready.push(target);
    }
  }
}
