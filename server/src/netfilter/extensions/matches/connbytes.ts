// connbytes match: option table from iptables 1.8.9 (libxt/libipt/libip6t_connbytes), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
//
// The counters are the connection's (conntrack accounting, switched on by the rule itself when it is
// loaded). The first packet of a connection is known to them: conntrack counted it (1 packet, its
// length in bytes, original direction) before any table but raw saw it. Later packets' counters are
// not: those stay undecided. No connection (raw, before conntrack; INVALID; UNTRACKED; a CT template):
// no match — but a packet coming back in through lo has its entry from OUTPUT in raw too.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { assumedFact, matchText, stableMatchFact, undecided } from '../common';
import { readUintRange, type ValueProblem } from '../../values';

const UINT64_MAX = 0xffffffffffffffffn;

export const connbytesMatch: MatchSpec = {
  name: 'connbytes',
  doc: 'Match by how many bytes or packets a connection (or one of the two flows constituting the connection) has transferred so far, or by average bytes per packet',
  evaluate: evaluateConnbytes,
  options: [
    {
      name: 'connbytes', arity: 1, negatable: true, value: 'int-range', required: true,
      check: (text) => problemOf(readConnbytesRange(text)),
      doc: 'Match packets from a connection whose packets/bytes/average packet size is more than FROM and less than TO bytes/packets',
    },
    {
      name: 'connbytes-dir', arity: 1, negatable: false, value: 'enum', values: ['original', 'reply', 'both'], valueMatch: 'exact', required: true,
      doc: 'Which packets to consider',
    },
    {
      name: 'connbytes-mode', arity: 1, negatable: false, value: 'enum', values: ['packets', 'bytes', 'avgpkt'], valueMatch: 'exact', required: true,
      doc: 'Whether to check the amount of packets, number of bytes transferred or the average size (in bytes) of all packets received so far',
    },
  ],
};

/**
 * `FROM[:TO]` as libxtables reads an XTTYPE_UINT64RC (an empty FROM is 0, an empty or missing TO is
 * 2^64 − 1), then libxt_connbytes' own check; iptables' messages.
 */
export function readConnbytesRange(text: string): { from: bigint; to: bigint } | { error: string } {
  const range = readUintRange(text, UINT64_MAX, 'connbytes', 'connbytes');
  if ('error' in range) return range;
  if (range.to < range.from) return { error: `${range.from} should be less than ${range.to}` };
  return range;
}

function problemOf(range: ReturnType<typeof readConnbytesRange>): ValueProblem | undefined {
  return 'error' in range ? { severity: 'error', message: range.error } : undefined;
}

function evaluateConnbytes(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const option = (name: string) => match.options.find((o) => o.name === name);
  const count = option('connbytes');
  const range = readConnbytesRange(count?.args[0]?.text ?? '');
  const direction = option('connbytes-dir')?.args[0]?.text.toLowerCase();
  const mode = option('connbytes-mode')?.args[0]?.text.toLowerCase();
  const text = matchText('connbytes', match.options);
  if (!count || 'error' in range || !direction || !mode) return undecided(`assumed ${text} matches (the match is incomplete)`);
  const p = ctx.packet;
  // No connection, no counters (xt_connbytes: no conntrack entry or no accounting → false): raw
  // before conntrack (the trace shows INVALID there), UNTRACKED, a CT template (no accounting). A
  // packet coming back in through lo reaches raw with the entry it got in OUTPUT, counted there
  // (campaign seed 1120103: `--connbytes :59 --connbytes-dir reply` matches in raw PREROUTING).
  if (p.ctTemplate || p.ctstate === 'INVALID' || p.ctstate === 'UNTRACKED') return false;
  if (p.ctstate !== 'NEW') {
    const fact = stableMatchFact(text, p);
    return assumedFact(p, fact) ?? undecided(`assumed ${text} matches (the counters of an ${p.ctstate.toLowerCase()} connection are not known)`, { fact: { key: fact, ifMatches: true } });
  }
  // The first packet: counted once, in the original direction.
  const original = { packets: 1n, bytes: BigInt(p.length) };
  const reply = { packets: 0n, bytes: 0n };
  const counters = direction === 'original' ? original : direction === 'reply' ? reply : { packets: original.packets + reply.packets, bytes: original.bytes + reply.bytes };
  const what = mode === 'packets' ? counters.packets : mode === 'bytes' ? counters.bytes : counters.packets === 0n ? 0n : counters.bytes / counters.packets;
  // `!` swaps FROM and TO (libxt_connbytes); the kernel reads TO < FROM as "outside". So `! --connbytes
  // 5:5` is `--connbytes 5:5`, as iptables-save shows it.
  const [from, to] = count.negated ? [range.to, range.from] : [range.from, range.to];
  return to >= from ? what >= from && what <= to : what < to || what > from;
}
