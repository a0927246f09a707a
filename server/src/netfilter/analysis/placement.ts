// place/target-table and place/target-hook: targets the kernel refuses in a table, or in a chain
// reached from a hook the target does not support (x_tables' xt_check_target; nf_tables does the
// same through nft_compat). Where the registry declares `tables` / `hooks` they are used; for the
// targets below, whose restrictions are kernel facts checked against iptables-legacy/nft-restore
// in a network namespace, the table fills in what the registry does not (yet) say.
// place/match-family and place/match-value: match values the kernel refuses when it loads the rule
// (`iptables-restore --test` does not load, so it accepts them); place/match-table and
// place/match-hook: matches the kernel refuses in a table or a hook (the registry's `tables`,
// `hooks` and `refusedHooks`).

import type { Problem, Rule } from '../model';
import { findMatch, findTarget } from '../extensions/registry';
import { optionText } from '../extensions/common';
import { stringSearch } from '../extensions/matches/string';
import { parseU32Program } from '../extensions/matches/u32';
import { readAddressTypes } from '../extensions/matches/addrtype';
import { PROTOCOL_MATCHES, protocolCheckedAtLoad, protocolMissingFor } from '../parser';
import { lineNumber, type AnalysisContext, type AnalysisSteps, type TableFacts } from './context';
import { RULE_LOAD_CHECKED, RULE_EXTENSION, RULE_OBJECT, RULE_UNUSABLE } from './rule-class';

const KERNEL_PLACEMENT: Record<string, { tables: string[]; hooks?: string[] }> = {
  DNAT: { tables: ['nat'], hooks: ['PREROUTING', 'OUTPUT'] },
  REDIRECT: { tables: ['nat'], hooks: ['PREROUTING', 'OUTPUT'] },
  SNAT: { tables: ['nat'], hooks: ['POSTROUTING', 'INPUT'] },
  MASQUERADE: { tables: ['nat'], hooks: ['POSTROUTING'] },
  NETMAP: { tables: ['nat'] },
  NOTRACK: { tables: ['raw'] },
  CT: { tables: ['raw'] },
  REJECT: { tables: ['filter'], hooks: ['INPUT', 'FORWARD', 'OUTPUT'] },
  TPROXY: { tables: ['mangle'], hooks: ['PREROUTING'] },
};
Object.setPrototypeOf(KERNEL_PLACEMENT, null); // keys come from dumps: `constructor` must not find Object's

/** A hashlimit match met by checkPlacement: its table name and whether it has --hashlimit-rate-match. */
export interface HashlimitUse {
  name: string;
  rateMatch: boolean;
  rule: Rule;
  match: Rule['matches'][number];
}

/**
 * place/match-table, place/match-hook, place/target-table, place/target-hook for one table; the
 * hashlimit matches it meets are added to `hashlimits` (checkHashlimitNames reads them all).
 */
export function* checkPlacement(context: AnalysisContext, facts: TableFacts, problems: Problem[], hashlimits: HashlimitUse[] = []): AnalysisSteps {
  const table = facts.table;
  const chains = facts.graph.chains;
  for (let id = 0; id < chains.length; id++) {
    const chain = chains[id];
    const count = facts.ruleCount(id);
    for (let index = 0; index < count; index++) {
      if (context.tick()) yield;
      // A rule's class tells most rules apart without a rule object (30k DNAT rules at 10k services).
      const ruleClass = facts.ruleClass(id, index);
      let name: string;
      if (ruleClass === RULE_OBJECT) {
        const rule = chain.rules[index];
        checkRuleMatches(context, facts, id, rule, problems, hashlimits);
        const target = rule.target;
        if (!target || target.kind !== 'extension' || !context.usable(rule)) continue;
        name = target.name;
      } else {
        if (ruleClass & RULE_UNUSABLE) continue;
        if (ruleClass & RULE_LOAD_CHECKED) checkRuleMatches(context, facts, id, chain.rules[index], problems, hashlimits);
        if (!(ruleClass & RULE_EXTENSION)) continue;
        name = facts.targetNameAt(id, index)!;
      }
      const spec = findTarget(name, context.family);
      const fallback = KERNEL_PLACEMENT[name];
      const tables = spec?.tables ?? fallback?.tables;
      const allowedHooks = spec?.hooks ?? fallback?.hooks;
      if (tables && !tables.includes(table.name)) {
        const target = chain.rules[index].target!;
        problems.push({
          severity: 'error',
          code: 'place/target-table',
          message: `${target.name} is only valid in the ${tables.join('/')} table${tables.length > 1 ? 's' : ''}; the kernel refuses it in ${table.name}`,
          span: { start: target.token.start, end: target.token.end },
        });
        continue;
      }
      if (!allowedHooks) continue;
      // (30k DNAT rules at 10k services, nearly all in place: nothing allocated for those)
      const reaching = facts.reachingHooksOf(id);
      if (reaching.every(isAllowedIn, allowedHooks)) continue;
      const wrong = reaching.filter((h) => !allowedHooks.includes(h));
      const target = chain.rules[index].target!;
      problems.push({
        severity: 'error',
        code: 'place/target-hook',
        message: chain.builtin
          ? `${target.name} is only valid in ${table.name} ${allowedHooks.join('/')}; the kernel refuses it in ${chain.name}`
          : `${target.name} is only valid in ${table.name} ${allowedHooks.join('/')}, but chain ${chain.name} is reached from ${wrong.join(', ')}: the kernel refuses it`,
        span: { start: target.token.start, end: target.token.end },
        related: jumpsFrom(context, facts, wrong, chain.name),
      });
    }
  }
}

/**
 * place/match-table and place/match-hook for one rule of chain `id` (also re-run on an edited rule
 * by after-edit.ts). Both iptables-legacy and iptables-nft refuse a match outside its `tables` and,
 * through the hooks a user chain is reached from, outside its `hooks`. The option-dependent checks
 * (`refusedHooks`) iptables-nft makes only in built-in chains — it loads a user chain's rules with
 * no hook — so in a user chain they are an error when the dump's header names iptables-legacy, a
 * warning (place/match-hook-legacy) when it names neither, nothing under iptables-nft (all loaded in a netns:
 * test/kernel/oracle.test.ts, match placement).
 */
export function checkMatchPlacement(context: AnalysisContext, facts: TableFacts, id: number, rule: Rule, problems: Problem[]): void {
  if (!context.usable(rule)) return;
  const chain = facts.graph.chains[id];
  const table = facts.table.name;
  for (const match of rule.matches) {
    if (match.implicit) continue;
    const spec = findMatch(match.module, context.family);
    if (!spec || (!spec.tables && !spec.hooks && !spec.refusedHooks)) continue;
    const name = match.moduleToken?.text ?? match.module;
    const at = match.moduleToken ?? match.span;
    if (spec.tables && !spec.tables.includes(table)) {
      problems.push({
        severity: 'error',
        code: 'place/match-table',
        message: `${name} is only valid in the ${spec.tables.join(' and ')} table${spec.tables.length > 1 ? 's' : ''}; the kernel refuses it in ${table} when it loads the rule (iptables-restore --test does not check it)`,
        span: { start: at.start, end: at.end },
      });
      continue;
    }
    const reaching = chain.builtin ? [chain.name] : facts.reachingHooksOf(id);
    if (reaching.length === 0) continue; // never reached: the kernel checks it against no hook
    const allowed = spec.hooks;
    const wrong = allowed ? reaching.filter((h) => !allowed.includes(h)) : [];
    if (allowed && wrong.length > 0) {
      problems.push({
        severity: 'error',
        code: 'place/match-hook',
        message: chain.builtin
          ? `${name} is only valid in ${allowed.join('/')}; the kernel refuses it in ${chain.name} when it loads the rule (iptables-restore --test does not check it)`
          : `${name} is only valid in ${allowed.join('/')}, but chain ${chain.name} is reached from ${wrong.join(', ')}: the kernel refuses it when it loads the rule (iptables-restore --test does not check it)`,
        span: { start: at.start, end: at.end },
        related: jumpsFrom(context, facts, wrong, chain.name),
      });
      continue;
    }
    for (const refusal of spec.refusedHooks?.(match) ?? []) {
      const refused = reaching.filter((h) => refusal.hooks.includes(h));
      if (refused.length === 0) continue;
      const backend = context.loader.backend;
      if (!chain.builtin && backend === 'nf_tables') continue;
      // refused whoever loads it, or only by iptables-legacy, which the header may not name
      const refusedByAll = chain.builtin || backend === 'legacy';
      const what = `${name} ${optionText(refusal.option)} ${chain.builtin ? `in ${chain.name}` : `in chain ${chain.name}, reached from ${refused.join(', ')}`}`;
      problems.push({
        severity: refusedByAll ? 'error' : 'warning',
        code: refusedByAll ? 'place/match-hook' : 'place/match-hook-legacy',
        message: refusedByAll
          ? `${what}: the kernel refuses it when it loads the rule (${refusal.reason}; iptables-restore --test does not check it)`
          : `${what}: iptables-legacy refuses to load it (${refusal.reason}); iptables-nft loads it, as it checks this only in built-in chains — the dump's header does not say which one loads it`,
        span: { start: refusal.option.span.start, end: refusal.option.span.end },
        related: chain.builtin ? [] : jumpsFrom(context, facts, refused, chain.name),
      });
    }
  }
}

function collectHashlimits(context: AnalysisContext, rule: Rule, hashlimits: HashlimitUse[]): void {
  if (!context.usable(rule)) return;
  for (const match of rule.matches) {
    if (match.module !== 'hashlimit') continue;
    const name = match.options.find((o) => o.name === 'hashlimit-name')?.args[0]?.text;
    if (name !== undefined) hashlimits.push({ name, rateMatch: match.options.some((o) => o.name === 'hashlimit-rate-match'), rule, match });
  }
}

/**
 * place/match-value: the kernel keeps one hash table per hashlimit name (per family), made by the
 * first rule that loads it; a later rule of that name that differs in --hashlimit-rate-match is
 * refused (EINVAL, with iptables-nft and iptables-legacy, in any table; other settings may differ;
 * loaded in a netns: test/analysis/cases/hashlimit-shared-name.rules). Reported on the later rule in
 * the file.
 */
export function checkHashlimitNames(context: AnalysisContext, hashlimits: readonly HashlimitUse[], problems: Problem[]): void {
  const first = new Map<string, HashlimitUse>();
  for (const use of [...hashlimits].sort((a, b) => a.rule.span.start - b.rule.span.start)) {
    const made = first.get(use.name);
    if (!made) {
      first.set(use.name, use);
      continue;
    }
    if (made.rateMatch === use.rateMatch) continue;
    const at = use.match.options.find((o) => o.name === 'hashlimit-name')!.args[0];
    problems.push({
      severity: 'error',
      code: 'place/match-value',
      message: `hashlimit table '${use.name}' is made by line ${lineNumber(context.ruleset, made.rule.span.start)}, ${made.rateMatch ? 'with' : 'without'} --hashlimit-rate-match; this rule ${use.rateMatch ? 'has' : 'has no'} --hashlimit-rate-match, so the kernel refuses it when it loads the rule (iptables-restore --test does not check it): give it another name`,
      span: { start: at.start, end: at.end },
      related: [{ span: { start: made.match.span.start, end: made.match.span.end }, message: `hashlimit '${use.name}' ${made.rateMatch ? 'with' : 'without'} --hashlimit-rate-match` }],
    });
  }
}

/** The jump by which each of `hooks` first reaches `chainName`, as related information. */
function jumpsFrom(context: AnalysisContext, facts: TableFacts, hooks: readonly string[], chainName: string): NonNullable<Problem['related']> {
  return hooks
    .map((h) => facts.firstJumpFrom(h, chainName))
    .filter((r): r is Rule => !!r)
    .map((r) => ({ span: { start: r.target!.token.start, end: r.target!.token.end }, message: `reached from ${r.chain} (line ${lineNumber(context.ruleset, r.span.start)})` }));
}

/** What the kernel checks of a rule's matches when it loads it: their values, where they are, hashlimit tables. */
function checkRuleMatches(context: AnalysisContext, facts: TableFacts, id: number, rule: Rule, problems: Problem[], hashlimits: HashlimitUse[]): void {
  checkMatchValues(context, rule, problems);
  checkMatchPlacement(context, facts, id, rule, problems);
  collectHashlimits(context, rule, hashlimits);
}

/** Array.every() callback, `this` the allowed hooks: whether `hook` is one of them. */
function isAllowedIn(this: readonly string[], hook: string): boolean {
  return this.includes(hook);
}

/**
 * xt_addrtype's checkentry for IPv6 refuses BLACKHOLE, BROADCAST and every type from PROHIBIT on
 * (EINVAL when the rule is loaded; `ip6tables-restore --test` does not load, so it accepts them).
 * Found by the random kernel campaign.
 */
const IPV6_REFUSED_ADDRESS_TYPES = new Set(['BROADCAST', 'BLACKHOLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE']);

/** place/match-family and place/match-value for one rule (also re-run on an edited rule by after-edit.ts). */
export function checkMatchValues(context: AnalysisContext, rule: Rule, problems: Problem[]): void {
  if (!context.usable(rule)) return;
  for (const match of rule.matches) {
    if (match.module === 'u32') checkU32Shifts(match.options, problems);
    if (match.module === 'string') checkStringWindow(match, problems);
    const needed = !match.implicit && protocolCheckedAtLoad(match.module, match.options.map((o) => o.name)) ? PROTOCOL_MATCHES.get(match.module) : undefined;
    if (needed && protocolMissingFor(rule, needed)) {
      problems.push({
        severity: 'error',
        code: 'place/match-protocol',
        message: `-m ${match.moduleToken?.text ?? match.module} needs '-p ${needed[0]}' on the same rule: the kernel refuses the rule when it is loaded (iptables-restore --test does not check it)`,
        span: { start: (match.moduleToken ?? match.span).start, end: (match.moduleToken ?? match.span).end },
      });
    }
    if (match.module !== 'addrtype' || context.family !== 'ipv6') continue;
    for (const option of match.options) {
      if (option.name !== 'src-type' && option.name !== 'dst-type') continue;
      const value = option.args[0];
      if (!value) continue;
      const refused = (readAddressTypes(value.text) ?? []).filter((t) => IPV6_REFUSED_ADDRESS_TYPES.has(t));
      if (refused.length === 0) continue;
      problems.push({
        severity: 'error',
        code: 'place/match-family',
        message: `addrtype cannot match ${refused.join(', ')} for IPv6: the kernel refuses this rule when it is loaded (ip6tables-restore --test does not check it)`,
        span: { start: value.start, end: value.end },
      });
    }
  }
}

/**
 * xt_string refuses a --from past its --to (string_mt_check: EINVAL when the rule is loaded, with
 * iptables-nft-restore and iptables-legacy-restore in a netns, kernel 6.18); --test accepts it.
 */
function checkStringWindow(match: Rule['matches'][number], problems: Problem[]): void {
  const from = match.options.find((o) => o.name === 'from');
  const to = match.options.find((o) => o.name === 'to');
  const search = stringSearch(match);
  if (!search || !from || search.from <= search.to) return;
  const value = from.args[0] ?? from.written;
  problems.push({
    severity: 'error',
    code: 'place/match-value',
    message: `string searches from offset ${search.from} to ${search.to}: the kernel refuses a --from past the --to when it loads the rule (iptables-restore --test does not check it)`,
    span: { start: value.start, end: value.end },
    ...(to ? { related: [{ span: { start: to.span.start, end: to.span.end }, message: `--to ${search.to}` }] } : {}),
  });
}

/**
 * xt_u32 refuses a shift by 32 or more (EINVAL when the rule is loaded, kernel 6.18; found by the
 * kernel differential suite): iptables-restore --test accepts the program.
 */
function checkU32Shifts(options: Rule['matches'][number]['options'], problems: Problem[]): void {
  for (const option of options) {
    const value = option.args[0];
    if (option.name !== 'u32' || !value) continue;
    const program = parseU32Program(value.text);
    if ('error' in program) continue; // the parser reports it
    const shifts = program.flatMap((test) => test.steps.filter((step) => (step.operator === '<<' || step.operator === '>>') && step.number >= 32));
    if (shifts.length === 0) continue;
    problems.push({
      severity: 'error',
      code: 'place/match-value',
      message: `u32 cannot shift by ${shifts.map((s) => `${s.operator} ${s.number}`).join(', ')}: the kernel refuses a shift of 32 bits or more when it loads the rule (iptables-restore --test does not check it)`,
      span: { start: value.start, end: value.end },
    });
  }
}
