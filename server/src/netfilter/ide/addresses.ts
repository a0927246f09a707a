// What the dump knows about an address: ClusterIP / external IP / load-balancer IP of a service
// (KUBE-SERVICES comments), endpoint of a service (KUBE-SEP DNAT), API server endpoint, pod CIDR
// (kube-proxy's `! -s CIDR … -j KUBE-MARK-MASQ`, kind-masq-agent, flannel), DNAT/SNAT rewrites.
// Built once per document version, in the background; a version re-read after a one-line edit takes
// what its predecessor learned from every other rule (ShareableAddresses). Pure.

import type { Rule } from '../model';
import { servicePortNameFromComment } from '../kube/hash';
import { optionArg, targetOptionArg } from '../kube/chains';
import { genericOptionText, lineEditOf } from '../parser';
import { ownCopy } from '../tokenizer';
import { SlicedIndex, type DocumentIndex } from './document-index';

export interface AddressFact {
  text: string;
  /** 0-based line of the rule the fact comes from */
  line: number;
}

const HOST_SUFFIX = /\/(32|128)$/;

/** `10.0.0.1/32` → `10.0.0.1`; `10.244.0.0/16` stays; `[fd00::1]:80`/`10.0.0.1:80` → address only. */
export function normalizeAddress(text: string): string {
  // The common case, a plain IPv4 address or network (200k of them in a 10k-service dump): no regex.
  if (plainIpv4(text)) return text.endsWith('/32') ? text.slice(0, -3) : text.endsWith('/128') ? text.slice(0, -4) : text;
  let t = text.trim();
  const bracket = /^\[([^\]]+)\](?::\d+(?:-\d+)?)?$/.exec(t);
  if (bracket) t = bracket[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d/.test(t)) t = t.slice(0, t.indexOf(':'));
  return t.replace(HOST_SUFFIX, '').toLowerCase();
}

/** Digits, dots and at most one `/` followed by digits: nothing to trim, lower or cut off but `/32`. */
function plainIpv4(text: string): boolean {
  let slash = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 47 /* / */ && !slash && i > 0) slash = true;
    else if (!(c >= 48 && c <= 57) && !(c === 46 /* . */ && !slash)) return false;
  }
  return text.length > 0;
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
 * Ordinals of rules (their place in the DocumentIndex walk), in walk order without repeats: one
 * number for the usual single rule, an array for more (40k addresses × an array each cost ~2 MB).
 */
type Ordinals = number | number[];

function addOrdinal(map: Map<string, Ordinals>, key: string, ordinal: number): void {
  const known = map.get(key);
  // A new key is copied: the index outlives this text when a re-read version shares it.
  if (known === undefined) map.set(ownCopy(key), ordinal);
  else if (typeof known === 'number') {
    if (known !== ordinal) map.set(key, [known, ordinal]);
  } else if (known[known.length - 1] !== ordinal) known.push(ordinal);
}

function ordinalsOf(value: Ordinals | undefined): readonly number[] {
  return value === undefined ? [] : typeof value === 'number' ? [value] : value;
}

/**
 * What the index learned from some rules, by normalized address: which rules state facts about it
 * (the facts' texts are made again from the rule when asked: 40k texts cost ~10 MB), which mention
 * it, which name it a pod CIDR.
 */
interface Learned {
  /**
   * Per address, the rules that first state each of its facts: a rule that repeats a fact already
   * stated by an earlier rule is left out (the 10k KUBE-SVC rules that each say "pod CIDR").
   */
  facts: Map<string, Ordinals>;
  /** address → the rules that mention it in -s/-d/--to-* */
  uses: Map<string, Ordinals>;
  /** pod CIDR → the rules that say so */
  podCidrs: Map<string, Ordinals>;
}

const learnedNothing = (): Learned => ({ facts: new Map(), uses: new Map(), podCidrs: new Map() });

/** What reading one rule finds; learnRule() reports to these. */
interface RuleReader {
  fact(address: string, text: string): void;
  use(address: string): void;
  podCidr(cidr: string): void;
}

/** Every fact, use and pod CIDR one rule states (see the file comment). */
function learnRule(rule: Rule, found: RuleReader): void {
  // -s/-d/-p read from the rule's line when the parser can (no model built for the 100k rules of a big dump)
  const source = genericOptionText(rule, 'source');
  const destination = genericOptionText(rule, 'destination');
  const sourceText = source?.text;
  const destinationText = destination?.text;
  const target = rule.target;
  const comment = optionArg(rule, 'comment', 'comment');
  if (sourceText) found.use(sourceText);
  if (destinationText) found.use(destinationText);
  // (read from the line: the options of 30k DNAT targets are not built for this)
  const dnat = target?.name === 'DNAT' ? targetOptionArg(rule, 'to-destination') : undefined;
  const snat = target?.name === 'SNAT' ? targetOptionArg(rule, 'to-source') : undefined;
  if (dnat) found.use(dnat);
  if (snat) found.use(snat);

  // Service IPs: `-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "ns/svc:dns cluster IP" --dport 53`
  const serviceIp = comment && /^(\S+) (cluster IP|external IP|loadbalancer IP)$/.exec(comment);
  if (serviceIp && destinationText && !destination.negated && rule.table === 'nat') {
    const proto = genericOptionText(rule, 'protocol')?.text;
    const port = optionArg(rule, 'dport');
    const kind = serviceIp[2] === 'cluster IP' ? 'ClusterIP' : serviceIp[2] === 'external IP' ? 'external IP' : 'load-balancer IP';
    found.fact(destinationText, `${kind} of service \`${serviceIp[1]}\`${port ? ` (${port}/${proto ?? '?'})` : ''}`);
  }
  // Endpoints: KUBE-SEP DNAT
  if (dnat && rule.chain.startsWith('KUBE-SEP-')) {
    const subject = comment ? servicePortNameFromComment(comment) : undefined;
    const name = subject?.servicePortName;
    found.fact(dnat, `endpoint \`${dnat}\` of service \`${name ?? '?'}\` (${rule.chain})`);
    if (name === 'default/kubernetes:https' || name === 'default/kubernetes') {
      found.fact(dnat, 'Kubernetes API server endpoint (a control-plane node address)');
    }
  } else if (dnat) {
    const to = destinationText ? `${destinationText} → ${dnat}` : `→ ${dnat}`;
    if (destinationText && !destination.negated) found.fact(destinationText, `DNATed ${to} in ${rule.chain}`);
    found.fact(dnat, `DNAT destination (${to}) in ${rule.chain}`);
  }
  if (snat && sourceText && !source.negated) found.fact(sourceText, `SNATed to ${snat} in ${rule.chain}`);
  // Pod CIDR: kube-proxy `! -s CIDR … -j KUBE-MARK-MASQ` (--cluster-cidr), kind-masq-agent, flannel.
  if (source?.negated && sourceText?.includes('/') && target?.name === 'KUBE-MARK-MASQ') {
    podCidr(found, sourceText, 'pod CIDR (kube-proxy `--cluster-cidr`): traffic to a service from outside it is masqueraded');
  }
  if (rule.chain === 'KIND-MASQ-AGENT' && destinationText && target?.name === 'RETURN') {
    podCidr(found, destinationText, 'pod CIDR (kind-masq-agent): traffic to it is not masqueraded');
  }
  if (rule.chain.startsWith('FLANNEL-') && sourceText && destinationText && sourceText === destinationText && !source.negated && !destination.negated) {
    podCidr(found, sourceText, 'pod network (flannel): pod-to-pod traffic is not masqueraded');
  }
}

function podCidr(found: RuleReader, cidr: string, text: string): void {
  found.podCidr(cidr);
  found.fact(cidr, text);
}

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
      this.stated = undefined;
      return;
    }
    yield* this.visitRules(this.index, (rule, ordinal) => this.learn(rule, ordinal));
    this.stated = undefined;
  }

  /** For the next version re-read from this one (undefined while this one is not complete). */
  shareable(): ShareableAddresses | undefined {
    if (!this.isComplete || this.index.layout === undefined) return undefined;
    if (this.base) return { learned: this.base, replaced: this.replaced, layout: this.index.layout };
    return { learned: this.own, replaced: new Set(), layout: this.index.layout };
  }

  /**
   * while learning: the facts seen so far, per address (dropped once built). An address has one to
   * three facts: comparing texts beats hashing `address + text` for each of 50k facts.
   */
  private stated? = new Map<string, string[]>();

  private learn(rule: Rule, ordinal: number): void {
    const own = this.own;
    const stated = (this.stated ??= new Map());
    learnRule(rule, {
      fact: (address, text) => {
        const key = normalizeAddress(address);
        const texts = stated.get(key);
        if (texts === undefined) stated.set(key, [text]);
        else if (texts.includes(text)) return;
        else texts.push(text);
        addOrdinal(own.facts, key, ordinal);
      },
      use: (address) => {
        // (one address, nearly always: no array made for it)
        if (!address.includes(',')) addOrdinal(own.uses, normalizeAddress(address), ordinal);
        else for (const part of address.split(',')) addOrdinal(own.uses, normalizeAddress(part), ordinal);
      },
      podCidr: (cidr) => addOrdinal(own.podCidrs, normalizeAddress(cidr), ordinal),
    });
  }

  /** The rules of `key` in the base still valid and this version's own, in walk order. */
  private merged(field: keyof Learned, key: string): readonly number[] {
    const own = ordinalsOf(this.own[field].get(key));
    if (!this.base) return own;
    const kept = ordinalsOf(this.base[field].get(key)).filter((o) => !this.replaced.has(o));
    if (!own.length) return kept;
    if (!kept.length) return own;
    return [...kept, ...own].sort((a, b) => a - b);
  }

  /** Pod CIDRs, in the order a whole build meets them first. */
  get podCidrs(): string[] {
    const first = new Map<string, number>();
    for (const learned of this.base ? [this.base, this.own] : [this.own]) {
      for (const cidr of learned.podCidrs.keys()) if (!first.has(cidr)) first.set(cidr, this.merged('podCidrs', cidr)[0] ?? -1);
    }
    return [...first].filter(([, at]) => at >= 0).sort((a, b) => a[1] - b[1]).map(([cidr]) => cidr);
  }

  /** Facts about the address (or network) as written in a rule; includes "inside pod CIDR X". */
  factsAbout(written: string): AddressFact[] {
    this.complete();
    const key = normalizeAddress(written);
    const result: AddressFact[] = [];
    const seen = new Set<string>();
    let sources = this.merged('facts', key);
    // A re-read rule that was the first to state a fact: a later rule that repeats it was left out
    // of the list, so ask every rule that mentions the address (the rules facts come from).
    const base = this.base?.facts.get(key);
    if (base !== undefined && ordinalsOf(base).some((o) => this.replaced.has(o))) {
      sources = [...new Set([...sources, ...this.merged('uses', key)])].sort((a, b) => a - b);
    }
    for (const ordinal of sources) {
      const rule = this.index.ruleByOrdinal(ordinal)!;
      learnRule(rule, {
        fact(address, text) {
          if (normalizeAddress(address) !== key || seen.has(text)) return; // the first rule that says it
          seen.add(text);
          result.push({ text, line: rule.line });
        },
        use() {},
        podCidr() {},
      });
    }
    for (const cidr of this.podCidrs) {
      if (cidr !== key && ipv4Within(key, cidr)) result.push({ text: `inside the pod CIDR ${cidr}`, line: -1 });
    }
    return result;
  }

  /** Lines of the rules that mention the address (as -s/-d or NAT address). */
  usesOf(written: string): number[] {
    this.complete();
    return this.merged('uses', normalizeAddress(written)).map((o) => this.index.ruleByOrdinal(o)!.line);
  }
}
