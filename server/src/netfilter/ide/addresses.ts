// What the dump knows about an address: ClusterIP / external IP / load-balancer IP of a service
// (KUBE-SERVICES comments), endpoint of a service (KUBE-SEP DNAT), API server endpoint, pod CIDR
// (kube-proxy's `! -s CIDR … -j KUBE-MARK-MASQ`, kind-masq-agent, flannel), DNAT/SNAT rewrites.
// Built once per document on the first address hover. Pure.

import type { Rule } from '../model';
import { servicePortNameFromComment } from '../kube/hash';
import { optionArg, targetOptionArg } from '../kube/chains';
import { optionText } from '../parser';
import { SlicedIndex, type DocumentIndex } from './document-index';

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

export class AddressIndex extends SlicedIndex {
  private readonly facts = new Map<string, AddressFact[]>();
  /** address → lines of the rules that mention it in -s/-d/--to-* (for the "used in" count) */
  private readonly uses = new Map<string, number[]>();
  readonly podCidrs = new Set<string>();

  constructor(private readonly index: DocumentIndex) {
    super();
  }

  protected *build(): Generator<void, void> {
    yield* this.visitRules(this.index, (table, rule) => this.learn(table.name, rule));
  }

  private add(address: string, text: string, line: number): void {
    const key = normalizeAddress(address);
    const list = this.facts.get(key);
    if (list) {
      if (!list.some((f) => f.text === text)) list.push({ text, line });
    } else this.facts.set(key, [{ text, line }]);
  }

  private use(address: string, line: number): void {
    for (const part of address.split(',')) {
      const key = normalizeAddress(part);
      const list = this.uses.get(key);
      if (list) {
        if (list[list.length - 1] !== line) list.push(line);
      } else this.uses.set(key, [line]);
    }
  }

  private learn(table: string, rule: Rule): void {
    const source = genericOption(rule, 'source');
    const destination = genericOption(rule, 'destination');
    const target = rule.target;
    const comment = optionArg(rule, 'comment', 'comment');
    if (source?.args[0]) this.use(source.args[0].text, rule.line);
    if (destination?.args[0]) this.use(destination.args[0].text, rule.line);
    // (read from the line: the options of 30k DNAT targets are not built for this)
    const dnat = target?.name === 'DNAT' ? targetOptionArg(rule, 'to-destination') : undefined;
    const snat = target?.name === 'SNAT' ? targetOptionArg(rule, 'to-source') : undefined;
    if (dnat) this.use(dnat, rule.line);
    if (snat) this.use(snat, rule.line);

    // Service IPs: `-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "ns/svc:dns cluster IP" --dport 53`
    const serviceIp = comment && /^(\S+) (cluster IP|external IP|loadbalancer IP)$/.exec(comment);
    if (serviceIp && destination?.args[0] && !destination.negated && table === 'nat') {
      const proto = genericOption(rule, 'protocol')?.args[0]?.text;
      const port = optionArg(rule, 'dport');
      const kind = serviceIp[2] === 'cluster IP' ? 'ClusterIP' : serviceIp[2] === 'external IP' ? 'external IP' : 'load-balancer IP';
      this.add(destination.args[0].text, `${kind} of service \`${serviceIp[1]}\`${port ? ` (${port}/${proto ?? '?'})` : ''}`, rule.line);
    }
    // Endpoints: KUBE-SEP DNAT
    if (dnat && rule.chain.startsWith('KUBE-SEP-')) {
      const subject = comment ? servicePortNameFromComment(comment) : undefined;
      const name = subject?.servicePortName;
      this.add(dnat, `endpoint \`${dnat}\` of service \`${name ?? '?'}\` (${rule.chain})`, rule.line);
      if (name === 'default/kubernetes:https' || name === 'default/kubernetes') {
        this.add(dnat, 'Kubernetes API server endpoint (a control-plane node address)', rule.line);
      }
    } else if (dnat) {
      const to = destination?.args[0] ? `${destination.args[0].text} → ${dnat}` : `→ ${dnat}`;
      if (destination?.args[0] && !destination.negated) this.add(destination.args[0].text, `DNATed ${to} in ${rule.chain}`, rule.line);
      this.add(dnat, `DNAT destination (${to}) in ${rule.chain}`, rule.line);
    }
    if (snat && source?.args[0] && !source.negated) this.add(source.args[0].text, `SNATed to ${snat} in ${rule.chain}`, rule.line);
    // Pod CIDR: kube-proxy `! -s CIDR … -j KUBE-MARK-MASQ` (--cluster-cidr), kind-masq-agent, flannel.
    if (source?.negated && source.args[0]?.text.includes('/') && target?.name === 'KUBE-MARK-MASQ') {
      this.addPodCidr(source.args[0].text, 'pod CIDR (kube-proxy `--cluster-cidr`): traffic to a service from outside it is masqueraded', rule.line);
    }
    if (rule.chain === 'KIND-MASQ-AGENT' && destination?.args[0] && target?.name === 'RETURN') {
      this.addPodCidr(destination.args[0].text, 'pod CIDR (kind-masq-agent): traffic to it is not masqueraded', rule.line);
    }
    if (rule.chain.startsWith('FLANNEL-') && source?.args[0] && destination?.args[0] && source.args[0].text === destination.args[0].text && !source.negated && !destination.negated) {
      this.addPodCidr(source.args[0].text, 'pod network (flannel): pod-to-pod traffic is not masqueraded', rule.line);
    }
  }

  private addPodCidr(cidr: string, text: string, line: number): void {
    this.podCidrs.add(normalizeAddress(cidr));
    this.add(cidr, text, line);
  }

  /** Facts about the address (or network) as written in a rule; includes "inside pod CIDR X". */
  factsAbout(written: string): AddressFact[] {
    const key = normalizeAddress(written);
    const result = [...(this.facts.get(key) ?? [])];
    for (const cidr of this.podCidrs) {
      if (cidr !== key && ipv4Within(key, cidr)) result.push({ text: `inside the pod CIDR ${cidr}`, line: -1 });
    }
    return result;
  }

  /** Lines of the rules that mention the address (as -s/-d or NAT address). */
  usesOf(written: string): number[] {
    return this.uses.get(normalizeAddress(written)) ?? [];
  }
}
