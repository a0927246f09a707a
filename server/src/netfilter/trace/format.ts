// A trace as text for people (CLI output, the editor's copy-paste view): one line per step, like
// the kernel's own trace, with rewrites where they happen and each path's probability.

import type { TracePath, TraceResult, TraceStep, TracedPacket } from './types';
import { formatPercent } from './simulate';
import { ECN_NAMES } from '../packet-bytes';

export interface FormatOptions {
  /** include implicit returns (`↩ return`) — off by default, the kernel does not print them */
  showReturns?: boolean;
}

export function formatPacket(packet: TracedPacket): string {
  const v6 = packet.src.includes(':');
  const endpoint = (address: string, port?: number) => (port === undefined ? address : v6 ? `[${address}]:${port}` : `${address}:${port}`);
  let text = `${endpoint(packet.src, packet.sport)} -> ${endpoint(packet.dst, packet.dport)}/${packet.proto}`;
  if (packet.mark && packet.mark !== '0x0') text += ` mark ${packet.mark}`;
  if (packet.ctmark && packet.ctmark !== '0x0') text += ` ctmark ${packet.ctmark}`;
  if (packet.dscp) text += ` dscp ${packet.dscp}`;
  if (packet.ecn) text += ` ecn ${ECN_NAMES[packet.ecn]}`;
  if (packet.pkttype) text += ` pkttype ${packet.pkttype}`;
  if (packet.mac) text += ` mac ${packet.mac}`;
  if (packet.tcpOptions) text += ` options ${packet.tcpOptions}`;
  if (packet.payload !== undefined) text += ` payload "${packet.payload}"`;
  return text;
}

function verdictText(step: TraceStep): string {
  if (step.kind === 'policy') return `policy ${step.verdict}`;
  if (step.kind === 'return') return '↩ return';
  if (step.verdict.startsWith('JUMP ')) return `→ ${step.verdict.slice(5)}`;
  if (step.verdict.startsWith('GOTO ')) return `⇒ ${step.verdict.slice(5)} (goto)`;
  return step.verdict;
}

export function formatStep(step: TraceStep, widths = { table: 8, chain: 26 }): string {
  const rule = step.rule !== null ? `#${step.rule}` : '';
  let line = `${step.table.padEnd(widths.table)} ${step.chain.padEnd(widths.chain)} ${rule.padEnd(5)} ${verdictText(step)}`;
  if (step.note) line += `   ${step.note}`;
  else if (step.rewrite) line += `   ${Object.entries(step.rewrite).map(([k, v]) => `${k}=${v}`).join(' ')}`;
  if (step.branch) line += `   [${step.branch.probability !== undefined ? formatPercent(step.branch.probability) + ': ' : ''}${step.branch.assumption}]`;
  if (step.line !== null) line += `   (line ${step.line})`;
  return line.trimEnd();
}

export function formatPath(path: TracePath, index: number, total: number, options: FormatOptions = {}): string {
  const lines: string[] = [];
  lines.push(`Path ${index + 1} of ${total} — ${formatPercent(path.probability)} — ${path.verdict}: ${path.outcome}`);
  // (each assumption reads "assumed …": the label says it once)
  for (const assumption of path.assumptions) lines.push(`  assumes: ${assumption.replace(/^assumed /, '')}`);
  const steps = options.showReturns ? path.steps : path.steps.filter((s) => s.kind !== 'return');
  const chainWidth = Math.min(34, Math.max(10, ...steps.map((s) => s.chain.length)));
  let hook = '';
  for (const step of steps) {
    if (step.hook !== hook) {
      hook = step.hook;
      lines.push(`  ${hook}`);
    }
    lines.push(`    ${formatStep(step, { table: 8, chain: chainWidth })}`);
  }
  lines.push(`  final packet: ${formatPacket(path.packet)}${path.packet.outIface ? ` out ${path.packet.outIface}` : ''}`);
  return lines.join('\n');
}

export function formatTrace(result: TraceResult, options: FormatOptions = {}): string {
  const lines: string[] = [];
  // (ipsec after the interface: `ipsec in in eth0` would read as one clause)
  lines.push(`Packet ${result.input.fromLocal ? 'from local ' : ''}${formatPacket(result.input)}${result.input.inIface ? ` in ${result.input.inIface}` : ''}${result.input.ipsec ? ` ipsec ${result.input.ipsec}` : ''}`);
  for (const note of result.notes) lines.push(`  ${note}`);
  const byVerdict = new Map<string, number>();
  for (const path of result.paths) byVerdict.set(path.verdict, (byVerdict.get(path.verdict) ?? 0) + path.probability);
  lines.push(`  ${result.paths.length} path${result.paths.length === 1 ? '' : 's'}: ${[...byVerdict].map(([v, p]) => `${v} ${formatPercent(p)}`).join(', ')}`);
  lines.push('');
  result.paths.forEach((path, index) => {
    lines.push(formatPath(path, index, result.paths.length, options));
    lines.push('');
  });
  return lines.join('\n').trimEnd() + '\n';
}
