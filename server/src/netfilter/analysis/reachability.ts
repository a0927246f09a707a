// reach/unreachable and reach/shadowed: rules no packet can ever match because an earlier rule
// of the same chain has already decided every packet they would match; reach/never-matches: rules
// whose own constraints leave no packet (`-s 10.0.0.0/8 -m iprange --src-range 192.168.0.1-…`).
//
// Linear in practice: earlier terminal rules are indexed by what they match (destination CIDR,
// else source CIDR, else exact destination port, else "wildcard"), and a later rule is compared
// only with the earlier rules that could contain it.

import type { Chain, Problem, Rule } from '../model';
import { addressMax, certainlyStateful, cidrBlock, cidrInterval, explainEmptyShape, nftDroppedPortOptions, ruleShape, shapeSubsumes, type Field, type RuleShape, isUniversal } from './constraints';
import { Cancelled, lineNumber, wholeLineSpan, type AnalysisContext, type AnalysisSteps, type TableFacts } from './context';
import type { OutlineOption, RuleOutline } from '../rule-templates';
import { excludesAllNeedle, negatedMayExcludeAll, RULE_MAY_BE_EMPTY, RULE_NEGATIONS, RULE_OBJECT, RULE_STATEFUL, RULE_TARGET, RULE_UNUSABLE, TARGET_NONE } from './rule-class';

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

/**
 * The earlier terminal rules of a chain that a later rule may be contained in, filed by what they
 * match, and the fields changed since each (a rule that changed a field an earlier rule reads makes
 * that rule no evidence for later ones). Made when a chain gets its first candidate: most chains of
 * a large dump never do, and they allocate nothing.
 */
class EarlierTerminals {
  private byDestination: PrefixIndex | undefined;
  private bySource: PrefixIndex | undefined;
  private byPort: Map<bigint, Candidate[]> | undefined;
  private readonly wildcard: Candidate[] = [];
  /** index of the last rule that may have changed each field (or every field) */
  private readonly lastWrite = new Map<Field, number>();
  private lastWriteAll = -1;
  private best: Candidate | undefined;
  private shape: RuleShape | undefined;
  private readonly consider = (candidate: Candidate): void => {
    if (this.best && this.best.index <= candidate.index) return;
    if (this.stillValid(candidate) && shapeSubsumes(candidate.shape, this.shape!, this.family)) this.best = candidate;
  };

  constructor(
    private readonly family: AnalysisContext['family'],
    private readonly bits: number,
  ) {}

  add(candidate: Candidate): void {
    const dst = cidrBlock(candidate.shape.intervals.get('dst'), this.family);
    if (dst) return (this.byDestination ??= new PrefixIndex(this.bits)).add(dst.length, dst.network, candidate);
    const src = cidrBlock(candidate.shape.intervals.get('src'), this.family);
    if (src) return (this.bySource ??= new PrefixIndex(this.bits)).add(src.length, src.network, candidate);
    const dport = candidate.shape.intervals.get('dport');
    if (dport && dport.length === 1 && dport[0][0] === dport[0][1]) {
      this.byPort ??= new Map();
      let list = this.byPort.get(dport[0][0]);
      if (!list) this.byPort.set(dport[0][0], (list = []));
      list.push(candidate);
      return;
    }
    this.wildcard.push(candidate);
  }

  /** Rule `index` (not terminal) may change `writes` for the rules after it. */
  wrote(index: number, writes: ReadonlySet<Field> | 'all'): void {
    if (writes === 'all') this.lastWriteAll = index;
    else for (const field of writes) this.lastWrite.set(field, index);
  }

  private stillValid(candidate: Candidate): boolean {
    if (this.lastWriteAll > candidate.index) return false;
    for (const field of candidate.shape.reads) if ((this.lastWrite.get(field) ?? -1) > candidate.index) return false;
    return true;
  }

  /** The first earlier rule that decides every packet of `shape`, if any. */
  findShadowing(shape: RuleShape): Candidate | undefined {
    this.best = undefined;
    this.shape = shape;
    const consider = this.consider;
    for (const candidate of this.wildcard) consider(candidate);
    const dst = shape.intervals.get('dst');
    if (dst && dst.length && this.byDestination) this.byDestination.containing(dst[0][0], dst[dst.length - 1][1], consider);
    const src = shape.intervals.get('src');
    if (src && src.length && this.bySource) this.bySource.containing(src[0][0], src[src.length - 1][1], consider);
    const dport = shape.intervals.get('dport');
    if (dport && dport.length === 1 && dport[0][0] === dport[0][1]) for (const c of this.byPort?.get(dport[0][0]) ?? []) consider(c);
    const best = this.best;
    this.best = this.shape = undefined;
    return best;
  }
}

/**
 * reach/* for every chain of the table (reach/martian-source included), in the jump graph's order: one
 * pass for the 41k chains of a kube nat table. Short chains (nearly all of them) are walked without
 * a generator of their own; a long one (KUBE-SERVICES) pauses inside.
 */
export function* checkTableReachability(context: AnalysisContext, facts: TableFacts, problems: Problem[]): AnalysisSteps {
  const chains = facts.graph.chains;
  // An internal error in one chain must not cost the other chains their findings: the first is
  // raised once every chain has been walked.
  let failure: { error: unknown } | undefined;
  for (let id = 0; id < chains.length; id++) {
    const count = facts.ruleCount(id);
    if (count === 0) {
      if (context.tick()) yield;
      continue;
    }
    if (count <= SHORT_CHAIN_RULES && context.tick(count)) yield;
    try {
      if (count > SHORT_CHAIN_RULES) {
        yield* checkReachability(context, facts, chains[id], problems, id);
        continue;
      }
      checkMartianSources(context, facts, chains[id], id, count, problems);
      if (count === 1) {
        // (one rule shadows nothing, and may only be one that never matches)
        new ReachabilityWalk(context, facts, chains[id], count, id, problems).visit(0);
        continue;
      }
      const walk = new ReachabilityWalk(context, facts, chains[id], count, id, problems);
      for (let index = 0; index < count && walk.visit(index); index++);
    } catch (error) {
      if (error instanceof Cancelled) throw error;
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}

/** Chains up to this long are walked in one go by checkTableReachability (well within a slice). */
const SHORT_CHAIN_RULES = 64;

/** reach/* for one chain (`chainId`: its id in facts' graph, when known), pausing every few hundred rules. */
export function* checkReachability(context: AnalysisContext, facts: TableFacts, chain: Chain, problems: Problem[], chainId = facts.graph.ids.get(chain.name)): AnalysisSteps {
  const count = chainId === undefined ? chain.rules.length : facts.ruleCount(chainId);
  if (count < 1) return;
  const walk = new ReachabilityWalk(context, facts, chain, count, chainId, problems);
  for (let index = 0; index < count; index++) {
    if (context.tick()) yield;
    if (!walk.visit(index)) break;
  }
  if (chainId !== undefined) checkMartianSources(context, facts, chain, chainId, count, problems);
}

function reachedOnlyFromInput(facts: TableFacts, chain: Chain, chainId: number): boolean {
  if (chain.builtin) return chain.name === 'INPUT';
  const hooks = facts.reachingHooksOf(chainId);
  return hooks.length > 0 && hooks.every((hook) => hook === 'INPUT');
}

/**
 * reach/martian-source: rules of a chain reached only from INPUT that ask for a multicast source (or
 * IPv4's 255.255.255.255). Routing drops a packet from such a source before INPUT — IPv4 as a
 * "martian" (ip_route_input), IPv6 on arrival (ipv6_rcv) — measured in namespaces and held to the
 * kernel by test/kernel/dumps/multicast-and-broadcast*.rules (trace/destinations.ts). Usually `-s`
 * written for `-d`: the rule meant multicast traffic. (FORWARD and PREROUTING are left alone: bridged
 * frames reach them without a routing decision.) Sources are read from the rows: no rule object
 * unless one is flagged; kube dumps have a few rules in chains reached only from INPUT.
 */
function checkMartianSources(context: AnalysisContext, facts: TableFacts, chain: Chain, chainId: number, count: number, problems: Problem[]): void {
  if (!reachedOnlyFromInput(facts, chain, chainId)) return;
  for (let index = 0; index < count; index++) {
    if (!facts.usableAt(chainId, index)) continue;
    const outline = facts.outlineAt(chainId, index);
    if (outline && !outline.generic.some((option) => option.name === 'source' && !option.negated)) continue;
    const read = outline ? facts.optionTextAt(chainId, index, '', 'source') : undefined;
    const rule = read ? undefined : chain.rules[index];
    const source = read ? (read.negated ? undefined : read.text) : rule!.criteria.source && !rule!.criteria.source.negated ? rule!.criteria.source.args[0]?.text : undefined;
    if (!source || !source.split(',').every((part) => isMartianSource(part, context.family))) continue;
    const flagged = rule ?? chain.rules[index];
    const option = flagged.criteria.source!;
    const broadcast = source.split(',').every((part) => part.startsWith('255.'));
    const instead = broadcast ? '-d 255.255.255.255, or -m addrtype --dst-type BROADCAST' : `-d ${context.family === 'ipv4' ? '224.0.0.0/4' : 'ff00::/8'}`;
    problems.push({
      severity: 'warning',
      code: 'reach/martian-source',
      message: `never matches: no packet from ${quoted(source)} reaches INPUT — routing drops a packet from a ${broadcast ? 'broadcast' : 'multicast'} source before it (${context.family === 'ipv4' ? 'a martian' : 'on arrival'}); to match ${broadcast ? 'broadcast' : 'multicast'} traffic, test its destination (${instead})`,
      span: { start: flagged.span.start, end: flagged.span.end },
      related: [{ span: option.span, message: `${quoted(source)}: a source routing never delivers` }],
    });
  }
}

/** An address or network every address of which is a multicast group (or IPv4 255.255.255.255). */
function isMartianSource(text: string, family: AnalysisContext['family']): boolean {
  const block = cidrInterval(text, family);
  if (!block) return false;
  const [lo, hi] = block;
  if (family === 'ipv4') return (lo >= 0xe0000000n && hi <= 0xefffffffn) || (lo === 0xffffffffn && hi === 0xffffffffn);
  return lo >> 120n === 0xffn && hi >> 120n === 0xffn;
}

/**
 * The walk over one chain's rules, in order: what stops every packet, and the earlier terminal rules.
 * A rule is read from its class (TableFacts.ruleClass) while that tells enough: on a kube dump most
 * chains are walked without making a rule object.
 */
class ReachabilityWalk {
  private earlier: EarlierTerminals | undefined;
  private stopper: Rule | undefined;
  private rules: readonly Rule[] | undefined;

  constructor(
    private readonly context: AnalysisContext,
    private readonly facts: TableFacts,
    private readonly chain: Chain,
    private readonly count: number,
    private readonly chainId: number | undefined,
    private readonly problems: Problem[],
  ) {}

  private rule(index: number): Rule {
    return (this.rules ??= this.chain.rules)[index];
  }

  /** Of a rule whose class is RULE_NEGATIONS: may one of its negated options exclude every packet? (read from its row) */
  private negationMayExcludeAll(index: number): boolean {
    const { context, facts, chainId } = this;
    const outline = facts.outlineAt(chainId!, index);
    if (!outline) return true;
    for (const option of negatedOptions(outline)) {
      // (a line without the text the value needs is not read: kube-proxy's 10k `! -s POD_CIDR` rules)
      const needle = excludesAllNeedle(option.owner, option.name);
      if (needle && !context.linesContaining(needle).has(facts.ruleLine(chainId!, index))) continue;
      const read = facts.optionTextAt(chainId!, index, option.owner, option.name);
      if (negatedMayExcludeAll(option.owner, option.name, read ? read.text : undefined)) return true;
    }
    return false;
  }

  /** Rule `index`: report it if it can never match, and remember what it decides. False when the rest needs no walk. */
  visit(index: number): boolean {
    const { context, facts, chainId } = this;
    const ruleClass = chainId === undefined ? RULE_OBJECT : facts.ruleClass(chainId, index);
    let rule = ruleClass === RULE_OBJECT ? this.rule(index) : undefined;
    if (rule ? !context.usable(rule) : ruleClass & RULE_UNUSABLE) return true;
    if (this.stopper) {
      this.problems.push(unreachable(context, rule ?? this.rule(index), this.stopper));
      return true;
    }
    // Does any packet satisfy this rule at all?
    if (ruleClass === RULE_OBJECT || ruleClass & RULE_MAY_BE_EMPTY || (ruleClass & RULE_NEGATIONS && this.negationMayExcludeAll(index))) {
      rule ??= this.rule(index);
      if (context.shape(rule).empty) {
        this.problems.push(neverMatches(context, rule));
        return index !== this.count - 1;
      }
    }
    // Is this rule contained in an earlier terminal rule?
    const earlier = this.earlier;
    if (earlier) {
      rule ??= this.rule(index);
      const shape = context.shape(rule);
      const shadow = earlier.findShadowing(shape);
      if (shadow && !kubeProxyDuplicate(context, rule, shadow.rule)) this.problems.push(shadowed(context, rule, shape, shadow.rule));
    }
    // The last rule shadows nothing: skip the work (every KUBE-SEP chain ends with its DNAT).
    if (index === this.count - 1) return false;
    const terminal = chainId === undefined ? facts.terminal(rule!) : facts.terminalAt(chainId, index, ruleClass);
    // A stateful rule (statistic, recent …) is neither universal nor a candidate: no shape needed.
    if (terminal && !(rule ? certainlyStateful(rule) : ruleClass & RULE_STATEFUL)) {
      rule ??= this.rule(index);
      const shape = context.shape(rule);
      if (isUniversal(shape)) {
        this.stopper = rule;
        return true;
      }
      if (!shape.stateful && !shape.empty) (this.earlier ??= new EarlierTerminals(context.family, context.family === 'ipv6' ? 128 : 32)).add({ index, rule, shape });
    } else if (!terminal && earlier && (rule ? rule.target : (ruleClass & RULE_TARGET) !== TARGET_NONE)) {
      // (a change before every candidate invalidates none of them: only recorded once there is one)
      rule ??= this.rule(index);
      earlier.wrote(index, chainId === undefined ? facts.writes(rule) : facts.writes(rule, chainId, index));
    }
    return true;
  }
}

/** The negated options of an outline (worked out once per template). */
function negatedOptions(outline: RuleOutline): readonly OutlineOption[] {
  let list = NEGATED_OPTIONS.get(outline);
  if (!list) NEGATED_OPTIONS.set(outline, (list = [...outline.generic, ...outline.matchOptions].filter((o) => o.negated)));
  return list;
}
const NEGATED_OPTIONS = new WeakMap<RuleOutline, readonly OutlineOption[]>();

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

/** What a quoted constraint reads like in a message: `-s 10.0.0.0/8`. */
function quoted(text: string): string {
  return '`' + text + '`';
}

function neverMatches(context: AnalysisContext, rule: Rule): Problem {
  const reason = explainEmptyShape(rule, context.family, context.loader);
  const sources = reason?.sources ?? [];
  const listed = sources.map((s) => quoted(s.text));
  const which =
    listed.length === 0 ? 'its constraints' : listed.length === 1 ? listed[0] : listed.length === 2 ? `both ${listed[0]} and ${listed[1]}` : `all of ${listed.slice(0, -1).join(', ')} and ${listed[listed.length - 1]}`;
  let message = `never matches: no ${reason?.what ?? 'packet'} satisfies ${which}${reason?.detail ? ` (${reason.detail})` : ''}`;
  // A full port range the rule negates: iptables-nft 1.8.9 loads no test for it at all (saved-by.ts).
  if (!context.loader.dropsFullPortRanges && rule.matches.some((m) => nftDroppedPortOptions(m, { dropsFullPortRanges: true }).some((o) => o.negated))) {
    const asNft = ruleShape(rule, context.family, { ...context.loader, dropsFullPortRanges: true });
    if (!asNft.empty) message += '; iptables-nft 1.8.9 loads a negated range of every port as no test at all, so there it matches every packet of the protocol instead';
  }
  // `! -s 0.0.0.0/0`: measured, iptables-nft 1.8.9 (both families) fails to load it, restore --test passes it
  const everyAddress = [rule.criteria.source, rule.criteria.destination].find((o) => {
    const block = o?.negated ? cidrInterval(o.args[0]?.text ?? '', context.family) : undefined;
    return !!block && block[0] === 0n && block[1] === addressMax(context.family);
  });
  if (everyAddress) message += '; iptables-nft 1.8.9 cannot even load it (Invalid argument, though iptables-restore --test accepts it)';
  const shape = context.shape(rule);
  const problem: Problem = {
    severity: 'warning',
    code: 'reach/never-matches',
    message,
    span: { start: rule.span.start, end: rule.span.end },
    related: sources.map((s) => ({ span: s.span, message: sources.length === 1 ? `${quoted(s.text)}: no ${reason!.what} satisfies it` : `${quoted(s.text)}: no ${reason!.what} in common with the other${sources.length > 2 ? 's' : ''}` })),
  };
  if (!shape.sideEffects) problem.fixes = [{ title: 'Delete the rule that never matches', edits: [{ span: wholeLineSpan(context.ruleset, rule.span), newText: '' }] }];
  return problem;
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
