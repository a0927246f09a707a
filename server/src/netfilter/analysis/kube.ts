// kube-proxy invariants (pkg/proxy/iptables/proxier.go): what kube-proxy itself always writes,
// so a dump that breaks them was edited by hand, or was written by a broken or mixed proxier.

import type { Chain, Problem, Rule } from '../model';
import { optionOf } from '../extensions/types';
import { keepEnds } from '../elide';
import { genericOptionText, optionText, ruleOutline } from '../parser';
import { TARGET_OPTIONS } from '../rule-templates';
import { hashSuffixMatches, KUBE_CHAIN_PREFIXES, kubeChainKind, kubeChainName, servicePortNameFromComment } from '../kube/hash';
import { optionArg, targetOptionArg } from '../kube/chains';
import { lineNumber, wholeLineSpan, type AnalysisContext, type AnalysisSteps, type TableFacts } from './context';

const MUST_BE_LAST = 'this must be the last rule in this chain';

/** The rule's comment, from its line when the parser can (no model built: the hash check reads thousands of rules). */
function commentOf(rule: Rule): string | undefined {
  return optionArg(rule, 'comment', 'comment');
}

export function* checkKube(context: AnalysisContext, facts: TableFacts, problems: Problem[]): AnalysisSteps {
  // One walk over the chains for both checks: 41k chains at 10k services, whose names are read once.
  const chains = facts.graph.chains;
  const nat = facts.name === 'nat';
  for (let id = 0; id < chains.length; id++) {
    const chain = chains[id];
    // A recomputed name (nat) costs about as much as reading 10 rules.
    if (context.tick(1 + facts.ruleCount(id) + (nat ? 10 : 0))) yield;
    checkKubeChain(context, facts, chain, problems, id);
    if (nat) checkHash(context, facts, chain, problems, id);
  }
}

/** The chain's id in facts' graph (the checks read its rules through facts: from the parser's rows where they tell). */
function idOf(facts: TableFacts, chain: Chain): number {
  const id = facts.graph.ids.get(chain.name);
  if (id === undefined || facts.graph.chains[id] !== chain) throw new Error(`chain ${chain.name} is not one of table ${facts.name}'s`);
  return id;
}

/** The checks of one chain's own rules (all but the names' hashes); `id`: its id in facts' graph. */
export function checkKubeChain(context: AnalysisContext, facts: TableFacts, chain: Chain, problems: Problem[], id = idOf(facts, chain)): void {
  checkMustBeLast(context, facts, chain, problems, id);
  if (facts.name !== 'nat') return;
  if (chain.name.startsWith('KUBE-SVC-') || chain.name.startsWith('KUBE-SVL-')) checkShares(context, facts, chain, problems, id);
  if (chain.name.startsWith('KUBE-SEP-')) checkSepDnat(context, facts, chain, problems, id);
}

function checkMustBeLast(context: AnalysisContext, facts: TableFacts, chain: Chain, problems: Problem[], id: number): void {
  const candidates = context.linesContaining(MUST_BE_LAST);
  if (candidates.size === 0) return;
  // (lines read from the parser's rows where it can: no rule object for the 41k chains of a kube dump)
  const count = facts.ruleCount(id);
  if (count < 2) return;
  // Rules read from the parser's rows are in file order: a chain none of whose lines from the first to
  // the last is a candidate is settled by two lines (41k chains at 10k services).
  if (facts.rulesInFileOrder(id) && !someLineBetween(candidates, facts.ruleLine(id, 0), facts.ruleLine(id, count - 1))) return;
  for (let i = 0; i < count - 1; i++) {
    if (!candidates.has(facts.ruleLine(id, i))) continue;
    const rules = chain.rules;
    const rule = rules[i];
    const comment = commentOf(rule);
    if (!comment || !comment.includes(MUST_BE_LAST)) continue;
    const last = rules[rules.length - 1];
    const text = context.ruleset.text;
    // Moving is certain only when the rules are in file order (no -I reordering).
    const inFileOrder = rules.every((r, k) => k === 0 || rules[k - 1].span.start < r.span.start);
    const problem: Problem = {
      severity: 'warning',
      code: 'kube/not-last',
      message: `kube-proxy requires this rule to be the last of ${chain.name} ("${MUST_BE_LAST}"), but ${rules.length - 1 - i} rule${rules.length - 2 - i ? 's come' : ' comes'} after it; packets it catches never reach them`,
      span: { start: rule.span.start, end: rule.span.end },
      related: [{ span: { start: last.span.start, end: last.span.end }, message: `last rule of ${chain.name} (line ${lineNumber(context.ruleset, last.span.start)})` }],
    };
    if (inFileOrder && rule.command === 'append') {
      problem.fixes = [
        {
          title: `Move the rule to the end of ${chain.name}`,
          edits: [
            { span: wholeLineSpan(context.ruleset, rule.span), newText: '' },
            { span: { start: last.span.end, end: last.span.end }, newText: '\n' + text.slice(rule.span.start, rule.span.end) },
          ],
        },
      ];
    }
    problems.push(problem);
  }
}

/** Whether a line of `lines` lies in [first, last]. */
function someLineBetween(lines: ReadonlySet<number>, first: number, last: number): boolean {
  for (const line of lines) if (line >= first && line <= last) return true;
  return false;
}

/**
 * checkShares' reading of rule `index` of the chain, from its line when the parser can tell where
 * the statistic options are (no model built): the probability, NaN for a session-affinity rule,
 * 'not a branch', or undefined (read the model).
 */
function branchProbabilityFromLine(facts: TableFacts, id: number, index: number): number | 'not a branch' | undefined {
  const outline = facts.outlineAt(id, index) ?? ruleOutline(facts.graph.chains[id].rules[index]);
  if (!outline) return undefined;
  // Two statistic matches: the model's reading, which tells their options apart. (Counted in a
  // loop: this runs for every rule of the 10k KUBE-SVC chains of a big dump.)
  let statistics = 0;
  for (const module of outline.modules) if (module === 'statistic' && ++statistics > 1) return undefined;
  let probability = 1;
  for (const module of outline.modules) {
    if (module === 'comment') continue;
    if (module === 'recent') return NaN;
    if (module !== 'statistic') return 'not a branch';
    const mode = lineOptionText(facts, id, index, 'statistic', 'mode')?.text;
    const p = lineOptionText(facts, id, index, 'statistic', 'probability');
    if (mode !== 'random' || !p || p.negated || lineOptionText(facts, id, index, 'statistic', 'every')) return 'not a branch';
    probability = Number(p.text);
    if (!Number.isFinite(probability)) return 'not a branch';
  }
  return probability;
}

/**
 * kube-proxy spreads a service over n endpoints with `-m statistic --mode random --probability
 * 1/(n-i)` on rule i and an unconditional last rule, so each endpoint gets 1/n.
 */
function checkShares(context: AnalysisContext, facts: TableFacts, chain: Chain, problems: Problem[], id: number): void {
  // Rule indexes; the rules themselves are read from the parser's rows where they tell (10k
  // service chains at 10k services), and made only for a finding.
  const branches: Array<{ index: number; probability: number }> = [];
  const count = facts.ruleCount(id);
  for (let index = 0; index < count; index++) {
    const targetName = facts.targetNameAt(id, index);
    if (targetName === undefined || !targetName.startsWith('KUBE-SEP-')) continue;
    const outline = facts.outlineAt(id, index);
    if (outline) {
      if (facts.brokenAt(id, index) || outline.genericOptions) return;
    } else {
      const rule = chain.rules[index];
      if (rule.broken || (ruleOutline(rule)?.genericOptions ?? rule.genericOptions.length)) return;
    }
    const fromLine = branchProbabilityFromLine(facts, id, index);
    if (fromLine === 'not a branch') return;
    if (fromLine !== undefined) {
      if (!Number.isNaN(fromLine)) branches.push({ index, probability: fromLine });
      continue;
    }
    const rule = chain.rules[index];
    let probability = 1;
    for (const match of rule.matches) {
      if (match.module === 'comment') continue;
      if (match.module === 'recent') {
        // Session affinity: these rules pin known clients first; they are not part of the split.
        probability = NaN;
        break;
      }
      if (match.module !== 'statistic') return;
      const mode = optionOf(match, 'mode')?.args[0]?.text;
      const p = optionOf(match, 'probability');
      if (mode !== 'random' || !p || p.negated || optionOf(match, 'every')) return;
      const value = Number(p.args[0]?.text);
      if (!Number.isFinite(value)) return;
      probability = value;
    }
    if (Number.isNaN(probability)) continue;
    branches.push({ index, probability });
  }
  if (branches.length < 2) return;
  let remaining = 1;
  const shares = branches.map(({ probability }) => {
    const share = remaining * probability;
    remaining *= 1 - probability;
    return share;
  });
  const expected = 1 / branches.length;
  const worst = shares.reduce((w, s) => Math.max(w, Math.abs(s - expected)), 0);
  if (worst < 1e-6 && remaining < 1e-6) return;
  const percent = (s: number) => `${(s * 100).toFixed(s * 100 < 10 ? 2 : 1)}%`;
  const rules = chain.rules;
  problems.push({
    severity: 'warning',
    code: 'kube/unequal-shares',
    message:
      `${chain.name} does not split traffic equally over its ${branches.length} endpoints: shares are ${keepEnds(shares.map(percent), 12, 8, 2).join(', ')}` +
      (remaining > 1e-6 ? ` and ${percent(remaining)} of new connections match no endpoint` : '') +
      ` (kube-proxy gives each ${percent(expected)}: probability 1/${branches.length}, 1/${branches.length - 1}, …, then an unconditional last rule)`,
    span: { start: rules[branches[0].index].span.start, end: rules[branches[0].index].span.end },
    related: branches.map((b, i) => ({ span: { start: rules[b.index].span.start, end: rules[b.index].span.end }, message: `endpoint ${i + 1}: ${percent(shares[i])}` })),
  });
}

function checkSepDnat(context: AnalysisContext, facts: TableFacts, chain: Chain, problems: Problem[], id: number): void {
  if (hasDnat(facts, id)) return;
  const referrers = facts.referrersOfId(id);
  if (facts.ruleCount(id) === 0 && referrers.length === 0) return; // a leftover declaration: graph/unused-chain covers it
  const at = chain.nameSpan ?? referrers[0]?.target?.token;
  if (!at) return;
  problems.push({
    severity: 'warning',
    code: 'kube/sep-without-dnat',
    message: `endpoint chain ${chain.name} has no DNAT rule: connections sent here are not forwarded to any endpoint`,
    span: { start: at.start, end: at.end },
    related: referrers.map((r) => ({ span: { start: r.span.start, end: r.span.end }, message: `jumps here (line ${lineNumber(context.ruleset, r.span.start)})` })),
  });
}

/** Whether a rule of chain `id` has a DNAT target (no rule objects made where the parser's rows tell). */
function hasDnat(facts: TableFacts, id: number): boolean {
  const count = facts.ruleCount(id);
  for (let index = 0; index < count; index++) if (facts.targetNameAt(id, index) === 'DNAT') return true;
  return false;
}

/** Whether the analysis checks this chain's name (kube/hash-mismatch): every hashed kube chain of the nat table. */
export function hashChecked(facts: TableFacts, name: string): boolean {
  return facts.name === 'nat' && kubeChainKind(name) !== undefined;
}


/**
 * The first argument of an option of rule `index` of chain `id` and whether it is negated, read
 * from the parser's rows when they tell, else from the rule (see parser.ts optionText: `owner` ''
 * for -s/-d/-p, a module, or TARGET_OPTIONS); undefined: none.
 */
function ruleOptionText(facts: TableFacts, id: number, index: number, owner: string, name: string): { text: string | undefined; negated: boolean } | undefined {
  const fromRow = facts.optionTextAt(id, index, owner, name);
  if (fromRow !== undefined) return fromRow ?? undefined;
  const rule = facts.graph.chains[id].rules[index];
  if (owner === '') return genericOptionText(rule, name as 'protocol');
  const text = owner === TARGET_OPTIONS ? targetOptionArg(rule, name) : optionArg(rule, name, owner);
  return text === undefined ? undefined : { text, negated: false };
}

/** optionText() of rule `index` of chain `id` from the parser's rows, else from the rule object (undefined: read its model). */
function lineOptionText(facts: TableFacts, id: number, index: number, owner: string, name: string): { text: string | undefined; negated: boolean } | null | undefined {
  const fromRow = facts.optionTextAt(id, index, owner, name);
  return fromRow !== undefined ? fromRow : optionText(facts.graph.chains[id].rules[index], owner, name);
}

/**
 * kube/hash-mismatch for one kube-named chain of the nat table (`id`: its id in facts' graph, when
 * known): 41k hashed chains at 10k services, one SHA-256 each in JavaScript (≈ 1.5 µs) plus reading
 * a comment.
 */
export function checkHash(context: AnalysisContext, facts: TableFacts, chain: Chain, problems: Problem[], id = idOf(facts, chain)): void {
  // (asked for each of the nat table's chains: the kind alone, nothing allocated for the others)
  const kind = kubeChainKind(chain.name);
  if (!kind) return;
  const prefixLength = KUBE_CHAIN_PREFIXES[kind].length;
  // Every (service port name, protocol, endpoint) the dump states for this chain is a claim; the
  // name is wrong only when no claim recomputes it. Claims are checked as they are read and the
  // first that recomputes ends the check (one SHA-256 for a chain kube-proxy wrote). No closure per
  // chain: this runs for each of the 41k hashed chains of a 10k-service dump.
  let first: { name: string; protocol: string; endpoint?: string } | undefined;
  if (kind === 'endpoint') {
    const count = facts.ruleCount(id);
    for (let index = 0; index < count; index++) {
      // From the parser's rows where they tell (30k endpoint chains at 10k services), else the rule.
      if (facts.targetNameAt(id, index) !== 'DNAT') continue;
      const subject = servicePortNameFromComment(ruleOptionText(facts, id, index, 'comment', 'comment')?.text ?? '');
      if (!subject) continue;
      const protocol = ruleOptionText(facts, id, index, '', 'protocol');
      if (!protocol?.text || protocol.negated) continue;
      const to = ruleOptionText(facts, id, index, TARGET_OPTIONS, 'to-destination')?.text;
      if (!to) continue;
      if (hashSuffixMatches(chain.name, prefixLength, subject.servicePortName + protocol.text.toLowerCase() + to)) return;
      first ??= { name: subject.servicePortName, protocol: protocol.text, endpoint: to };
    }
  } else {
    // The jumps to the chain (facts.referrersOfId), read from the parser's rows where they tell.
    const { starts, chainIds, indexes } = facts.callerIndex();
    for (let k = starts[id]; k < starts[id + 1]; k++) {
      const caller = chainIds[k];
      const index = indexes[k];
      if (!facts.usableAt(caller, index)) continue;
      const subject = servicePortNameFromComment(ruleOptionText(facts, caller, index, 'comment', 'comment')?.text ?? '');
      if (!subject || subject.endpoint) continue;
      const protocol = ruleOptionText(facts, caller, index, '', 'protocol');
      if (!protocol?.text || protocol.negated) continue;
      if (hashSuffixMatches(chain.name, prefixLength, subject.servicePortName + protocol.text.toLowerCase())) return;
      first ??= { name: subject.servicePortName, protocol: protocol.text };
    }
  }
  const at = chain.nameSpan;
  if (!first || !at) return;
  problems.push({
    severity: 'information',
    code: 'kube/hash-mismatch',
    message: `the name ${chain.name} does not recompute from the rules' comment: kube-proxy would call the chain for ${first.name} (${first.protocol}${first.endpoint ? ' → ' + first.endpoint : ''}) ${kubeChainName(kind, first.name, first.protocol, first.endpoint)}`,
    span: { start: at.start, end: at.end },
  });
}

