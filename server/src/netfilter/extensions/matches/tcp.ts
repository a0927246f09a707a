// tcp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_tcp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse, OptionUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { assumedFact, mergedNegatedPorts, evaluateOptions, inRange, loadedPortOptions, negatedProtocolMatch, nftTranslatesPortMatch, optionText, parseNumber, parsePort, parsePortRange, undecided } from '../common';
import { hasTcpOption } from '../../tcp-options';

export const tcpMatch: MatchSpec = {
  name: 'tcp',
  // (libxt_tcp: "Only one of `--syn' or `--tcp-flags' allowed")
  conflicts: [['syn', 'tcp-flags']],
  doc: 'TCP header match: ports, flags, options (loaded by -p tcp)',
  evaluate: evaluateTcp,
  options: [
    {
      name: 'sport', aliases: ['source-port'], arity: 1, negatable: true, value: 'port-range',
      doc: 'Source port or port range specification',
    },
    {
      name: 'dport', aliases: ['destination-port'], arity: 1, negatable: true, value: 'port-range',
      doc: 'Destination port or port range specification',
    },
    {
      name: 'syn', arity: 0, negatable: true, value: 'none',
      doc: 'Only match TCP packets with the SYN bit set and the ACK,RST and FIN bits cleared',
    },
    {
      name: 'tcp-flags', arity: 2, negatable: true, value: 'flags', strtokList: { separators: ',' }, values: ['SYN', 'ACK', 'FIN', 'RST', 'URG', 'PSH', 'ALL', 'NONE'],
      doc: 'MASK COMP: the flags listed in MASK must be set exactly as listed in COMP, the others are not looked at (`SYN,ACK SYN`: SYN set, ACK clear). A flag in COMP but not in MASK never matches; a MASK of NONE is no test for iptables-nft but matches nothing (COMP other than NONE) for iptables-legacy',
    },
    {
      name: 'tcp-option', arity: 1, negatable: true, value: 'int', range: [1, 255], rangeMessage: (text) => `Bad TCP option "${text}"`,
      doc: 'Match if TCP option set',
    },
  ],
};

/** Flag words of --tcp-flags; ALL is the six classic flags, as in libxt_tcp. */
const TCP_FLAG_WORDS: Record<string, string[]> = {
  FIN: ['FIN'], SYN: ['SYN'], RST: ['RST'], PSH: ['PSH'], ACK: ['ACK'], URG: ['URG'],
  ALL: ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'], NONE: [],
};
Object.setPrototypeOf(TCP_FLAG_WORDS, null); // keys come from dumps: `constructor` must not find Object's

function flagList(text: string): string[] {
  return text.split(',').flatMap((word) => TCP_FLAG_WORDS[word.toUpperCase()] ?? []);
}

/**
 * (flags & mask) == comp, the kernel's tcp_mt test. A flag of comp outside mask can never be equal:
 * `--tcp-flags SYN SYN,ACK` matches no packet (libxt_tcp does not mask comp).
 */
export function tcpFlagsMatch(packetFlags: string[] | undefined, mask: string, comp: string): boolean | undefined {
  if (!packetFlags) return undefined;
  const set = new Set(packetFlags.map((f) => f.toUpperCase()));
  const masked = new Set(flagList(mask));
  const wanted = new Set(flagList(comp));
  for (const flag of wanted) if (!masked.has(flag)) return false;
  for (const flag of masked) if (set.has(flag) !== wanted.has(flag)) return false;
  return true;
}

function evaluateTcp(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const p = ctx.packet;
  const options = loadedPortOptions(match, ctx, parsePort);
  if (options.length === 0 && match.options.length > 0) return true; // (iptables-nft 1.8.9 loads no test at all)
  // kernel tcp_mt: non-TCP packets and non-first fragments never match, whatever the `!`s say
  if (p.proto !== 6 && ctx.rule?.criteria?.protocol?.negated) return negatedProtocolMatch('tcp', { options }, ctx);
  if (p.proto !== 6 || p.fragment) return false;
  const merged = mergedNegatedPorts({ options }, ctx);
  if (merged && !merged.outcome) return false;
  return evaluateOptions(
    merged ? merged.rest : options,
    (option) => {
      switch (option.name) {
        case 'sport': return inRange(p.sport, parsePortRange(option.args[0]?.text ?? ''));
        case 'dport': return inRange(p.dport, parsePortRange(option.args[0]?.text ?? ''));
        case 'syn': {
          const result = tcpFlagsMatch(p.tcpFlags, 'SYN,RST,ACK,FIN', 'SYN');
          return result ?? undecided('assumed the packet is a SYN (its TCP flags are not given)', { negated: 'assumed the packet is not a SYN (its TCP flags are not given)' });
        }
        case 'tcp-flags': {
          if (flagList(option.args[0]?.text ?? '').length === 0) return emptyMaskFlagTest(option, ctx, nftTranslatesPortMatch(match));
          const result = tcpFlagsMatch(p.tcpFlags, option.args[0]?.text ?? '', option.args[1]?.text ?? '');
          return result ?? undecided(`assumed TCP flags match ${optionText(option)} (flags not given)`, { negated: `assumed TCP flags do not match ${optionText(option)} (flags not given)` });
        }
        case 'tcp-option': {
          // (tcp_find_option walks the options the packet line gave: kinds and lengths are known)
          const found = p.tcpOptions ? hasTcpOption(p.tcpOptions, parseNumber(option.args[0]?.text ?? '') ?? -1) : undefined;
          return found ?? undecided(`assumed the packet carries TCP option ${option.args[0]?.text}`, { negated: `assumed the packet does not carry TCP option ${option.args[0]?.text}` });
        }
        default: return undefined;
      }
    },
    (option) => `-m tcp ${optionText(option)}`,
  );
}

/**
 * `--tcp-flags MASK COMP` whose MASK has no flag (`NONE`, `""`), before its `!` (evaluateOptions
 * applies it). iptables-nft 1.8.9 loads no flag test at all, `!` included: every TCP packet matches.
 * x_tables (iptables-legacy) compares (flags & 0) == COMP: true only when COMP has no flag either.
 * Measured (`nft list`, test/kernel/dumps/tcp-flags.rules). The dump's saver tells which loaded it;
 * when it does not say and the two differ, the trace forks on it.
 */
function emptyMaskFlagTest(option: OptionUse, ctx: EvalContext, translated: boolean): MatchOutcome {
  const nft = !option.negated; // (so that the `!` gives true)
  const legacy = flagList(option.args[1]?.text ?? '').length === 0;
  if (nft === legacy || !translated) return legacy; // (not translated: the xtables match, as legacy)
  const backend = ctx.node.savedBy?.backend;
  if (backend === 'nf_tables') return nft;
  if (backend === 'legacy') return legacy;
  // One question for the whole path: the rules were all loaded by the same iptables.
  const loadedByNft = assumedFact(ctx.packet, LOADED_BY_IPTABLES_NFT);
  if (loadedByNft !== undefined) return loadedByNft ? nft : legacy;
  const [mask, comp] = [option.args[0]?.text || '""', option.args[1]?.text || '""'];
  const why = `${option.negated ? '! ' : ''}--tcp-flags ${mask} ${comp} has no flag in its mask: iptables-nft leaves the flag test out, iptables-legacy compares (flags & 0) with ${comp}`;
  const loadedBy = (loader: string) => `assumed the rules were loaded by ${loader} (${why})`;
  return undecided(loadedBy(nft ? 'iptables-nft' : 'iptables-legacy'), { negated: loadedBy(nft ? 'iptables-legacy' : 'iptables-nft'), fact: { key: LOADED_BY_IPTABLES_NFT, ifMatches: nft } });
}
const LOADED_BY_IPTABLES_NFT = 'loaded by iptables-nft';
