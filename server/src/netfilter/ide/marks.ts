// Packet (nfmark) and connection (ctmark) marks: what an option does to the 32-bit mark in plain
// words, which bits it touches, what those bits conventionally mean, and every rule of the dump
// that sets or tests the same bits. Pure.
//
// Every write is normalized to the kernel's one operation (xt_MARK / xt_CONNMARK, mode SET):
//   mark = (mark AND NOT mask) XOR value
// with libxt_MARK's translations: --set-mark V/M → value V, mask M|V; --and-mark B → 0/~B;
// --or-mark B → B/B; --xor-mark B → B/0. A test (`-m mark --mark V/M`) is (mark AND M) == V.

import type { OptionUse, Rule } from '../model';
import { SlicedIndex, type DocumentIndex } from './document-index';
import { lineEditOf, ruleOutline } from '../parser';

export type MarkField = 'nfmark' | 'ctmark';

export interface MarkWrite {
  kind: 'write';
  field: MarkField;
  value: number;
  mask: number;
}
export interface MarkTest {
  kind: 'test';
  field: MarkField;
  value: number;
  mask: number;
  negated: boolean;
}
export interface MarkCopy {
  kind: 'copy';
  /** save-mark copies nfmark → ctmark, restore-mark ctmark → nfmark */
  from: MarkField;
  to: MarkField;
  /** bits of the source used (nfmask for save, ctmask for restore) */
  sourceMask: number;
  /** bits of the destination replaced */
  destinationMask: number;
}
export type MarkOperation = MarkWrite | MarkTest | MarkCopy;

const ALL = 0xffffffff;

/** strtoul(base 0) on a 32-bit value: `0x4000`, `16384`, `040000`; undefined when invalid. */
export function parseMarkNumber(text: string): number | undefined {
  let n: number;
  if (/^0x[0-9a-f]+$/i.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^0[0-7]+$/.test(text)) n = parseInt(text.slice(1), 8);
  else if (/^\d+$/.test(text)) n = parseInt(text, 10);
  else return undefined;
  return n <= ALL ? n >>> 0 : undefined;
}

function parseValueMask(text: string): { value: number; mask?: number } | undefined {
  const slash = text.indexOf('/');
  const value = parseMarkNumber(slash < 0 ? text : text.slice(0, slash));
  if (value === undefined) return undefined;
  if (slash < 0) return { value };
  const mask = parseMarkNumber(text.slice(slash + 1));
  return mask === undefined ? undefined : { value, mask };
}

function optionArg(options: OptionUse[], name: string): string | undefined {
  return options.find((o) => o.name === name)?.args[0]?.text;
}

/**
 * The mark operation of one option, given who owns it: `mark`/`connmark` match, `MARK`/`CONNMARK`/`TPROXY` target.
 * `siblings` are the other options of the same owner (CONNMARK --save-mark reads --nfmask/--ctmask/--mask).
 */
export function markOperation(owner: string, option: OptionUse, siblings: OptionUse[]): MarkOperation | undefined {
  const arg = option.args[0]?.text;
  const field: MarkField = owner === 'connmark' || owner === 'CONNMARK' ? 'ctmark' : 'nfmark';
  if ((owner === 'mark' || owner === 'connmark') && option.name === 'mark' && arg) {
    const vm = parseValueMask(arg);
    return vm && { kind: 'test', field, value: vm.value, mask: vm.mask ?? ALL, negated: option.negated };
  }
  if (owner === 'TPROXY' && option.name === 'tproxy-mark' && arg) {
    const vm = parseValueMask(arg);
    return vm && { kind: 'write', field: 'nfmark', value: vm.value, mask: vm.mask ?? ALL };
  }
  if (owner !== 'MARK' && owner !== 'CONNMARK') return undefined;
  switch (option.name) {
    case 'set-xmark': {
      const vm = arg ? parseValueMask(arg) : undefined;
      return vm && { kind: 'write', field, value: vm.value, mask: vm.mask ?? ALL };
    }
    case 'set-mark': {
      const vm = arg ? parseValueMask(arg) : undefined;
      return vm && { kind: 'write', field, value: vm.value, mask: ((vm.mask ?? ALL) | vm.value) >>> 0 };
    }
    case 'and-mark': {
      const bits = arg ? parseMarkNumber(arg) : undefined;
      return bits === undefined ? undefined : { kind: 'write', field, value: 0, mask: ~bits >>> 0 };
    }
    case 'or-mark': {
      const bits = arg ? parseMarkNumber(arg) : undefined;
      return bits === undefined ? undefined : { kind: 'write', field, value: bits, mask: bits };
    }
    case 'xor-mark': {
      const bits = arg ? parseMarkNumber(arg) : undefined;
      return bits === undefined ? undefined : { kind: 'write', field, value: bits, mask: 0 };
    }
    case 'save-mark':
    case 'restore-mark': {
      if (owner !== 'CONNMARK') return undefined;
      const both = optionArg(siblings, 'mask');
      const nfmask = parseMarkNumber(optionArg(siblings, 'nfmask') ?? both ?? '0xffffffff') ?? ALL;
      const ctmask = parseMarkNumber(optionArg(siblings, 'ctmask') ?? both ?? '0xffffffff') ?? ALL;
      return option.name === 'save-mark'
        ? { kind: 'copy', from: 'nfmark', to: 'ctmark', sourceMask: nfmask, destinationMask: ctmask }
        : { kind: 'copy', from: 'ctmark', to: 'nfmark', sourceMask: ctmask, destinationMask: nfmask };
    }
    default:
      return undefined;
  }
}

export function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

/** `bit 14`, `bits 14, 15`, `bits 16–31` (contiguous runs are ranges). */
export function describeBits(mask: number): string {
  const bits: number[] = [];
  for (let b = 0; b < 32; b++) if ((mask >>> b) & 1) bits.push(b);
  if (bits.length === 0) return 'no bits';
  const runs: string[] = [];
  let i = 0;
  while (i < bits.length) {
    let j = i;
    while (j + 1 < bits.length && bits[j + 1] === bits[j] + 1) j++;
    runs.push(j - i >= 2 ? `${bits[i]}–${bits[j]}` : j === i ? `${bits[i]}` : `${bits[i]}, ${bits[j]}`);
    i = j + 1;
  }
  return `${bits.length === 1 ? 'bit' : 'bits'} ${runs.join(', ')}`;
}

function fieldName(field: MarkField): string {
  return field === 'nfmark' ? 'packet mark' : 'connection mark (ctmark)';
}

/** One or two sentences: what the operation does to the mark. */
export function explainMarkOperation(op: MarkOperation): string {
  if (op.kind === 'test') {
    const { value, mask } = op;
    let what: string;
    if (mask === ALL) what = `the ${fieldName(op.field)} is exactly ${hex(value)}`;
    else if (value === mask && isSingleBit(mask)) what = `${describeBits(mask)} of the ${fieldName(op.field)} is set`;
    else if (value === mask) what = `${describeBits(mask)} of the ${fieldName(op.field)} are all set`;
    else if (value === 0) what = `${describeBits(mask)} of the ${fieldName(op.field)} ${isSingleBit(mask) ? 'is' : 'are all'} clear`;
    else what = `(${fieldName(op.field)} AND ${hex(mask)}) equals ${hex(value)}`;
    return `${op.negated ? 'Matches unless' : 'Matches when'} ${what}.`;
  }
  if (op.kind === 'copy') {
    const from = fieldName(op.from);
    const to = fieldName(op.to);
    const bits = op.sourceMask === ALL && op.destinationMask === ALL ? '' : ` (source bits ${hex(op.sourceMask)}, destination bits ${hex(op.destinationMask)})`;
    return `Copies the ${from} into the ${to}${bits}.`;
  }
  const { value, mask } = op;
  const setBits = (value & mask) >>> 0;
  const clearBits = (mask & ~value) >>> 0;
  const flipBits = (value & ~mask) >>> 0;
  const formula = `(${op.field === 'nfmark' ? 'mark' : 'ctmark'} AND NOT ${hex(mask)}) XOR ${hex(value)}`;
  if (mask === ALL) return `Sets the ${fieldName(op.field)} to ${hex(value)} (all 32 bits replaced). Formula: ${formula}.`;
  const parts: string[] = [];
  if (setBits) parts.push(`sets ${describeBits(setBits)} (${hex(setBits)})`);
  if (clearBits) parts.push(`clears ${describeBits(clearBits)} (${hex(clearBits)})`);
  if (flipBits) parts.push(`flips (XOR) ${describeBits(flipBits)} (${hex(flipBits)})`);
  if (!parts.length) return `Leaves the ${fieldName(op.field)} unchanged. Formula: ${formula}.`;
  const sentence = parts.join(', ');
  return `${sentence[0].toUpperCase()}${sentence.slice(1)} of the ${fieldName(op.field)}; other bits unchanged. Formula: ${formula}.`;
}

function isSingleBit(n: number): boolean {
  return n !== 0 && (n & (n - 1)) === 0;
}

/** Bits an operation reads or changes. */
export function bitsOf(op: MarkOperation): number {
  if (op.kind === 'copy') return op.destinationMask;
  if (op.kind === 'write') return (op.mask | op.value) >>> 0;
  return op.mask;
}

interface Convention {
  applies(relevantBits: number, value: number | undefined): boolean;
  text: string;
}

const within = (bits: number, area: number) => bits !== 0 && (bits & ~area) >>> 0 === 0;

// Known conventions, each with where it comes from. Only claims a reader can check.
const CONVENTIONS: Convention[] = [
  { applies: (b) => (b & 0x4000) !== 0, text: 'kube-proxy / kubelet masquerade bit (bit 14, `--iptables-masquerade-bit` default): set by KUBE-MARK-MASQ, SNATed by KUBE-POSTROUTING' },
  { applies: (b) => (b & 0x8000) !== 0, text: 'kube-proxy / kubelet drop bit (bit 15): set by KUBE-MARK-DROP' },
  { applies: (b) => within(b, 0xffff0000), text: 'Calico (Felix) reserves the bits 0xffff0000 by default (`iptablesMarkMask`)' },
  { applies: (b) => within(b, 0xff00) && (b & 0x0f00) !== 0, text: 'Cilium "magic" marks (bpf/lib/common.h, mask 0x0f00): 0x0200 to-proxy, 0x0a00 proxy ingress, 0x0b00 proxy egress, 0x0c00 host, 0x0d00 decrypt, 0x0e00 encrypt, 0x0f00 identity' },
  { applies: (_b, v) => v === 0x539, text: 'Istio: 1337 (0x539) is the mark (and UID) of the Envoy sidecar in its TPROXY interception mode' },
];

/** The bits an operation is about: its mask, or its value when the mask is the whole mark. */
export function relevantBits(op: MarkOperation): number {
  if (op.kind === 'copy') return op.destinationMask === ALL ? op.sourceMask : op.destinationMask;
  if (op.mask === ALL) return op.value;
  return op.kind === 'write' ? (op.mask | op.value) >>> 0 : op.mask;
}

/** Known meanings of the bits an operation touches ("known conventions", not proofs). */
export function markConventions(op: MarkOperation): string[] {
  const bits = relevantBits(op);
  const value = op.kind === 'copy' ? undefined : op.value;
  return CONVENTIONS.filter((c) => c.applies(bits, value)).map((c) => c.text);
}

export interface MarkUse {
  rule: Rule;
  option: OptionUse;
  op: MarkOperation;
}

/**
 * A mark option as the index keeps it: numbers that find it again in any version with the same
 * rules (no rule or option object, so a re-read version may share the list).
 */
interface MarkEntry {
  /** the rule's ordinal (DocumentIndex.ruleByOrdinal) and line */
  ordinal: number;
  line: number;
  /** the match's index in rule.matches, or -1 for the target */
  match: number;
  /** the option's index in that match's (or the target's) options */
  option: number;
  op: MarkOperation;
}

/** What a re-read version can take from its predecessor's mark index (see AddressIndex's ShareableAddresses). */
export interface ShareableMarks {
  entries: readonly MarkEntry[];
  /** DocumentIndex.layout of the version it was built on */
  layout: object;
}

/** Every mark-related option of the dump, built once per document version, in line order. */
export class MarkIndex extends SlicedIndex {
  private entries: MarkEntry[] = [];

  constructor(
    private readonly index: DocumentIndex,
    private previous?: ShareableMarks,
  ) {
    super();
  }

  protected *build(): Generator<void, void> {
    const previous = this.previous;
    this.previous = undefined;
    const edit = lineEditOf(this.index.ruleset);
    const edited = edit ? this.index.ruleOrdinalOnLine(edit.line) : -1;
    if (previous && edited >= 0 && previous.layout === this.index.layout) {
      // Same rules in the same places but one: keep the others' entries, read that one again.
      this.entries = previous.entries.filter((entry) => entry.ordinal !== edited);
      const rule = this.index.ruleByOrdinal(edited);
      if (rule) this.scan(rule, edited);
    } else {
      yield* this.visitRules(this.index, (rule, ordinal) => this.scan(rule, ordinal));
    }
    this.entries.sort((a, b) => a.line - b.line || a.ordinal - b.ordinal);
  }

  private scan(rule: Rule, ordinal: number): void {
    const outline = ruleOutline(rule); // skip building the models of rules without these matches
    if (!outline || outline.modules.some((m) => m === 'mark' || m === 'connmark')) {
      rule.matches.forEach((match, m) => {
        if (match.module !== 'mark' && match.module !== 'connmark') return;
        match.options.forEach((option, o) => this.add(rule, ordinal, m, o, match.module, option, match.options));
      });
    }
    const target = rule.target;
    if (target && (target.name === 'MARK' || target.name === 'CONNMARK' || target.name === 'TPROXY')) {
      target.options.forEach((option, o) => this.add(rule, ordinal, -1, o, target.name, option, target.options));
    }
  }

  private add(rule: Rule, ordinal: number, match: number, option: number, owner: string, use: OptionUse, siblings: OptionUse[]): void {
    const op = markOperation(owner, use, siblings);
    if (op) this.entries.push({ ordinal, line: rule.line, match, option, op });
  }

  /** For the next version re-read from this one (undefined while this one is not complete). */
  shareable(): ShareableMarks | undefined {
    return this.isComplete && this.index.layout ? { entries: this.entries, layout: this.index.layout } : undefined;
  }

  /** Uses that touch any of `bits` of the same mark field (copies count for both fields). */
  related(op: MarkOperation): MarkUse[] {
    this.complete();
    const bits = relevantBits(op);
    const fields = op.kind === 'copy' ? new Set<MarkField>([op.from, op.to]) : new Set<MarkField>([op.field]);
    const related: MarkUse[] = [];
    for (const entry of this.entries) {
      const useFields = entry.op.kind === 'copy' ? [entry.op.from, entry.op.to] : [entry.op.field];
      if (!useFields.some((f) => fields.has(f)) || !(bits === 0 ? relevantBits(entry.op) === 0 : (bitsOf(entry.op) & bits) !== 0)) continue;
      const rule = this.index.ruleByOrdinal(entry.ordinal)!;
      const options = entry.match < 0 ? rule.target!.options : rule.matches[entry.match].options;
      related.push({ rule, option: options[entry.option], op: entry.op });
    }
    return related;
  }
}
