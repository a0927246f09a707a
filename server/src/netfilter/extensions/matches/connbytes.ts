// connbytes match: option table from iptables 1.8.9 (libxt/libipt/libip6t_connbytes), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
//
// The counters are the connection's (conntrack accounting, switched on by the rule itself when it is
// loaded). The first packet of a connection is known to them: conntrack counted it (1 packet, its
// length in bytes, original direction) before any table but raw saw it. Later packets' counters are
// not: those stay undecided. No connection (raw, before conntrack; INVALID; UNTRACKED): no match.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { assumedFact, matchText, stableMatchFact, undecided } from '../common';
import type { ValueProblem } from '../../values';

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
      name: 'connbytes-dir', arity: 1, negatable: false, value: 'enum', values: ['original', 'reply', 'both'], required: true,
      doc: 'Which packets to consider',
    },
    {
      name: 'connbytes-mode', arity: 1, negatable: false, value: 'enum', values: ['packets', 'bytes', 'avgpkt'], required: true,
      doc: 'Whether to check the amount of packets, number of bytes transferred or the average size (in bytes) of all packets received so far',
    },
  ],
};

/** strtoull(base 0) as xtables_strtoul reads it: white space, `+`, 0x hex, 0 octal, decimal; no `-`. */
function readUint64(text: string, at: number): { value: bigint; end: number } | undefined {
  const m = /^[ \t\n\v\f\r]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text.slice(at));
  if (!m) return undefined;
  const digits = m[1];
  const value = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits[0] === '0' ? BigInt('0o' + digits.slice(1)) : BigInt(digits);
  return { value, end: at + m[0].length };
}

/**
 * `FROM[:TO]` as libxtables' xtopt_parse_mint reads an XTTYPE_UINT64RC (an empty FROM is 0, an
 * empty or missing TO is 2^64 − 1), then libxt_connbytes' own check; iptables' messages.
 */
export function readConnbytesRange(text: string): { from: bigint; to: bigint } | { error: string } {
  const values: bigint[] = [];
  for (let at = 0; ; ) {
    if (values.length === 2) return { error: 'connbytes: Too many components for option "--connbytes" (max: 2)' };
    let end = at;
    let value: bigint;
    if (at >= text.length || text[at] === ':') value = values.length === 1 ? UINT64_MAX : 0n;
    else {
      const read = readUint64(text, at);
      if (!read || read.value > UINT64_MAX) return { error: `connbytes: bad value for option "--connbytes" near "${text.slice(at)}", or out of range (0-${UINT64_MAX}).` };
      end = read.end;
      if (end < text.length && text[end] !== ':') return { error: `connbytes: Argument to "--connbytes" has unexpected characters near "${text.slice(end)}".` };
      value = read.value;
    }
    values.push(value);
    if (end >= text.length) break;
    at = end + 1;
  }
  const from = values[0];
  const to = values.length === 2 ? values[1] : UINT64_MAX;
  if (to < from) return { error: `${from} should be less than ${to}` };
  return { from, to };
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
  // No connection, no counters (xt_connbytes: no conntrack entry or no accounting → false).
  if (ctx.position.table === 'raw' || p.ctstate === 'INVALID' || p.ctstate === 'UNTRACKED') return false;
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
