// One fuzz input through everything a user can reach: the parser, lint (parse + analyses), the
// CLI's diagnostics, packet traces (for packets the analyses synthesize, fixed packets and packet
// lines), and every pure IDE feature at several offsets. Any exception, any `internal/*`
// problem (an exception the engine caught and reported) and any span outside the text is a
// failure, thrown as FuzzFailure naming the stage.
import { parseRuleset, parseRulesetEagerly, reparseAfterLineEdit, type ParsedRuleset } from '../../server/src/netfilter/parser';
import { lintText } from '../../server/src/netfilter/lint';
import { analyzeAfterLineEdit, analyzeRuleset, createIncrementalAnalysis, packetsForRule } from '../../server/src/netfilter/analysis';
import { editRandomRuleLine } from '../parser/random-edits';
import { inferLocalAddresses, tracePacket, type TraceRequest } from '../../server/src/netfilter/trace/simulate';
import { parsePacketLine, formatPacketLine } from '../../server/src/netfilter/trace/packet-line';
import { formatTrace } from '../../server/src/netfilter/trace/format';
import type { TraceResult } from '../../server/src/netfilter/trace/types';
import type { Problem, Rule, Span } from '../../server/src/netfilter/model';
import {
  IdeDocument,
  hover,
  findDefinition,
  findReferences,
  findHighlights,
  prepareRename,
  rename,
  complete,
  documentSymbols,
  chainSymbols,
  foldingRanges,
  type OutlineSymbol,
} from '../../server/src/netfilter/ide';
import { findLensSites, ruleAtLine, suggestedPacketForHook, synthesizePacketForRule } from '../../server/src/netfilter/ide/code-lens';
import { diagnosticsFor } from '../../server/src/cli/main';
import { Rng } from './rng';

export class FuzzFailure extends Error {
  constructor(
    readonly stage: string,
    readonly detail: string,
    readonly stack2?: string,
  ) {
    super(`${stage}: ${detail}`);
  }
  /** What must stay the same while minimising (numbers removed: offsets change as the input shrinks). */
  get signature(): string {
    return `${this.stage}: ${this.detail.split('\n')[0].replace(/\d+/g, 'N').slice(0, 120)}`;
  }
}

export interface ExerciseReport {
  /** coarse behaviour features (problem codes, trace verdicts, hover kinds): new ones grow the corpus */
  features: Set<string>;
  rules: number;
}

export interface ExerciseOptions {
  /** IDE request offsets per input */
  offsets?: number;
  /** traced packets per input (besides the lens packets) */
  packets?: number;
  /** run the CLI diagnostics path too */
  cli?: boolean;
  /** IDE requests at every offset of the text (small regression fixtures) */
  allOffsets?: boolean;
}

/** Milliseconds spent per stage since the process started (printed by the long run to spot slow stages). */
export const STAGE_TIMES = new Map<string, number>();

function run<T>(stage: string, body: () => T): T {
  const started = performance.now();
  try {
    return body();
  } catch (error) {
    if (error instanceof FuzzFailure) throw error;
    const e = error instanceof Error ? error : new Error(String(error));
    throw new FuzzFailure(stage, `${e.name}: ${e.message}`, e.stack);
  } finally {
    STAGE_TIMES.set(stage, (STAGE_TIMES.get(stage) ?? 0) + performance.now() - started);
  }
}

function check(condition: unknown, stage: string, detail: string): asserts condition {
  if (!condition) throw new FuzzFailure(stage, detail);
}

function checkSpan(span: Span | undefined, length: number, stage: string, what: string): void {
  check(span && Number.isInteger(span.start) && Number.isInteger(span.end), stage, `${what}: span is not integral: ${JSON.stringify(span)}`);
  check(span.start >= 0 && span.start <= span.end && span.end <= length, stage, `${what}: span ${span.start}-${span.end} outside the text (length ${length})`);
}

function checkProblems(problems: readonly Problem[], text: string, stage: string): void {
  const length = text.length;
  for (const p of problems) {
    check(!p.code.startsWith('internal/'), stage, `${p.code}: ${p.message}`);
    // `undefined`, `NaN`, `[object …]` in a message are a formatting bug — unless quoted from the input
    const ownWords = typeof p.message === 'string' ? p.message.replace(/'[^']*'|"[^"]*"|`[^`]*`/g, '') : '';
    const suspicious = /\bundefined\b|\bNaN\b|\[object [A-Z]\w*\]/.exec(ownWords);
    check(typeof p.message === 'string' && p.message.length > 0 && !(suspicious && !text.includes(suspicious[0])), stage, `${p.code}: suspicious message "${p.message.slice(0, 200)}"`);
    checkSpan(p.span, length, stage, p.code);
    for (const r of p.related ?? []) checkSpan(r.span, length, stage, `${p.code} related`);
    for (const fix of p.fixes ?? []) {
      const edits = [...fix.edits].sort((a, b) => a.span.start - b.span.start);
      for (let i = 0; i < edits.length; i++) {
        checkSpan(edits[i].span, length, stage, `${p.code} fix "${fix.title}"`);
        if (i > 0) check(edits[i - 1].span.end <= edits[i].span.start, stage, `${p.code} fix "${fix.title}": overlapping edits`);
      }
    }
  }
}

function applyEdits(text: string, edits: ReadonlyArray<{ span: Span; newText: string }>): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.span.start - a.span.start)) out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

function checkTrace(result: TraceResult, lines: number, stage: string): void {
  check(result.paths.length > 0, stage, 'a trace with no path');
  let sum = 0;
  for (const path of result.paths) {
    check(Number.isFinite(path.probability) && path.probability >= 0 && path.probability <= 1, stage, `path probability ${path.probability}`);
    sum += path.probability;
    check(typeof path.verdict === 'string' && path.verdict.length > 0, stage, 'a path without verdict');
    for (const s of path.steps) {
      check(s.line === null || (Number.isInteger(s.line) && s.line >= 1 && s.line <= lines), stage, `step line ${s.line} outside 1..${lines}`);
      check(s.rule === null || (Number.isInteger(s.rule) && s.rule >= 1), stage, `step rule ${s.rule}`);
    }
  }
  check(Math.abs(sum - 1) < 1e-6, stage, `path probabilities sum to ${sum}`);
  run(`${stage}/format`, () => formatTrace(result));
}

function allRules(ruleset: ParsedRuleset): Rule[] {
  const rules: Rule[] = [];
  for (const table of ruleset.tables) for (const chain of table.chains.values()) for (const rule of chain.rules) rules.push(rule);
  return rules;
}

function walkSymbols(symbols: OutlineSymbol[], length: number): void {
  for (const s of symbols) {
    checkSpan(s.span, length, 'ide/documentSymbols', s.name);
    checkSpan(s.selectionSpan, length, 'ide/documentSymbols', `${s.name} selection`);
    check(s.selectionSpan.start >= s.span.start && s.selectionSpan.end <= s.span.end, 'ide/documentSymbols', `${s.name}: selection outside its symbol (LSP clients reject this)`);
    walkSymbols(s.children, length);
  }
}

const FIXED_PACKETS: TraceRequest[] = [
  { src: '10.244.1.5', dst: '10.96.0.10', proto: 'udp', sport: 40000, dport: 53, inIface: 'eth0' },
  { src: '192.168.50.9', dst: '172.20.0.3', proto: 'tcp', dport: 30080, inIface: 'eth0', localAddresses: ['172.20.0.3'] },
  { src: '10.0.0.5', dst: '8.8.8.8', proto: 'icmp', fromLocal: true, localAddresses: ['10.0.0.5'] },
  // (routing's other destinations: a group, a subnet broadcast, a martian source; trace/destinations.ts)
  { src: '192.168.1.20', dst: '224.0.0.251', proto: 'udp', sport: 5353, dport: 5353, inIface: 'eth0' },
  { src: '192.168.1.20', dst: '192.168.1.255', proto: 'udp', dport: 137, inIface: 'eth0', localAddresses: ['192.168.1.10/24', 'ff02::fb', 'bogus/99'] },
  { src: '192.168.1.10', dst: '10.0.0.1', proto: 'udp', dport: 53, inIface: 'eth0', pkttype: 'broadcast', localAddresses: ['192.168.1.10'] },
  { src: 'ff0e::5', dst: 'ff01::1', proto: 'udp', dport: 53, inIface: 'eth0' },
  { src: '2001:db8::1', dst: '2001:db8::2', proto: 'tcp', dport: 443, inIface: 'eth1' },
];

/** Text of a packet line, mutated (users type these). */
function packetLine(rng: Rng, text: string): string {
  const base = rng.pick([
    '10.244.0.9 -> 10.96.0.10:53/udp in eth0',
    'from local -> 10.96.0.1:443',
    '[2001:db8::1]:5000 -> [2001:db8::2]:443/tcp',
    '10.0.0.5 -> 8.8.8.8:443 out eth1 mark 0x4000 state ESTABLISHED',
    '1.2.3.4:99999 -> 5.6.7.8:0 type 300 flags SYN,ACK,BOGUS len -1 ttl 1e9',
    'X.X.X.X -> Y.Y.Y.Y',
    '10.0.0.1 -> 10.0.0.2:53/udp payload "|03|www|07|example|03|com|00|"',
    '10.0.0.1 -> 10.0.0.2:80 len 75 payload "GET /admin HTTP/1.1|0d 0a 0d 0a|"',
    '10.0.0.1 -> 10.0.0.2/icmp payload "|c9 df|\\|x"',
    '10.20.0.7 -> 192.168.10.5:22 in eth0 ipsec in,out',
    'from local 10.0.0.1 -> 10.20.0.7:443 ipsec out',
    '10.0.0.2 -> 10.0.0.1:22 options mss=1460,sack-perm,ts,nop,wscale=7 len 60',
    '0.0.0.0:68 -> 255.255.255.255:67/udp pkttype broadcast',
    'from local -> 224.0.0.251:5353/udp',
    '[2001:db8::1] -> [2001:db8::2]:443 options linux payload "GET /"',
  ]);
  const r = rng.int(4);
  if (r === 0) return base;
  if (r === 1) {
    const at = rng.int(base.length + 1);
    return base.slice(0, at) + rng.pick(['\u0000', '\uD800', ' -> ', '[', ']', ':', '/', ' mark ', ' state ', ' 0x', ' 99999999999999999999', ' payload ', '"', '|', ' payload "|0', '\\', ' ipsec ', ' ipsec in', ',out', ' options ', ',mss=', ',ts', '=99999', ' mtu ', ' mtu 40']) + base.slice(at);
  }
  if (r === 2) return base.slice(0, rng.int(base.length + 1));
  // a line of the dump itself pasted into the box
  const lines = text.split('\n');
  return lines[rng.int(lines.length)]?.slice(0, 300) ?? '';
}

export function exercise(text: string, seed: number, options: ExerciseOptions = {}): ExerciseReport {
  const rng = new Rng(seed);
  const features = new Set<string>();
  const length = text.length;

  // ---- parser and lint (what the server publishes, what `iptables-lens lint` prints)
  const familyOption = rng.pick([undefined, undefined, 'ipv4', 'ipv6'] as const);
  const parseOptions = familyOption ? { family: familyOption } : { fileName: rng.pick(['rules.v4', 'rules.v6', 'dump.rules']) };
  const parsed = run('parse', () => parseRuleset(text, parseOptions));
  // The fast parse (rule-line templates) must report exactly what the reference parse reports.
  const reference = run('parse/reference', () => parseRulesetEagerly(text, parseOptions));
  check(JSON.stringify(reference.problems) === JSON.stringify(parsed.problems), 'parse/fast-vs-reference', `problems differ: ${JSON.stringify(parsed.problems).slice(0, 300)} vs reference ${JSON.stringify(reference.problems).slice(0, 300)}`);
  check(parsed.lineStarts[0] === 0, 'parse', 'lineStarts[0] is not 0');
  for (let i = 1; i < parsed.lineStarts.length; i++) check(parsed.lineStarts[i] > parsed.lineStarts[i - 1] && parsed.lineStarts[i] <= length, 'parse', `lineStarts not increasing at ${i}`);
  checkProblems(parsed.problems, text, 'parse');
  const rules = allRules(parsed);
  for (const rule of rules) {
    checkSpan(rule.span, length, 'parse', `rule at line ${rule.line + 1}`);
    checkSpan(rule.commandToken, length, 'parse', 'command token');
    checkSpan(rule.chainToken, length, 'parse', 'chain token');
    if (rule.target) checkSpan(rule.target.token, length, 'parse', 'target token');
  }
  // The analyses read most rules from the fast parse's rows (context.ts ruleClass) and the reference
  // parse's rules as objects: both must find exactly the same.
  const analysed = run('analysis', () => analyzeRuleset(parsed));
  const referenceAnalysis = run('analysis/reference', () => analyzeRuleset(reference));
  check(JSON.stringify(analysed) === JSON.stringify(referenceAnalysis), 'analysis/rows-vs-objects', `findings differ: ${JSON.stringify(analysed).slice(0, 300)} vs reference ${JSON.stringify(referenceAnalysis).slice(0, 300)}`);
  const lint = run('lint', () => lintText(text, { family: parsed.family }));
  checkProblems(lint.problems, text, 'lint');
  for (const p of lint.problems) features.add(`code:${p.code}`);
  const lineCount = parsed.lineStarts.length;

  // A quick fix must leave a file the tool still handles.
  const fixable = lint.problems.filter((p) => p.fixes?.length);
  if (fixable.length) {
    const problem = rng.pick(fixable);
    const fixed = applyEdits(text, problem.fixes![0].edits);
    const again = run('lint/after-fix', () => lintText(fixed, { family: parsed.family }));
    checkProblems(again.problems, fixed, 'lint/after-fix');
  }
  if (options.cli ?? rng.chance(0.2)) run('cli/diagnostics', () => diagnosticsFor('fuzz.rules', text));

  // ---- an edit inside one rule line: the re-read and the local re-analysis must give what the
  // whole parse and the whole analysis give.
  const edit = editRandomRuleLine(text, () => rng.next());
  if (edit) {
    const reparsed = run('edit/reparse', () => reparseAfterLineEdit(parsed, edit.text, parseOptions));
    if (reparsed) {
      features.add('edit:reparsed');
      const whole = run('edit/reference', () => parseRulesetEagerly(edit.text, parseOptions));
      check(JSON.stringify(reparsed.problems) === JSON.stringify(whole.problems), 'edit/reparse-vs-parse', `problems differ after a ${edit.kind} edit: ${JSON.stringify(reparsed.problems).slice(0, 300)} vs whole ${JSON.stringify(whole.problems).slice(0, 300)}`);
      const before = createIncrementalAnalysis(parsed);
      run('edit/analysis', () => {
        while (!before.step());
      });
      const local = run('edit/reanalysis', () => analyzeAfterLineEdit(before.completed(), reparsed));
      if (local) {
        features.add('edit:reanalysed');
        const expected = run('edit/analysis', () => analyzeRuleset(whole));
        check(JSON.stringify(local.problems) === JSON.stringify(expected), 'edit/reanalysis-vs-analysis', `findings differ after a ${edit.kind} edit: ${JSON.stringify(local.problems).slice(0, 300)} vs whole ${JSON.stringify(expected).slice(0, 300)}`);
      }
    }
  }

  // ---- traces
  const usable = rules.filter((r) => !r.broken);
  const packets = options.packets ?? 2;
  for (let k = 0; k < packets && usable.length; k++) {
    const rule = rng.pick(usable);
    const requests = run('analysis/packetsForRule', () => packetsForRule(rule, parsed.family));
    if (requests.length) {
      const result = run('trace/rule-packet', () => tracePacket(parsed, requests[0]));
      checkTrace(result, lineCount, 'trace/rule-packet');
      for (const p of result.paths) features.add(`verdict:${p.verdict}`);
    }
  }
  const fixed = rng.pick(FIXED_PACKETS);
  const fixedResult = run('trace/fixed-packet', () => tracePacket(parsed, fixed));
  checkTrace(fixedResult, lineCount, 'trace/fixed-packet');
  const line = packetLine(rng, text);
  const parsedLine = run('trace/packet-line', () => parsePacketLine(line, ['172.20.0.3']));
  if (parsedLine.request) {
    run('trace/packet-line', () => formatPacketLine(parsedLine.request!));
    checkTrace(run('trace/packet-line', () => tracePacket(parsed, parsedLine.request!)), lineCount, 'trace/packet-line');
  }

  // ---- IDE features (offsets as the server computes them: clamped into [0, length])
  const doc = new IdeDocument(parsed, 'file:///fuzz/dump.rules');
  const offsets = new Set<number>(options.allOffsets ? Array.from({ length: length + 1 }, (_, k) => k) : [0, length]);
  const wanted = options.offsets ?? 6;
  for (let k = 0; k < wanted; k++) {
    if (rules.length && rng.chance(0.6)) {
      const rule = rng.pick(rules);
      const token = rng.pick([rule.commandToken, rule.chainToken, rule.target?.token ?? rule.chainToken, ...rule.genericOptions.map((o) => o.written), ...rule.matches.flatMap((m) => m.options.flatMap((o) => [o.written, ...o.args]))]);
      offsets.add(Math.min(length, token.start + rng.int(token.end - token.start + 1)));
    } else offsets.add(rng.int(length + 1));
  }
  for (const offset of offsets) {
    const h = run('ide/hover', () => hover(doc, offset));
    if (h) {
      checkSpan(h.span, length, 'ide/hover', 'hover range');
      check(h.markdown.length > 0, 'ide/hover', 'empty hover');
      features.add(`hover:${h.markdown.slice(0, 12)}`);
    }
    for (const s of run('ide/definition', () => findDefinition(doc, offset))) checkSpan(s, length, 'ide/definition', 'location');
    for (const s of run('ide/references', () => findReferences(doc, offset, { includeDeclaration: rng.chance(0.5) }))) checkSpan(s, length, 'ide/references', 'location');
    for (const h2 of run('ide/highlights', () => findHighlights(doc, offset))) checkSpan(h2.span, length, 'ide/highlights', 'highlight');
    const prepared = run('ide/prepareRename', () => prepareRename(doc, offset));
    if ('span' in prepared) {
      checkSpan(prepared.span, length, 'ide/prepareRename', 'rename range');
      const newName = rng.pick(['RENAMED', 'KUBE-SVC-NEW', '', 'a b', 'ACCEPT', 'X'.repeat(40), '__proto__', '\uD800']);
      const renamed = run('ide/rename', () => rename(doc, offset, newName));
      if ('edits' in renamed) {
        for (const e of renamed.edits) checkSpan(e.span, length, 'ide/rename', 'edit');
        const after = applyEdits(text, renamed.edits);
        checkProblems(run('ide/rename/relint', () => lintText(after, { family: parsed.family })).problems, after, 'ide/rename/relint');
      }
    }
    for (const c of run('ide/completion', () => complete(doc, offset)).entries) {
      checkSpan(c.replace, length, 'ide/completion', `completion ${c.label}`);
      check(c.replace.start <= offset && offset <= c.replace.end, 'ide/completion', `completion ${c.label}: replace range ${c.replace.start}-${c.replace.end} does not contain the cursor ${offset}`);
    }
  }
  walkSymbols(run('ide/documentSymbols', () => documentSymbols(doc)), length);
  walkSymbols(run('ide/documentSymbols', () => documentSymbols(doc, { includeRules: rng.chance(0.5) })), length);
  for (const s of run('ide/workspaceSymbols', () => chainSymbols(doc, rng.pick(['', 'kube', 'INPUT', '\uD800', '.*']), 100))) checkSpan(s.span, length, 'ide/workspaceSymbols', s.name);
  for (const f of run('ide/folding', () => foldingRanges(doc))) check(f.startLine >= 0 && f.startLine <= f.endLine && f.endLine < lineCount, 'ide/folding', `fold ${f.startLine}-${f.endLine} of ${lineCount} lines`);

  // ---- code lenses: sites, then resolve a few (synthesize the packet and trace it, as the command does)
  const { sites } = run('ide/codeLens', () => findLensSites(parsed));
  const nodeAddresses = run('trace/inferLocalAddresses', () => inferLocalAddresses(parsed));
  for (const site of sites) checkSpan(site, length, 'ide/codeLens', `lens ${site.chain}`);
  for (let k = 0; k < 3 && sites.length; k++) {
    const site = rng.pick(sites);
    if (site.kind === 'hook') {
      const suggestion = run('ide/codeLens/resolve-hook', () => suggestedPacketForHook(parsed, site.chain));
      // only a pre-fill for the input box (the user completes it): it must parse without throwing
      run('ide/codeLens/resolve-hook', () => parsePacketLine(suggestion, nodeAddresses));
      continue;
    }
    const rule = run('ide/codeLens/resolve', () => ruleAtLine(parsed, site.line));
    if (!rule) continue;
    const packet = run('ide/codeLens/resolve', () => synthesizePacketForRule(parsed, rule));
    if (!packet.packetLine) continue;
    // the trace command parses the lens packet with the node addresses the dump reveals (features/trace.ts)
    const p = run('ide/codeLens/trace', () => parsePacketLine(packet.packetLine!, nodeAddresses));
    check(p.request, 'ide/codeLens/trace', `lens packet "${packet.packetLine}" is rejected by the packet-line parser: ${p.error}`);
    checkTrace(run('ide/codeLens/trace', () => tracePacket(parsed, p.request!)), lineCount, 'ide/codeLens/trace');
  }
  return { features, rules: rules.length };
}
