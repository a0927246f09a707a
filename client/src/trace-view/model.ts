// Turns a TraceResult into what the trace panel draws: per path, the hooks in order, the tables
// inside each hook, and one node per rule/policy step with its call depth (each chain entered is
// indented under the rule that jumped to it), the packet rewrites on the edge after the step that
// made them, and the final verdict. Pure (no VS Code, no DOM) so it is unit-tested on its own;
// media/trace-view.js only draws this.

import type { TracePath, TraceResult, TraceStep, TracedPacket } from '../../../server/src/netfilter/trace/types';
import { ECN_NAMES } from '../../../server/src/netfilter/packet-bytes';

export interface TraceViewModel {
  /** the packet line as the server normalized it */
  packetLine: string;
  /** `192.168.50.9:40000 -> 172.20.0.3:30080/tcp in eth0` */
  input: string;
  /** document the trace ran on (label only) */
  documentLabel: string;
  notes: string[];
  /** `2 paths: ACCEPT 100%` */
  summary: string;
  paths: PathView[];
  /** index of the path shown first (the one through the lens's rule, or the most likely) */
  selected: number;
  /** draw the paths as columns side by side (few paths) instead of one at a time */
  sideBySide: boolean;
}

export type VerdictClass = 'accept' | 'drop' | 'reject' | 'other';
export type StepClass = 'jump' | 'goto' | 'accept' | 'drop' | 'reject' | 'continue' | 'return' | 'policy' | 'other';

export interface PathView {
  index: number;
  /** `50%` */
  probabilityText: string;
  probability: number;
  verdict: string;
  verdictClass: VerdictClass;
  outcome: string;
  /** what tells this path from its siblings: the chance branches it took and its NAT rewrites */
  distinction: string;
  assumptions: string[];
  hooks: HookView[];
  finalPacket: string;
  /** 1-based lines of the rules and policies on this path, for the editor highlight */
  lines: number[];
  /** 1-based line of the last rule or policy that gave a final verdict (ACCEPT, DROP …), null if none */
  decidingLine: number | null;
}

export interface HookView {
  hook: string;
  tables: TableView[];
}

export interface TableView {
  table: string;
  nodes: NodeView[];
}

export interface NodeView {
  chain: string;
  /** `#6`, or `policy` */
  ruleLabel: string;
  /** 1-based line in the dump (click reveals it), null when unknown */
  line: number | null;
  /** `→ KUBE-SERVICES`, `ACCEPT`, `policy ACCEPT`, `continue` */
  verdictText: string;
  stepClass: StepClass;
  /** nesting: 0 for the built-in chain, +1 per jump */
  depth: number;
  /** first step in a chain that was jumped/gone to: draw the chain's header */
  entersChain: boolean;
  /** a description of the decision when it is not a rewrite */
  note?: string;
  /** set when a statistic / undecided match forked the path here */
  branch?: { probabilityText?: string; assumption: string };
  /** packet changes made by this step, drawn on the edge leaving it */
  rewrites: string[];
}

export interface ViewModelOptions {
  packetLine?: string;
  documentLabel?: string;
  /** prefer the most likely path that passes this 1-based line */
  focusLine?: number;
  /** paths at most this many are drawn side by side */
  maxSideBySide?: number;
}

export function formatProbability(p: number): string {
  if (p >= 0.9995) return '100%';
  const percent = p * 100;
  if (percent >= 10) return `${Math.round(percent * 10) / 10}%`.replace(/\.0%$/, '%');
  if (percent >= 0.1) return `${Math.round(percent * 100) / 100}%`;
  return `${Number(percent.toPrecision(2))}%`;
}

export function formatTracedPacket(packet: TracedPacket, withInterfaces = true): string {
  const v6 = packet.src.includes(':');
  const endpoint = (address: string, port?: number) => (port === undefined ? address : v6 ? `[${address}]:${port}` : `${address}:${port}`);
  let text = `${endpoint(packet.src, packet.sport)} -> ${endpoint(packet.dst, packet.dport)}/${packet.proto}`;
  if (withInterfaces && packet.inIface) text += ` in ${packet.inIface}`;
  if (withInterfaces && packet.outIface) text += ` out ${packet.outIface}`;
  if (packet.mark && packet.mark !== '0x0') text += ` mark ${packet.mark}`;
  if (packet.ctmark && packet.ctmark !== '0x0') text += ` ctmark ${packet.ctmark}`;
  if (packet.dscp) text += ` dscp ${packet.dscp}`;
  if (packet.ecn) text += ` ecn ${ECN_NAMES[packet.ecn & 3]}`;
  if (packet.pkttype) text += ` pkttype ${packet.pkttype}`;
  if (packet.mac) text += ` mac ${packet.mac}`;
  if (packet.ipsec) text += ` ipsec ${packet.ipsec}`;
  if (packet.tcpOptions) text += ` options ${packet.tcpOptions}`;
  if (packet.payload !== undefined) text += ` payload "${packet.payload}"`;
  return text;
}

export function verdictClassOf(verdict: string): VerdictClass {
  const v = verdict.toUpperCase();
  if (v === 'ACCEPT') return 'accept';
  if (v === 'DROP') return 'drop';
  if (v === 'REJECT') return 'reject';
  return 'other';
}

function stepClassOf(step: TraceStep): StepClass {
  if (step.kind === 'policy') return 'policy';
  if (step.kind === 'return' || step.verdict === 'RETURN') return 'return';
  if (step.verdict.startsWith('JUMP ')) return 'jump';
  if (step.verdict.startsWith('GOTO ')) return 'goto';
  if (step.verdict === 'CONTINUE') return 'continue';
  const v = verdictClassOf(step.verdict);
  return v === 'other' ? 'other' : v;
}

function verdictTextOf(step: TraceStep): string {
  if (step.kind === 'policy') return `policy ${step.verdict}`;
  if (step.kind === 'return') return '↩ return';
  if (step.verdict.startsWith('JUMP ')) return `→ ${step.verdict.slice(5)}`;
  if (step.verdict.startsWith('GOTO ')) return `⇒ ${step.verdict.slice(5)} (goto)`;
  if (step.verdict === 'CONTINUE') return 'continue';
  return step.verdict;
}

type PacketState = Record<string, string | number | undefined>;

/** `dst 10.96.0.10 → 10.244.0.2`, `mark 0x0 → 0x4000` for each field the step changed. */
function describeRewrite(rewrite: Record<string, string | number>, before: PacketState): string[] {
  const out: string[] = [];
  for (const [field, value] of Object.entries(rewrite)) {
    const previous = before[field];
    out.push(previous === undefined || previous === value ? `${field} = ${value}` : `${field} ${previous} → ${value}`);
  }
  return out;
}

function pathView(path: TracePath, index: number, input: TracedPacket): PathView {
  const hooks: HookView[] = [];
  const lines: number[] = [];
  const branchTexts: string[] = [];
  const rewriteNotes: string[] = [];
  const { fromLocal: _fromLocal, ...fields } = input;
  const packet: PacketState = { ...fields };
  let stack: string[] = [];
  let previous: TraceStep | undefined;
  for (const step of path.steps) {
    const newTable = !previous || previous.hook !== step.hook || previous.table !== step.table;
    let entersChain = false;
    if (newTable) {
      stack = [step.chain];
    } else if (previous && previous.verdict === `JUMP ${step.chain}` && previous.chain !== step.chain) {
      stack.push(step.chain);
      entersChain = true;
    } else if (previous && previous.verdict === `GOTO ${step.chain}`) {
      stack[stack.length - 1] = step.chain;
      entersChain = true;
    } else {
      const at = stack.lastIndexOf(step.chain);
      if (at >= 0) stack.length = at + 1;
      else {
        stack.push(step.chain);
        entersChain = true;
      }
    }
    previous = step;
    if (step.kind === 'return') continue; // the kernel does not print implicit returns; depth already follows them
    if (step.line !== null) lines.push(step.line);
    let hook = hooks[hooks.length - 1];
    if (!hook || hook.hook !== step.hook) {
      hook = { hook: step.hook, tables: [] };
      hooks.push(hook);
    }
    let table = hook.tables[hook.tables.length - 1];
    if (!table || newTable) {
      table = { table: step.table, nodes: [] };
      hook.tables.push(table);
    }
    const rewrites = step.rewrite ? describeRewrite(step.rewrite, packet) : [];
    if (step.rewrite) {
      Object.assign(packet, step.rewrite);
      // Address rewrites tell sibling paths apart; mark bookkeeping does not.
      if (step.rewrite.src !== undefined || step.rewrite.dst !== undefined || step.rewrite.sport !== undefined || step.rewrite.dport !== undefined) {
        rewriteNotes.push(step.note ?? rewrites.join(', '));
      }
    }
    const node: NodeView = {
      chain: step.chain,
      ruleLabel: step.kind === 'policy' ? 'policy' : step.rule !== null ? `#${step.rule}` : '',
      line: step.line,
      verdictText: verdictTextOf(step),
      stepClass: stepClassOf(step),
      depth: stack.length - 1,
      entersChain,
      // The target's own description (`DNAT 10.96.0.10:53 → 10.244.0.2:53`) says it best; the
      // field-by-field changes are the fallback.
      rewrites: step.rewrite && step.note ? [step.note] : rewrites,
    };
    if (step.note && !step.rewrite) node.note = step.note;
    if (step.branch) {
      node.branch = { assumption: step.branch.assumption };
      if (step.branch.probability !== undefined) {
        node.branch.probabilityText = formatProbability(step.branch.probability);
        branchTexts.push(`${node.branch.probabilityText} ${verdictTextOf(step)}`);
      }
    }
    table.nodes.push(node);
  }
  const distinction = [...branchTexts, ...rewriteNotes].join(' · ');
  // The rule that decided the packet's fate: the last DROP/REJECT, or the last ACCEPT given in a
  // filtering table (nat and mangle "ACCEPT" only end that table's traversal).
  let decidingLine: number | null = null;
  for (const hook of hooks) {
    for (const table of hook.tables) {
      const filtering = table.table === 'filter' || table.table === 'security';
      for (const node of table.nodes) {
        if (node.line === null) continue;
        if (node.stepClass === 'drop' || node.stepClass === 'reject') decidingLine = node.line;
        else if (filtering && (node.stepClass === 'accept' || node.stepClass === 'policy')) decidingLine = node.line;
      }
    }
  }
  return {
    index,
    probability: path.probability,
    probabilityText: formatProbability(path.probability),
    verdict: path.verdict,
    verdictClass: verdictClassOf(path.verdict),
    outcome: path.outcome,
    distinction,
    assumptions: path.assumptions,
    hooks,
    finalPacket: formatTracedPacket(path.packet),
    lines,
    decidingLine,
  };
}

export function buildTraceViewModel(result: TraceResult, options: ViewModelOptions = {}): TraceViewModel {
  const paths = result.paths.map((path, index) => pathView(path, index, result.input));
  const byVerdict = new Map<string, number>();
  for (const path of result.paths) byVerdict.set(path.verdict, (byVerdict.get(path.verdict) ?? 0) + path.probability);
  const summary = `${paths.length} path${paths.length === 1 ? '' : 's'}: ${[...byVerdict].map(([v, p]) => `${v} ${formatProbability(p)}`).join(', ') || 'none'}`;
  return {
    packetLine: options.packetLine ?? formatTracedPacket(result.input),
    input: formatTracedPacket(result.input),
    documentLabel: options.documentLabel ?? '',
    notes: result.notes,
    summary,
    paths,
    selected: pickSelectedPath(paths, options.focusLine),
    sideBySide: paths.length > 1 && paths.length <= (options.maxSideBySide ?? 3),
  };
}

/** The most likely path, or the most likely one through `focusLine` when there is one. */
export function pickSelectedPath(paths: readonly PathView[], focusLine?: number): number {
  let best = -1;
  for (const path of paths) {
    if (focusLine !== undefined && !path.lines.includes(focusLine)) continue;
    if (best < 0 || path.probability > paths[best].probability) best = path.index;
  }
  if (best >= 0) return best;
  return paths.length ? pickSelectedPath(paths) : 0;
}
