// Every diagnostic code the analyses emit, with its severity and meaning: the source of SARIF
// rule metadata and of the README's code table. Codes are stable: never rename one.

import type { Severity } from '../model';

export interface AnalysisCode {
  code: string;
  severity: Severity;
  description: string;
}

export const ANALYSIS_CODES: readonly AnalysisCode[] = [
  { code: 'reach/unreachable', severity: 'warning', description: 'Rule after an earlier rule of the same chain that decides every packet (unconditional ACCEPT/DROP/REJECT/RETURN/-g/NAT or jump to a chain that always ends in a verdict).' },
  { code: 'reach/shadowed', severity: 'warning', description: 'Every packet the rule matches is already decided by one earlier terminal rule of the same chain, so the rule never matches.' },
  { code: 'reach/never-matches', severity: 'warning', description: 'No packet satisfies the rule\'s own matches together (`-s 10.0.0.0/8 -m iprange --src-range 192.168.0.1-192.168.0.9`, `--dport 80 -m multiport --dports 443`, `-m mark --mark 0x5/0x1`, `! -s 0.0.0.0/0`, `-f` with a port match …), so it never matches.' },
  { code: 'reach/martian-source', severity: 'warning', description: 'A rule reached only from INPUT that asks for a multicast source (or 255.255.255.255): routing drops a packet from such a source before INPUT (IPv4: a martian; IPv6: on arrival), so it never matches. Usually `-s` written for `-d`.' },
  { code: 'graph/loop', severity: 'error', description: 'Jumps/gotos form a cycle reachable from a built-in chain; the kernel refuses the ruleset.' },
  { code: 'graph/too-deep', severity: 'warning', description: 'A user chain more than 15 jumps/gotos below a built-in chain: iptables-nft refuses it ("Too many links"), iptables-legacy accepts it.' },
  { code: 'graph/unused-chain', severity: 'information', description: 'User chain that no rule jumps or goes to; its rules are never evaluated.' },
  { code: 'graph/empty-chain-jump', severity: 'hint', description: 'Jump or goto to a chain that has no rules.' },
  { code: 'place/target-table', severity: 'error', description: 'Target used in a table where the kernel does not allow it (e.g. DNAT outside nat, NOTRACK/CT outside raw, REJECT outside filter).' },
  { code: 'place/match-family', severity: 'error', description: 'Match value the kernel refuses for the family when it loads the rule (IPv6 addrtype BROADCAST, BLACKHOLE, PROHIBIT, THROW, NAT, XRESOLVE).' },
  { code: 'place/match-protocol', severity: 'error', description: 'A match that needs its protocol named with -p (sctp, dccp, icmp, icmp6) on a rule without it: the kernel refuses the rule when it loads it; iptables-restore --test accepts it.' },
  { code: 'place/match-value', severity: 'error', description: 'Match value the kernel refuses when it loads the rule (a u32 shift by 32 or more, a string --from past its --to, a hashlimit name shared by rules that differ in --hashlimit-rate-match); iptables-restore --test accepts it.' },
  { code: 'place/match-table', severity: 'error', description: 'A match in a table where the kernel refuses it when it loads the rule (rpfilter outside raw and mangle); iptables-restore --test accepts it.' },
  { code: 'place/match-hook', severity: 'error', description: 'A match in a chain reached from a hook where the kernel refuses it when it loads the rule (owner outside OUTPUT/POSTROUTING, mac outside PREROUTING/INPUT/FORWARD, policy --dir out in INPUT …).' },
  { code: 'place/match-hook-legacy', severity: 'warning', description: 'A match in a user chain reached from a hook where iptables-legacy refuses it and iptables-nft loads it (policy --dir, addrtype --limit-iface-*, physdev --physdev-out, devgroup: iptables-nft checks these only in built-in chains), in a dump whose header does not say which one loads it; under an iptables-legacy header this is place/match-hook.' },
  { code: 'place/target-hook', severity: 'error', description: 'Target in a chain reached from a hook the kernel does not allow it in (e.g. MASQUERADE outside POSTROUTING, DNAT outside PREROUTING/OUTPUT).' },
  { code: 'kube/not-last', severity: 'warning', description: 'The kube-proxy rule commented "this must be the last rule in this chain" is not the last rule of its chain.' },
  { code: 'kube/unequal-shares', severity: 'warning', description: 'The statistic probabilities of a KUBE-SVC/KUBE-SVL chain do not give every endpoint an equal share.' },
  { code: 'kube/sep-without-dnat', severity: 'warning', description: 'A KUBE-SEP endpoint chain without its DNAT rule.' },
  { code: 'kube/hash-mismatch', severity: 'information', description: "A hashed kube-proxy chain name that does not recompute from the service named in its rules' comments." },
  { code: 'internal/analysis', severity: 'error', description: 'An analysis failed on this input (a bug in iptables-lens; please report it).' },
];
