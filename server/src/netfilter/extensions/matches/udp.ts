// udp match: option table from iptables 1.8.9 (libxt/libipt/libip6t_udp), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { mergedNegatedPorts, evaluateOptions, inRange, loadedPortOptions, negatedProtocolMatch, optionText, parseServicePort, parseServicePortRange } from '../common';

export const udpMatch: MatchSpec = {
  name: 'udp',
  doc: 'UDP header match: ports (loaded by -p udp)',
  evaluate: evaluateUdp,
  options: [
    {
      name: 'sport', aliases: ['source-port'], arity: 1, negatable: true, value: 'port-range',
      doc: 'Source port or port range specification',
    },
    {
      name: 'dport', aliases: ['destination-port'], arity: 1, negatable: true, value: 'port-range',
      doc: 'Destination port or port range specification',
    },
  ],
};

function evaluateUdp(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const p = ctx.packet;
  const options = loadedPortOptions(match, ctx, parseServicePort);
  if (options.length === 0 && match.options.length > 0) return true; // (iptables-nft 1.8.9 loads no test at all)
  // kernel udp_mt: non-UDP packets and non-first fragments never match
  if (p.proto !== 17 && ctx.rule?.criteria?.protocol?.negated) return negatedProtocolMatch('udp', { options }, ctx);
  if (p.proto !== 17 || p.fragment) return false;
  const merged = mergedNegatedPorts({ options }, ctx, parseServicePort);
  if (merged && !merged.outcome) return false;
  return evaluateOptions(
    merged ? merged.rest : options,
    (option) => {
      if (option.name === 'sport') return inRange(p.sport, parseServicePortRange(option.args[0]?.text ?? ''));
      if (option.name === 'dport') return inRange(p.dport, parseServicePortRange(option.args[0]?.text ?? ''));
      return undefined;
    },
    (option) => `-m udp ${optionText(option)}`,
  );
}
