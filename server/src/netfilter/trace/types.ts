// What a packet trace returns. This is the `iptables-lens trace --format json` contract and the
// shape the kernel differential suite compares against `xtables-monitor --trace`.

export type StepKind = 'rule' | 'policy' | 'return';

export interface TraceStep {
  /** hook this step happened in (PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING) */
  hook: string;
  table: string;
  chain: string;
  kind: StepKind;
  /** 1-based position of the matched rule inside its chain; null for policy/return */
  rule: number | null;
  /** 1-based line of the rule (or of the chain declaration for a policy) in the file; null when unknown */
  line: number | null;
  /** `JUMP X`, `GOTO X`, `CONTINUE`, `ACCEPT`, `DROP`, `REJECT`, `RETURN`, `QUEUE` … as xtables-monitor prints */
  verdict: string;
  /** packet fields changed by this rule's target (DNAT, SNAT, MASQUERADE, MARK …) */
  rewrite: Record<string, string | number> | null;
  /** human description of the rewrite / decision, e.g. `DNAT 10.96.0.10:53 → 10.244.0.2:53` */
  note?: string;
  /** set when this rule's statistic/undecided match forked the path: what this path assumed */
  branch?: { probability?: number; assumption: string };
}

export interface TracedPacket {
  src: string;
  dst: string;
  proto: string;
  sport?: number;
  dport?: number;
  mark: string;
  ctmark?: string;
  /** the DSCP bits, when not 0 */
  dscp?: number;
  /** the ECN bits (1 ECT(1), 2 ECT(0), 3 CE), when not 0 */
  ecn?: number;
  /** the link-layer packet type, when not unicast */
  pkttype?: string;
  /** the arriving frame's source MAC, when given */
  mac?: string;
  /** TCP options, when given, in the packet line's form (`mss=1460,sack-perm,ts,nop,wscale=7`) */
  tcpOptions?: string;
  /** which ways the packet goes through IPsec, when given (only on the trace's input packet) */
  ipsec?: string;
  /** the payload, when given (in `--hex-string` notation; only on the trace's input packet) */
  payload?: string;
  /** the node itself sends it (only on the trace's input packet) */
  fromLocal?: true;
  inIface?: string;
  outIface?: string;
}

export interface TracePath {
  /** probability of this path; all paths of one trace sum to 1 (undecided forks split evenly and say so) */
  probability: number;
  /** final verdict of the packet: ACCEPT (delivered/forwarded/sent), DROP, REJECT, QUEUE, STOLEN, LOOP */
  verdict: string;
  /** where the packet ended: `delivered locally`, `forwarded via eth0`, `sent`, `dropped in filter FORWARD` … */
  outcome: string;
  assumptions: string[];
  /** the packet as it leaves (after every rewrite) */
  packet: TracedPacket;
  steps: TraceStep[];
}

export interface TraceResult {
  /** the packet as it entered */
  input: TracedPacket;
  /** node facts used (local addresses and where they came from) */
  notes: string[];
  paths: TracePath[];
}
