// reach/unreachable and reach/shadowed: rules no packet can ever match because an earlier rule
// of the same chain has already decided every packet they would match.
//
// Linear in practice: earlier terminal rules are indexed by what they match (destination CIDR,
// else source CIDR, else exact destination port, else "wildcard"), and a later rule is compared
// only with the earlier rules that could contain it.

import type { Chain, Problem, Rule } from '../model';
import { certainlyStateful, cidrBlock, shapeSubsumes, type Field, type RuleShape, isUniversal } from './constraints';
import { lineNumber, wholeLineSpan, type AnalysisContext, type AnalysisSteps, type TableFacts } from './context';

interface Candidate {
  index: number;
  rule: Rule;
  shape: RuleShape;
}

/** Earlier rules filed by the CIDR block they match, one map per prefix length present. */
class PrefixIndex {
  private readonly byLength = new Map<number, Map<number | bigint, Candidate[]>>();
  constructor(private readonly bits: number) {}
  get size(): number {
    return this.byLength.size;
  }
  add(length: number, network: bigint, candidate: Candidate): void {
    let map = this.byLength.get(length);
    if (!map) this.byLength.set(length, (map = new Map()));
    const key = this.bits === 32 ? Number(network) : network;
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(candidate);
  }
  /** Visit the candidates whose block contains the whole interval [lo, hi]. */
  containing(lo: bigint, hi: bigint, visit: (c: Candidate) => void): void {
    if (this.bits === 32) {
      // IPv4 in plain numbers: this runs for every later rule against every prefix length present.
      const low = Number(lo);
      const high = Number(hi);
      for (const [length, map] of this.byLength) {
        const unit = 2 ** (32 - length);
        const block = Math.floor(low / unit);
        if (block !== Math.floor(high / unit)) continue;
        const list = map.get(block * unit);
        if (list) for (const c of list) visit(c);
      }
      return;
    }
    for (const [length, map] of this.byLength) {
      const shift = BigInt(this.bits - length);
      if (lo >> shift !== hi >> shift) continue;
      const list = map.get((lo >> shift) << shift);
      if (list) for (const c of list) visit(c);
    }
  }
}

export function* checkReachability(context: AnalysisContext, facts: TableFacts, chain: Chain, problems: Problem[]): AnalysisSteps {
  const { family } = context;
  const bits = family === 'ipv6' ? 128 : 32;
  const rules = chain.rules;
  if (rules.length < 2) return;
  // Most chains of a large dump never get a candidate: the indexes are built on first use.
  let byDestination: PrefixIndex | undefined;
  let bySource: PrefixIndex | undefined;
  let byPort: Map<bigint, Candidate[]> | undefined;
  const wildcard: Candidate[] = [];
  let candidates = 0;
  /** index of the last rule that may have changed each field (or every field) */
  const lastWrite = new Map<Field, number>();
  const chainId = facts.graph.ids.get(chain.name);
  let lastWriteAll = -1;
  let stopper: Rule | undefined;

  for (let index = 0; index < rules.length; index++) {
    if (context.tick()) yield;
    const rule = rules[index];
    if (!context.usable(rule)) continue;
    if (stopper) {
      problems.push(unreachable(context, rule, stopper));
      continue;
    }
    // Is this rule contained in an earlier terminal rule?
    if (candidates > 0) {
      const shape = context.shape(rule);
      const shadow = findShadowing(shape);
      if (shadow && !kubeProxyDuplicate(context, rule, shadow.rule)) problems.push(shadowed(context, rule, shape, shadow.rule));
    }
    // The last rule shadows nothing: skip the work (every KUBE-SEP chain ends with its DNAT).
    if (index === rules.length - 1) break;
    const terminal = chainId === undefined ? facts.terminal(rule) : facts.terminalAt(chainId, index, rule);
    // A stateful rule (statistic, recent …) is neither universal nor a candidate: no shape needed.
    if (terminal && !certainlyStateful(rule)) {
      const shape = context.shape(rule);
      if (isUniversal(shape)) {
        stopper = rule;
        continue;
      }
      if (!shape.stateful && !shape.empty) {
        addCandidate({ index, rule, shape });
      }
    } else if (!terminal && rule.target) {
      const writes = chainId === undefined ? facts.writes(rule) : facts.writes(rule, chainId, index);
      if (writes === 'all') lastWriteAll = index;
      else for (const f of writes) lastWrite.set(f, index);
    }
  }

  function addCandidate(candidate: Candidate): void {
    candidates++;
    const dst = cidrBlock(candidate.shape.intervals.get('dst'), family);
    if (dst) return (byDestination ??= new PrefixIndex(bits)).add(dst.length, dst.network, candidate);
    const src = cidrBlock(candidate.shape.intervals.get('src'), family);
    if (src) return (bySource ??= new PrefixIndex(bits)).add(src.length, src.network, candidate);
    const dport = candidate.shape.intervals.get('dport');
    if (dport && dport.length === 1 && dport[0][0] === dport[0][1]) {
      byPort ??= new Map();
      let list = byPort.get(dport[0][0]);
      if (!list) byPort.set(dport[0][0], (list = []));
      list.push(candidate);
      return;
    }
    wildcard.push(candidate);
  }

  function stillValid(candidate: Candidate): boolean {
    if (lastWriteAll > candidate.index) return false;
    for (const field of candidate.shape.reads) if ((lastWrite.get(field) ?? -1) > candidate.index) return false;
    return true;
  }

  function findShadowing(shape: RuleShape): Candidate | undefined {
    let best: Candidate | undefined;
    const consider = (candidate: Candidate) => {
      if (best && best.index <= candidate.index) return;
      if (stillValid(candidate) && shapeSubsumes(candidate.shape, shape, family)) best = candidate;
    };
    for (const candidate of wildcard) consider(candidate);
    const dst = shape.intervals.get('dst');
    if (dst && dst.length && byDestination) byDestination.containing(dst[0][0], dst[dst.length - 1][1], consider);
    const src = shape.intervals.get('src');
    if (src && src.length && bySource) bySource.containing(src[0][0], src[src.length - 1][1], consider);
    const dport = shape.intervals.get('dport');
    if (dport && dport.length === 1 && dport[0][0] === dport[0][1]) for (const c of byPort?.get(dport[0][0]) ?? []) consider(c);
    return best;
  }
}

/**
 * kube-proxy writes one health-check-node-port ACCEPT per service port into KUBE-NODEPORTS (and
 * similar per-port copies elsewhere): for a multi-port service they differ only in the comment.
 * They are redundant by design and nobody can act on a warning about them, so a KUBE-* rule that
 * repeats an earlier one apart from `-m comment` is not reported.
 */
function kubeProxyDuplicate(context: AnalysisContext, rule: Rule, by: Rule): boolean {
  if (!rule.chain.startsWith('KUBE-')) return false;
  const withoutComments = (r: Rule) =>
    context.ruleset.text
      .slice(r.chainToken.end, r.span.end)
      .replace(/-m comment --comment ("(?:[^"\\]|\\.)*"|\S+)/g, '')
      .replace(/\s+/g, ' ')
      .trim();
  return withoutComments(rule) === withoutComments(by);
}

function describe(context: AnalysisContext, rule: Rule): string {
  return `line ${lineNumber(context.ruleset, rule.span.start)}`;
}

function unreachable(context: AnalysisContext, rule: Rule, stopper: Rule): Problem {
  const verdict = stopper.target ? `${stopper.target.goto ? '-g' : '-j'} ${stopper.target.name}` : '';
  return {
    severity: 'warning',
    code: 'reach/unreachable',
    message: `unreachable: the rule at ${describe(context, stopper)} (${verdict}) applies to every packet of chain ${rule.chain}, so no packet gets here`,
    span: { start: rule.span.start, end: rule.span.end },
    related: [{ span: { start: stopper.span.start, end: stopper.span.end }, message: 'every packet stops here' }],
    fixes: [{ title: 'Delete the unreachable rule', edits: [{ span: wholeLineSpan(context.ruleset, rule.span), newText: '' }] }],
  };
}

function shadowed(context: AnalysisContext, rule: Rule, shape: RuleShape, by: Rule): Problem {
  const verdict = by.target ? `${by.target.goto ? '-g' : '-j'} ${by.target.name}` : '';
  const problem: Problem = {
    severity: 'warning',
    code: 'reach/shadowed',
    message: `shadowed by ${describe(context, by)}: every packet this rule matches is already decided there (${verdict}), so it never matches`,
    span: { start: rule.span.start, end: rule.span.end },
    related: [{ span: { start: by.span.start, end: by.span.end }, message: 'shadowing rule' }],
  };
  // Deleting is certain only when evaluating the rule has no effect beyond itself.
  if (!shape.sideEffects) problem.fixes = [{ title: 'Delete the shadowed rule', edits: [{ span: wholeLineSpan(context.ruleset, rule.span), newText: '' }] }];
  return problem;
}
