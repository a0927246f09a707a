// What the dump knows about an address: ClusterIP / external IP / load-balancer IP of a service
// (KUBE-SERVICES comments), endpoint of a service (KUBE-SEP DNAT), API server endpoint, pod CIDR
// (kube-proxy's `! -s CIDR … -j KUBE-MARK-MASQ`, kind-masq-agent, flannel), DNAT/SNAT rewrites.
// Built once per document version, in the background; a version re-read after a one-line edit takes
// what its predecessor learned from every other rule (ShareableAddresses). Pure.

import type { Rule } from '../model';
import { servicePortNameFromComment } from '../kube/hash';
import { optionArg, targetOptionArg } from '../kube/chains';
import { lineEditOf, optionText } from '../parser';
import { BUILD_SLICE_RULES, SlicedIndex, type DocumentIndex } from './document-index';

export interface AddressFact {
  text: string;
  /** 0-based line of the rule the fact comes from */
  line: number;
}

const HOST_SUFFIX = /\/(32|128)$/;

/** `10.0.0.1/32` → `10.0.0.1`; `10.244.0.0/16` stays; `[fd00::1]:80`/`10.0.0.1:80` → address only. */
export function normalizeAddress(text: string): string {
  let t = text.trim();
  const bracket = /^\[([^\]]+)\](?::\d+(?:-\d+)?)?$/.exec(t);
  if (bracket) t = bracket[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d/.test(t)) t = t.slice(0, t.indexOf(':'));
  return t.replace(HOST_SUFFIX, '').toLowerCase();
}

function ipv4ToNumber(ip: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** Is the IPv4 address (or network) inside the IPv4 CIDR? */
export function ipv4Within(address: string, cidr: string): boolean {
  const [net, lenText] = cidr.split('/');
  const len = Number(lenText ?? 32);
  const [addr, addrLenText] = address.split('/');
  const addrLen = Number(addrLenText ?? 32);
  const a = ipv4ToNumber(addr);
  const n = ipv4ToNumber(net);
  if (a === undefined || n === undefined || !(len >= 0 && len <= 32) || addrLen < len) return false;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((a & mask) >>> 0) === ((n & mask) >>> 0);
}

/**
 * A generic option (-s, -d, -p) as far as this index needs it: read from the rule's line when the
 * parser can (no model built for the 100k rules of a big dump), else from the model.
 */
function genericOption(rule: Rule, name: 'source' | 'destination' | 'protocol'): { negated: boolean; args: Array<{ text: string }> } | undefined {
  const read = optionText(rule, '', name);
  if (read === null) return undefined;
  if (read !== undefined) return { negated: read.negated, args: read.text === undefined ? [] : [{ text: read.text }] };
  return rule.criteria[name];
}

/** A fact with the rule it came from: `ordinal` is the rule's place in the DocumentIndex walk. */
interface LearnedFact extends AddressFact {
  ordinal: number;
}

/** What learn() found in some rules: keyed by normalized address, in walk order, duplicates kept. */
interface Learned {
  facts: Map<string, LearnedFact[]>;
  /** address → ordinals of the rules that mention it in -s/-d/--to-* */
  uses: Map<string, number[]>;
  /** pod CIDR → ordinals of the rules that say so */
  podCidrs: Map<string, number[]>;
}

const learnedNothing = (): Learned => ({ facts: new Map(), uses: new Map(), podCidrs: new Map() });

/**
 * What a re-read version can take from its predecessor's index: everything learned from the rules
 * it did not re-read. Holds no model (the old version's rules are not kept alive by it).
 */
export interface ShareableAddresses {
  learned: Learned;
  /** ordinals of the rules whose facts are not in `learned` any more (re-read since) */
  replaced: ReadonlySet<number>;
  /** DocumentIndex.layout of the version it was built on: the ordinals mean the same rules only under the same layout */
  layout: object;
}

/** Past this many re-read rules since the last whole build, build the index whole again. */
const MAX_REPLACED_RULES = 256;

export class AddressIndex extends SlicedIndex {
  private readonly own: Learned = learnedNothing();
  /** a re-read version's: what the predecessor learned, minus the rules in `replaced` (re-learned into `own`) */
  private base?: Learned;
  private replaced: ReadonlySet<number> = new Set();

  constructor(
    private readonly index: DocumentIndex,
    private previous?: ShareableAddresses,
  ) {
    super();
  }

  protected *build(): Generator<void, void> {
    const previous = this.previous;
    this.previous = undefined;
    const edit = lineEditOf(this.index.ruleset);
    const editedOrdinal = edit ? this.index.ruleOrdinalOnLine(edit.line) : -1;
    if (previous && editedOrdinal >= 0 && previous.layout === this.index.layout && previous.replaced.size < MAX_REPLACED_RULES) {
      // Same rules in the same places but one: learn that one (and those re-read before) again.
      this.base = previous.learned;
      this.replaced = new Set([...previous.replaced, editedOrdinal]);
      // In walk order, as a whole build learns them: own lists then need no sorting.
      for (const ordinal of [...this.replaced].sort((a, b) => a - b)) {
        const rule = this.index.ruleByOrdinal(ordinal);
        if (rule) this.learn(rule, ordinal);
      }
      return;
    }
    let ordinal = 0;
    yield* this.visitRules(this.index, (_table, rule) => this.learn(rule, ordinal++));
    // Lists grown by push keep 16+ slots: 40k addresses' lists at exact size save ~4 MB.
    let compacted = 0;
    for (const [key, list] of this.own.uses) {
      this.own.uses.set(key, list.slice());
      if (++compacted % (BUILD_SLICE_RULES * 10) === 0) yield;
    }
  }

  /** For the next version re-read from this one (undefined while this one is not complete). */
  shareable(): ShareableAddresses | undefined {
    if (!this.isComplete || this.index.layout === undefined) return undefined;
    if (this.base) return { learned: this.base, replaced: this.replaced, layout: this.index.layout };
    return { learned: this.own, replaced: new Set(), layout: this.index.layout };
  }

  private add(address: string, text: string, ordinal: number, line: number): void {
    const key = normalizeAddress(address);
    const list = this.own.facts.get(key);
    if (list) list.push({ text, line, ordinal });
    else this.own.facts.set(key, [{ text, line, ordinal }]);
  }

  private use(address: string, ordinal: number): void {
    for (const part of address.split(',')) {
      const key = normalizeAddress(part);
      const list = this.own.uses.get(key);
      if (list) {
        if (list[list.length - 1] !== ordinal) list.push(ordinal);
      } else this.own.uses.set(key, [ordinal]);
    }
  }

  private learn(rule: Rule, ordinal: number): void {
    const line = rule.line;
    const source = genericOption(rule, 'source');
    const destination = genericOption(rule, 'destination');
    const target = rule.target;
    const comment = optionArg(rule, 'comment', 'comment');
    if (source?.args[0]) this.use(source.args[0].text, ordinal);
    if (destination?.args[0]) this.use(destination.args[0].text, ordinal);
    // (read from the line: the options of 30k DNAT targets are not built for this)
    const dnat = target?.name === 'DNAT' ? targetOptionArg(rule, 'to-destination') : undefined;
    const snat = target?.name === 'SNAT' ? targetOptionArg(rule, 'to-source') : undefined;
    if (dnat) this.use(dnat, ordinal);
    if (snat) this.use(snat, ordinal);

    // Service IPs: `-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "ns/svc:dns cluster IP" --dport 53`
    const serviceIp = comment && /^(\S+) (cluster IP|external IP|loadbalancer IP)$/.exec(comment);
    if (serviceIp && destination?.args[0] && !destination.negated && rule.table === 'nat') {
      const proto = genericOption(rule, 'protocol')?.args[0]?.text;
      const port = optionArg(rule, 'dport');
      const kind = serviceIp[2] === 'cluster IP' ? 'ClusterIP' : serviceIp[2] === 'external IP' ? 'external IP' : 'load-balancer IP';
      this.add(destination.args[0].text, `${kind} of service \`${serviceIp[1]}\`${port ? ` (${port}/${proto ?? '?'})` : ''}`, ordinal, line);
    }
    // Endpoints: KUBE-SEP DNAT
    if (dnat && rule.chain.startsWith('KUBE-SEP-')) {
      const subject = comment ? servicePortNameFromComment(comment) : undefined;
      const name = subject?.servicePortName;
      this.add(dnat, `endpoint \`${dnat}\` of service \`${name ?? '?'}\` (${rule.chain})`, ordinal, line);
      if (name === 'default/kubernetes:https' || name === 'default/kubernetes') {
        this.add(dnat, 'Kubernetes API server endpoint (a control-plane node address)', ordinal, line);
      }
    } else if (dnat) {
      const to = destination?.args[0] ? `${destination.args[0].text} → ${dnat}` : `→ ${dnat}`;
      if (destination?.args[0] && !destination.negated) this.add(destination.args[0].text, `DNATed ${to} in ${rule.chain}`, ordinal, line);
      this.add(dnat, `DNAT destination (${to}) in ${rule.chain}`, ordinal, line);
    }
    if (snat && source?.args[0] && !source.negated) this.add(source.args[0].text, `SNATed to ${snat} in ${rule.chain}`, ordinal, line);
    // Pod CIDR: kube-proxy `! -s CIDR … -j KUBE-MARK-MASQ` (--cluster-cidr), kind-masq-agent, flannel.
    if (source?.negated && source.args[0]?.text.includes('/') && target?.name === 'KUBE-MARK-MASQ') {
      this.addPodCidr(source.args[0].text, 'pod CIDR (kube-proxy `--cluster-cidr`): traffic to a service from outside it is masqueraded', ordinal, line);
    }
    if (rule.chain === 'KIND-MASQ-AGENT' && destination?.args[0] && target?.name === 'RETURN') {
      this.addPodCidr(destination.args[0].text, 'pod CIDR (kind-masq-agent): traffic to it is not masqueraded', ordinal, line);
    }
    if (rule.chain.startsWith('FLANNEL-') && source?.args[0] && destination?.args[0] && source.args[0].text === destination.args[0].text && !source.negated && !destination.negated) {
      this.addPodCidr(source.args[0].text, 'pod network (flannel): pod-to-pod traffic is not masqueraded', ordinal, line);
    }
  }

  private addPodCidr(cidr: string, text: string, ordinal: number, line: number): void {
    const key = normalizeAddress(cidr);
    const list = this.own.podCidrs.get(key);
    if (list) list.push(ordinal);
    else this.own.podCidrs.set(key, [ordinal]);
    this.add(cidr, text, ordinal, line);
  }

  /** The base's entries still valid and this version's own, in walk order (a stable merge). */
  private merged<T>(fromBase: readonly T[] | undefined, own: readonly T[] | undefined, ordinalOf: (item: T) => number): T[] {
    const kept = fromBase ? fromBase.filter((item) => !this.replaced.has(ordinalOf(item))) : [];
    if (!own?.length) return kept;
    if (!kept.length) return [...own];
    return [...kept, ...own].sort((a, b) => ordinalOf(a) - ordinalOf(b));
  }

  /** Pod CIDRs, in the order a whole build meets them first. */
  get podCidrs(): string[] {
    const first = new Map<string, number>();
    for (const learned of this.base ? [this.base, this.own] : [this.own]) {
      for (const [cidr, ordinals] of learned.podCidrs) {
        const valid = learned === this.own ? ordinals : ordinals.filter((o) => !this.replaced.has(o));
        if (valid.length && !(first.get(cidr)! <= valid[0])) first.set(cidr, valid[0]);
      }
    }
    return [...first].sort((a, b) => a[1] - b[1]).map(([cidr]) => cidr);
  }

  /** Facts about the address (or network) as written in a rule; includes "inside pod CIDR X". */
  factsAbout(written: string): AddressFact[] {
    this.complete();
    const key = normalizeAddress(written);
    const result: AddressFact[] = [];
    const seen = new Set<string>();
    for (const fact of this.merged(this.base?.facts.get(key), this.own.facts.get(key), (f) => f.ordinal)) {
      if (seen.has(fact.text)) continue; // the first rule that says it
      seen.add(fact.text);
      result.push({ text: fact.text, line: fact.line });
    }
    for (const cidr of this.podCidrs) {
      if (cidr !== key && ipv4Within(key, cidr)) result.push({ text: `inside the pod CIDR ${cidr}`, line: -1 });
    }
    return result;
  }

  /** Lines of the rules that mention the address (as -s/-d or NAT address). */
  usesOf(written: string): number[] {
    this.complete();
    const key = normalizeAddress(written);
    const ordinals = this.merged(this.base?.uses.get(key), this.own.uses.get(key), (o) => o);
    return ordinals.map((o) => this.index.ruleByOrdinal(o)!.line);
  }
}
