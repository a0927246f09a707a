// Reads an iptables-save dump as plain text (no engine parser) and, for every hashed kube chain
// (KUBE-SVC/SVL/EXT/FW/XLB/SEP), collects what the dump says about it: the service port name from
// rule comments, the protocol from `-p`, and for KUBE-SEP the endpoint from `--to-destination`
// or from a "ns/svc:port -> ip:port" branch comment. Tests then recompute the hash from those facts.
import { parseKubeChainName, servicePortNameFromComment } from '../../server/src/netfilter/kube/hash';

export interface KubeChainFacts {
  table: string;
  chain: string;
  servicePortName?: string;
  protocol?: string;
  endpoint?: string;
  /** evidence that disagrees with what was collected first (a dump that contradicts itself) */
  conflicts: string[];
}

const COMMENT = /--comment (?:"((?:[^"\\]|\\.)*)"|(\S+))/;
const PROTOCOL = /(?:^|\s)-p (\S+)/;
const TARGET = /\s-j (\S+)/;
const TO_DESTINATION = /--to-destination (\S+)/;

export function extractKubeChainFacts(dumpText: string): KubeChainFacts[] {
  const facts = new Map<string, KubeChainFacts>();
  let table = '';
  const factsFor = (chain: string): KubeChainFacts => {
    const key = `${table} ${chain}`;
    let entry = facts.get(key);
    if (!entry) facts.set(key, (entry = { table, chain, conflicts: [] }));
    return entry;
  };
  const note = (entry: KubeChainFacts, field: 'servicePortName' | 'protocol' | 'endpoint', value: string | undefined): void => {
    if (value === undefined) return;
    const current = entry[field];
    if (current === undefined) entry[field] = value;
    else if (current !== value) entry.conflicts.push(`${field}: ${current} vs ${value}`);
  };

  for (const line of dumpText.split('\n')) {
    if (line.startsWith('*')) { table = line.slice(1).trim(); continue; }
    if (line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0];
      if (parseKubeChainName(chain)) factsFor(chain);
      continue;
    }
    if (!line.startsWith('-A ')) continue;
    const chain = line.split(' ')[1];
    const commentMatch = COMMENT.exec(line);
    const subject = commentMatch ? servicePortNameFromComment(commentMatch[1] ?? commentMatch[2]) : undefined;
    const protocol = PROTOCOL.exec(line)?.[1];
    const target = TARGET.exec(line)?.[1];

    const own = parseKubeChainName(chain);
    if (own) {
      const entry = factsFor(chain);
      // A "svc -> endpoint" comment in a KUBE-SVC chain is about the branch's target, not this chain.
      note(entry, 'servicePortName', subject?.servicePortName);
      note(entry, 'protocol', protocol);
      if (own.kind === 'endpoint') note(entry, 'endpoint', TO_DESTINATION.exec(line)?.[1]);
    }
    const jumped = target ? parseKubeChainName(target) : undefined;
    if (target && jumped) {
      const entry = factsFor(target);
      note(entry, 'servicePortName', subject?.servicePortName);
      note(entry, 'protocol', protocol);
      if (jumped.kind === 'endpoint') note(entry, 'endpoint', subject?.endpoint);
    }
  }
  // KUBE-SVC/SVL/EXT/FW of one service port share the hash, so they share name and protocol:
  // a KUBE-SVL chain (reached by a bare `-j`, holding only branches) learns its protocol this way.
  const byHash = new Map<string, KubeChainFacts[]>();
  for (const entry of facts.values()) {
    const parsed = parseKubeChainName(entry.chain)!;
    if (parsed.kind === 'endpoint') continue;
    const key = `${entry.table} ${parsed.hash}`;
    byHash.set(key, [...(byHash.get(key) ?? []), entry]);
  }
  for (const siblings of byHash.values()) {
    for (const entry of siblings) {
      for (const sibling of siblings) {
        if (entry.servicePortName === undefined && sibling.servicePortName !== undefined) entry.servicePortName = sibling.servicePortName;
        if (entry.protocol === undefined && sibling.protocol !== undefined) entry.protocol = sibling.protocol;
      }
    }
  }
  return [...facts.values()];
}
