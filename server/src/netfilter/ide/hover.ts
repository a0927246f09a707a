// Hovers: concise Markdown, the most useful fact first. Pure: offset in, Markdown + span out.

import { findMatch, findTarget } from '../extensions/registry';
import { optionText } from '../extensions/common';
import type { OptionSpec } from '../extensions/types';
import { hasAddressLists, isBuiltinChain, kernelRuleCount, kernelRulesBefore, type MatchUse, type OptionUse, type Rule, type Span, type Table, type TargetUse } from '../model';
import { branchProbabilities, formatPercent, kubeChainFacts, kubeChainRole, statisticProbability } from '../kube/chains';
import { genericOptionText, ruleCountOf } from '../parser';
import { elideLongWords, elideMiddle } from '../elide';
import { describeU32Program } from '../extensions/matches/u32';
import { describeTimeMatch } from '../extensions/matches/time';
import { protocolName, protocolNumber } from '../packet';
import type { IdeDocument } from './ide-document';
import { BUILTIN_CHAIN_ROLES, TABLE_ROLES, knownChain } from './known-chains';
import { locate, type OptionOwner } from './locate';
import { explainMarkOperation, hex, markConventions, markOperation, describeBits, parseMarkNumber, relevantBits, type MarkField, type MarkOperation } from './marks';
import { GENERIC_OPTION_DOCS, describeValue } from './option-docs';
import { valueWord } from '../values';
import { describeSearch, stringSearch } from '../extensions/matches/string';
import { describeWellKnownAddress } from './well-known-addresses';

export interface HoverResult {
  markdown: string;
  span: Span;
}

/** How many rules a hover lists before summarizing ("and 12 more"). */
const LIST_LIMIT = 10;

/** The indexes that hover() reads at an offset. */
export interface HoverNeeds {
  /**
   * the navigation index, not built yet: a chain's hover counts and lists its callers, and some
   * lines are found only through it (see DocumentIndex.lineEntry); ask again once it is built
   */
  navigation: boolean;
  /**
   * a chain whose callers its hover counts and lists, not read yet: read them from the parse in
   * slices first (doc.partialIndex.readCallersSteps), then ask again
   */
  chainCallers?: { table: Table; name: string };
  /** a mark operation: its hover lists every rule that sets or tests the same bits */
  marks: boolean;
  /** an address argument: its hover says what the dump knows about the address */
  addresses: boolean;
}

/**
 * What hover(doc, offset) will read. Reading an index builds it at once (the navigation index of a
 * 10k-service dump: ≈ 0.1 s, the address index ≈ 0.6 s, the server answering nothing else), so a
 * language server builds what is needed first, in slices; most hovers right after opening (an
 * option, a target, a rule) need none of them.
 */
export function hoverNeeds(doc: IdeDocument, offset: number): HoverNeeds {
  const index = doc.partialIndex;
  const none = { navigation: false, marks: false, addresses: false };
  if (!index.answersWithoutBuilding(offset)) return { ...none, navigation: true };
  const hit = locate(index, offset);
  // (a chain's callers are read from the parse when it can tell)
  if (hit?.kind === 'chain') {
    const read = index.callersReadFromParse(hit.table, hit.name);
    return read === undefined ? { ...none, chainCallers: { table: hit.table, name: hit.name } } : { ...none, navigation: !read && !doc.indexBuilt };
  }
  if (!hit || (hit.kind !== 'option' && hit.kind !== 'argument')) return none;
  const { ownerName } = optionSpecFor(doc, hit.option, hit.owner);
  const marks = !!markOperation(ownerName, hit.option, siblingsOf(hit.option, hit.owner));
  return { ...none, marks, addresses: hit.kind === 'argument' && !marks && isAddressOption(hit.option.name) };
}

export function hover(doc: IdeDocument, offset: number): HoverResult | undefined {
  const hit = locate(doc.partialIndex, offset);
  if (!hit) return undefined;
  let markdown: string | undefined;
  switch (hit.kind) {
    case 'chain':
      markdown = chainHover(doc, hit.table, hit.name);
      break;
    case 'rule':
      markdown = ruleHover(doc, hit.rule);
      break;
    case 'target':
      markdown = targetHover(doc, hit.table, hit.target);
      break;
    case 'match':
      markdown = matchHover(doc, hit.match);
      break;
    case 'option':
      markdown = optionHover(doc, hit.rule, hit.option, hit.owner);
      break;
    case 'argument':
      markdown = argumentHover(doc, hit.rule, hit.option, hit.owner, hit.argIndex);
      break;
    case 'policy':
      markdown = `**Policy ${hit.chain.policy ?? 'ACCEPT'}** of built-in chain ${hit.chain.name} (${hit.table.name})\n\nWhat happens to a packet that reaches the end of ${hit.chain.name} without a terminating verdict (or RETURNs from it). Only ACCEPT or DROP.`;
      break;
    case 'table':
      markdown = `**Table \`${hit.table.name}\`**\n\n${TABLE_ROLES[hit.table.name] ?? 'Unknown table.'}\n\n${[...hit.table.chains.values()].length} chains · ${countRules(hit.table)} rules`;
      break;
  }
  // (a huge token is quoted by its ends; links to lines are far shorter than the cut)
  return markdown ? { markdown: elideLongWords(markdown, 2000), span: hit.span } : undefined;
}

/** A value as a hover quotes it in a code span: a huge one (a pasted blob) by its ends. */
function quoted(text: string): string {
  return elideMiddle(text, 300, 120, 40);
}

function countRules(table: Table): number {
  let n = 0;
  for (const chain of table.chains.values()) n += ruleCountOf(chain); // (no rule objects made: 113k at 10k services)
  return n;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function ruleRef(doc: IdeDocument, rule: Rule): string {
  return `${rule.chain} #${rule.position} (${doc.lineLink(rule.line)})`;
}

// ---------------------------------------------------------------- chains

export function chainHover(doc: IdeDocument, table: Table, name: string): string {
  const chain = table.chains.get(name);
  const builtin = isBuiltinChain(table.name, name);
  const lines: string[] = [];
  const ruleCount = chain ? ruleCountOf(chain) : 0;
  const head = builtin
    ? `**${name}** · built-in chain of \`${table.name}\` · policy ${chain?.policy ?? 'ACCEPT'} · ${plural(ruleCount, 'rule')}`
    : chain
      ? `**${name}** · user chain in \`${table.name}\` · ${plural(ruleCount, 'rule')}${chain.declSpan ? '' : ' · **not declared**'}`
      : `**${name}** · no such chain in \`${table.name}\``;
  lines.push(head);

  if (builtin) lines.push(`${BUILTIN_CHAIN_ROLES[name] ?? ''}.`);
  const kube = kubeChainRole(name, table.name);
  if (kube) {
    lines.push(`${kube.role} _(${kube.writer}${kube.writer.includes('kube-proxy') ? `, ${kube.mode} mode` : ''})_`);
  } else {
    const known = knownChain(name);
    if (known) lines.push(`${known.role} _(${known.owner})_`);
  }

  // A hashed kube chain's facts read all its callers (one or two); other chains list only the first
  // few (KUBE-MARK-MASQ has 40k, whose rule objects a hover right after opening would make at once).
  const limit = kube?.hashedKind ? Infinity : LIST_LIMIT;
  const fromParse = doc.partialIndex.callersFromParse(table, name, limit);
  const callerCount = fromParse ? fromParse.count : doc.index.callerCount(table, name);
  const callers = fromParse ? fromParse.callers : doc.index.callersOf(table, name, limit);
  const facts = kube?.hashedKind ? kubeChainFacts(table, name, callers) : undefined;
  if (facts) {
    if (facts.servicePortName) {
      let service = `Service port \`${facts.servicePortName}\`${facts.protocol ? ` (${facts.protocol})` : ''}`;
      if (facts.hashCheck) service += facts.hashCheck.matches ? ' — the name\'s hash recomputes from it ✓' : ` — **the hash does not recompute**: kube-proxy would name it \`${facts.hashCheck.expectedName}\``;
      lines.push(service);
    }
    if (facts.dnatTo) lines.push(`DNATs to **\`${facts.dnatTo.endpoint}\`** (${doc.lineLink(facts.dnatTo.rule.line)})`);
    if (facts.trafficPolicy) lines.push(`Traffic policy **${facts.trafficPolicy.policy}**: ${facts.trafficPolicy.reason}`);
    if (facts.endpoints) {
      if (facts.endpoints.length === 0) lines.push('No endpoints: nothing to balance to.');
      else {
        const shown = facts.endpoints.slice(0, LIST_LIMIT * 2);
        const list = shown.map((e) => `- \`${e.endpoint ?? e.chain}\` — ${formatPercent(e.probability)} (${doc.lineLink(e.rule.line)})`);
        if (facts.endpoints.length > shown.length) list.push(`- … and ${facts.endpoints.length - shown.length} more`);
        lines.push(`Endpoints (share of new connections):\n${list.join('\n')}`);
      }
      if (facts.affinityRules) lines.push(`Session affinity: ${plural(facts.affinityRules, 'rule')} send returning clients to their previous endpoint first.`);
    }
  }

  if (!builtin) {
    if (callerCount === 0) lines.push('Not jumped to from any rule in this table.');
    else {
      const shown = callers.slice(0, LIST_LIMIT).map((r) => ruleRef(doc, r));
      const more = callerCount > LIST_LIMIT ? `, … and ${callerCount - LIST_LIMIT} more` : '';
      lines.push(`Jumped to from ${plural(callerCount, 'rule')}: ${shown.join(', ')}${more}`);
    }
  }
  return lines.filter((l) => l && l !== '.').join('\n\n');
}

// ---------------------------------------------------------------- rules

export function ruleHover(doc: IdeDocument, rule: Rule): string {
  const table = doc.ruleset.tables.find((t) => t.name === rule.table && t.chains.get(rule.chain)?.rules.includes(rule));
  const chain = table?.chains.get(rule.chain);
  const total = chain?.rules.length ?? 0;
  const lines = [`**Rule #${rule.position} of ${rule.chain}** (${rule.table}, ${total} rules)`];
  if (rule.command === 'insert') lines.push('Inserted with `-I`: its position counts every earlier -A/-I of the chain.');
  if (rule.broken) lines.push('⚠ This rule has errors; iptables-restore would reject the file.');
  else if (rule.otherFamily) lines.push(`Marked for the other family: ${doc.ruleset.family === 'ipv4' ? 'iptables-restore' : 'ip6tables-restore'} skips this rule, the kernel never has it (and it does not count in the kernel's rule numbers).`);
  else if (chain) {
    // The kernel (its trace, `iptables -L --line-numbers`) numbers the rules restore loaded: none
    // for a rule marked for the other family, one per address of an `-s`/`-d` list.
    const lists = hasAddressLists(doc.ruleset);
    const before = kernelRulesBefore(chain.rules, lists);
    const first = before ? before[rule.position - 1] + 1 : rule.position;
    const count = lists ? kernelRuleCount(rule) : 1;
    const skipped = rule.position - first;
    if (count > 1) lines.push(`In the kernel this is ${count} rules, #${first}–#${first + count - 1}: iptables loads one rule per source × destination address.`);
    else if (lists && first !== rule.position) lines.push(`In the kernel this is rule #${first}: the rules before it load as ${first - 1} (one per address of an \`-s\`/\`-d\` list, none for a rule marked for the other family).`);
    else if (skipped) lines.push(`In the kernel this is rule #${first}: ${skipped === 1 ? 'a rule' : `${skipped} rules`} before it ${skipped === 1 ? 'is' : 'are'} marked for the other family, which restore skips.`);
  }
  if (rule.counters) lines.push(`Counters: ${rule.counters.packets} packets, ${rule.counters.bytes} bytes`);
  if (chain && rule.matches.some((m) => m.module === 'statistic')) {
    const p = statisticProbability(rule);
    if (p !== undefined) {
      const share = branchProbabilities(chain.rules.filter((r) => r.target && !r.matches.some((m) => m.module === 'recent'))).get(rule);
      lines.push(`statistic probability ${p}${share !== undefined ? ` → taken by **${formatPercent(share)}** of the packets reaching the chain's load-balancing rules` : ''}`);
    } else {
      lines.push('statistic in nth mode: takes every n-th packet.');
    }
  }
  if (rule.target) lines.push(`Then: ${rule.target.goto ? 'goto' : 'jump to'} \`${rule.target.name}\``);
  return lines.join('\n\n');
}

// ---------------------------------------------------------------- targets and matches

function targetHeader(spec: { name: string; terminating: boolean; tables?: string[]; hooks?: string[] }): string {
  const parts = [`**${spec.name}** target`, spec.terminating ? 'terminating (ends this table\'s traversal)' : 'non-terminating (continues with the next rule)'];
  parts.push(spec.tables ? `tables: ${spec.tables.join(', ')}` : 'all tables');
  if (spec.hooks) parts.push(`chains: ${spec.hooks.join(', ')}`);
  return parts.join(' · ');
}

export function targetHover(doc: IdeDocument, table: Table, target: TargetUse): string {
  const spec = findTarget(target.name, doc.ruleset.family);
  if (!spec) return `**${target.name}**: not a target iptables-lens knows, and no chain of that name in \`${table.name}\`.`;
  const lines = [targetHeader(spec), spec.doc];
  if (spec.tables && !spec.tables.includes(table.name)) lines.push(`⚠ not valid in table \`${table.name}\``);
  if (spec.options.length) lines.push(optionList(spec.options));
  return lines.join('\n\n');
}

export function matchHover(doc: IdeDocument, match: MatchUse): string {
  const spec = findMatch(match.module, doc.ruleset.family);
  if (!spec) return `**${match.module}** match: not known to iptables-lens (kept as written; options not checked).`;
  const lines = [`**${spec.name}** match${match.implicit ? ' (loaded implicitly by -p)' : ''}`, spec.doc];
  const where: string[] = [];
  if (spec.tables) where.push(`tables ${spec.tables.join(', ')}`);
  if (spec.hooks) where.push(`chains ${spec.hooks.join(', ')} (and user chains reached only from them)`);
  if (where.length) lines.push(`The kernel loads it only in ${where.join(' and ')}.`);
  for (const refusal of spec.refusedHooks?.(match) ?? []) {
    lines.push(`With \`${optionText(refusal.option)}\`: not in ${refusal.hooks.join(', ')} (${refusal.reason}).`);
  }
  if (spec.options.length) lines.push(optionList(spec.options));
  return lines.join('\n\n');
}

function optionList(options: readonly OptionSpec[]): string {
  return options.map((o) => `- \`${o.negatable ? '[!] ' : ''}--${o.name}${o.value !== 'none' ? ' ' + placeholder(o) : ''}\`${o.required ? ' (required)' : ''} — ${firstSentence(o.doc)}`).join('\n');
}

function placeholder(option: OptionSpec): string {
  return option.value === 'enum' && option.values && option.values.length <= 4 ? option.values.join('|') : option.value;
}

function firstSentence(text: string): string {
  const m = /^(.*?[.;])(\s|$)/.exec(text);
  return m ? m[1] : text;
}

// ---------------------------------------------------------------- options

function optionSpecFor(doc: IdeDocument, option: OptionUse, owner: OptionOwner): { spec?: OptionSpec; ownerLabel: string; ownerName: string } {
  if (owner.kind === 'generic') {
    const generic = GENERIC_OPTION_DOCS[option.name];
    return { spec: generic ? { name: option.name, arity: 1, negatable: generic.negatable, value: generic.value, values: generic.values, doc: generic.doc } : undefined, ownerLabel: 'rule option', ownerName: '' };
  }
  if (owner.kind === 'match') {
    const spec = findMatch(owner.match.module, doc.ruleset.family);
    return { spec: spec?.options.find((o) => o.name === option.name), ownerLabel: `${owner.match.module} match`, ownerName: owner.match.module };
  }
  const spec = findTarget(owner.target.name, doc.ruleset.family);
  return { spec: spec?.options.find((o) => o.name === option.name), ownerLabel: `${owner.target.name} target`, ownerName: owner.target.name };
}

export function optionHover(doc: IdeDocument, rule: Rule, option: OptionUse, owner: OptionOwner): string {
  const { spec, ownerLabel, ownerName } = optionSpecFor(doc, option, owner);
  const flags = owner.kind === 'generic' ? GENERIC_OPTION_DOCS[option.name]?.flags ?? option.written.text : `--${option.name}`;
  const lines = [`**${flags}** (${ownerLabel})`];
  const mark = markOperation(ownerName, option, siblingsOf(option, owner));
  if (mark) lines.push(markSection(doc, rule, mark));
  if (spec) {
    lines.push(spec.doc);
    if (spec.value !== 'none') lines.push(`Value: ${describeValue(spec)}`);
    if (spec.negatable) lines.push(option.negated ? '`!` is set: the rule matches when this condition does **not** hold.' : '`!` before the option inverts it.');
  } else {
    lines.push('Option not documented in the registry.');
  }
  return lines.join('\n\n');
}

function siblingsOf(option: OptionUse, owner: OptionOwner): OptionUse[] {
  if (owner.kind === 'match') return owner.match.options;
  if (owner.kind === 'target') return owner.target.options;
  return [option];
}

export function argumentHover(doc: IdeDocument, rule: Rule, option: OptionUse, owner: OptionOwner, argIndex: number): string {
  const { spec, ownerName } = optionSpecFor(doc, option, owner);
  const argument = option.args[argIndex];
  const mark = markOperation(ownerName, option, siblingsOf(option, owner));
  if (mark) return `**\`${quoted(argument.text)}\`** (--${option.name})\n\n${markSection(doc, rule, mark)}`;
  if (isAddressOption(option.name)) return addressHover(doc, argument.text, option);
  if (option.name === 'probability' && ownerName === 'statistic') return ruleHover(doc, rule);
  if (option.name === 'u32' && ownerName === 'u32') return u32Hover(doc, rule, option, argument.text);
  if (ownerName === 'time' && owner.kind === 'match') return `**\`${quoted(argument.text)}\`** — value of --${option.name}\n\n${describeTimeMatch(owner.match)}`;
  const lines = [`**\`${quoted(argument.text)}\`** — value of ${owner.kind === 'generic' ? GENERIC_OPTION_DOCS[option.name]?.flags ?? option.name : `--${option.name}`}`];
  const reading = spec && argIndex === 0 ? readingOf(spec, argument.text) : undefined;
  if (reading) lines.push(`iptables reads it as \`${reading}\``);
  // (-p as xtables_parse_protocol reads it: `0x11` and `+17` are udp)
  if (owner.kind === 'generic' && option.name === 'protocol') {
    const number = protocolNumber(argument.text);
    if (number === undefined) lines.push(/^[A-Za-z]/.test(argument.text) ? 'Not a protocol iptables-lens knows: iptables looks the name up in /etc/protocols when it loads the rule.' : 'Not a protocol: iptables refuses numbers above 255.');
    else if (String(number) !== argument.text && protocolName(number) !== argument.text.toLowerCase()) lines.push(`iptables reads it as protocol ${number}${protocolName(number) !== String(number) ? ` (\`${protocolName(number)}\`)` : ''}`);
  }
  // (a string pattern as the bytes the kernel searches for, and where)
  if (owner.kind === 'match' && ownerName === 'string' && (option.name === 'string' || option.name === 'hex-string')) {
    const search = stringSearch(owner.match);
    if (search) lines.push(describeSearch(search));
  }
  if (spec) {
    lines.push(spec.doc);
    if (spec.value !== 'none') lines.push(`Value: ${describeValue(spec)}`);
  }
  return lines.join('\n\n');
}

/**
 * The words of a named value as iptables reads them (`est,rel` is ESTABLISHED,RELATED, `tcp` is
 * tcp-reset, `bcast` broadcast), when that differs from what is written; undefined otherwise.
 */
function readingOf(spec: OptionSpec, text: string): string | undefined {
  if (!spec.values || (spec.value !== 'enum' && spec.value !== 'enum-list') || spec.strtokList) return undefined;
  const words = spec.value === 'enum' ? [text] : text.split(',');
  const read = words.map((word) => valueWord(spec, word));
  if (read.some((value) => value === undefined)) return undefined;
  const reading = read.join(',');
  return reading === text ? undefined : reading;
}

/** A u32 program test by test, with the header fields each reads (the rule's -p names the transport header's). */
function u32Hover(doc: IdeDocument, rule: Rule, option: OptionUse, program: string): string {
  const protocol = genericOptionText(rule, 'protocol');
  const number = protocol?.text !== undefined && !protocol.negated ? protocolNumber(protocol.text) : undefined;
  const tests = describeU32Program(program, doc.ruleset.family, number);
  const lines = [`**\`${quoted(program)}\`** — u32 program${option.negated ? ' (negated: the rule matches when it does **not** hold)' : ''}`];
  if (tests.length === 1 && tests[0].startsWith('u32: ')) lines.push(`Does not parse: ${tests[0]}`);
  else lines.push(`Holds when ${tests.length === 1 ? 'this test holds' : `all ${tests.length} tests hold`} (the kernel reads 4 bytes big-endian, applies \`&\` \`<<\` \`>>\` left to right; \`@\` moves to the offset computed so far; a read past the packet's end fails the test):`);
  if (!tests[0]?.startsWith('u32: ')) lines.push(tests.map((t, i) => `${i + 1}. ${t}`).join('\n'));
  return lines.join('\n\n');
}

/** Options whose argument is an address the address index knows facts about. */
function isAddressOption(name: string): boolean {
  return name === 'source' || name === 'destination' || name === 'to-destination' || name === 'to-source' || /^ct(orig|repl)(src|dst)$/.test(name);
}

function addressHover(doc: IdeDocument, written: string, option: OptionUse): string {
  const lines = [`**\`${quoted(written)}\`**${option.negated ? ' (negated: every address **except** this)' : ''}`];
  const parts = written.split(',');
  const kind = parts.length === 1 ? describeWellKnownAddress(written) : undefined;
  if (kind) lines.push(kind.charAt(0).toUpperCase() + kind.slice(1) + '.');
  const header = lines.length;
  // (a list of thousands of addresses: the first ones, then a count)
  for (const part of parts.slice(0, LIST_LIMIT * 2)) {
    const facts = doc.addresses.factsAbout(part);
    // (in line order: the index keeps them in chain order)
    const uses = [...doc.addresses.usesOf(part)].sort((a, b) => a - b);
    const label = parts.length > 1 ? `\`${quoted(part)}\`: ` : '';
    if (facts.length) lines.push(facts.map((f) => `- ${label}${f.text}${f.line >= 0 ? ` (${doc.lineLink(f.line)})` : ''}`).join('\n'));
    if (uses.length > 1) {
      const shown = uses.slice(0, LIST_LIMIT).map((l) => doc.lineLink(l)).join(', ');
      lines.push(`${label}in ${plural(uses.length, 'rule')}: ${shown}${uses.length > LIST_LIMIT ? `, … and ${uses.length - LIST_LIMIT} more` : ''}`);
    }
  }
  if (parts.length > LIST_LIMIT * 2) lines.push(`… and ${parts.length - LIST_LIMIT * 2} more addresses`);
  if (lines.length === header) lines.push('Nothing else in this dump mentions this address.');
  return lines.join('\n\n');
}

// ---------------------------------------------------------------- marks

/**
 * kube-proxy's KUBE-POSTROUTING pattern: `-m mark ! --mark B/B -j RETURN` and then
 * `--set-xmark B/0x0`: at the XOR the bits are known to be set, so the XOR clears them. Returns the
 * earlier unconditional-apart-from-the-mark RETURN rule that guarantees it.
 */
function guardReturningWithout(doc: IdeDocument, rule: Rule, field: MarkField, bits: number): Rule | undefined {
  const chain = doc.ruleset.tables.find((t) => t.name === rule.table)?.chains.get(rule.chain);
  if (!chain) return undefined;
  for (const earlier of chain.rules) {
    if (earlier === rule) break;
    if (earlier.target?.name !== 'RETURN' || earlier.genericOptions.length) continue;
    const module = field === 'nfmark' ? 'mark' : 'connmark';
    if (earlier.matches.length !== 1 || earlier.matches[0].module !== module) continue;
    const test = earlier.matches[0].options.find((o) => o.name === 'mark');
    const [value, mask] = (test?.args[0]?.text ?? '').split('/').map((t) => parseMarkNumber(t));
    if (test?.negated && value === bits && mask === bits) return earlier;
  }
  return undefined;
}

function markSection(doc: IdeDocument, rule: Rule, op: MarkOperation): string {
  const lines = [explainMarkOperation(op)];
  const knownSet = op.kind === 'write' && op.mask === 0 && op.value !== 0 ? guardReturningWithout(doc, rule, op.field, op.value) : undefined;
  if (knownSet) lines.push(`Here those bits are always set (${doc.lineLink(knownSet.line)} returns every packet without them), so this **clears** them.`);
  const bits = relevantBits(op);
  if (bits !== 0 && bits !== 0xffffffff) lines.push(`Bits involved: ${describeBits(bits)} (${hex(bits)}).`);
  const conventions = markConventions(op);
  if (conventions.length) lines.push(`Known conventions for these bits:\n${conventions.map((c) => `- ${c}`).join('\n')}`);
  const related = doc.marks.related(op).filter((use) => use.rule !== rule);
  if (related.length) {
    const shown = related.slice(0, LIST_LIMIT).map((use) => {
      const verb = use.op.kind === 'test' ? 'tests' : use.op.kind === 'copy' ? 'copies' : 'sets';
      return `- ${doc.lineLink(use.rule.line)} ${use.rule.chain}: ${verb} \`${use.option.args[0]?.text ?? '--' + use.option.name}\``;
    });
    if (related.length > LIST_LIMIT) shown.push(`- … and ${related.length - LIST_LIMIT} more`);
    lines.push(`Other rules that set or test these bits:\n${shown.join('\n')}`);
  }
  return lines.join('\n\n');
}
