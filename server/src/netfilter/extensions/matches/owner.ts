// owner match: option table from iptables 1.8.9 (libxt/libipt/libip6t_owner), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { assumedFact, matchText, stableMatchFact, undecided } from '../common';

export const ownerMatch: MatchSpec = {
  name: 'owner',
  // where the kernel loads it (xt_owner .hooks; checked by loading in a netns: test/kernel/oracle.test.ts, match placement)
  hooks: ['OUTPUT', 'POSTROUTING'],
  needsOneOf: [{ options: ['uid-owner', 'gid-owner', 'socket-exists'], message: 'owner: At least one of --uid-owner, --gid-owner or --socket-exists is required' }],
  doc: 'This module attempts to match various characteristics of the packet creator, for locally generated packets',
  evaluate: evaluateOwner,
  options: [
    {
      name: 'uid-owner', arity: 1, negatable: true, value: 'string',
      doc: 'Match if the sending socket belongs to the user (name, uid or uid range); locally generated packets only',
    },
    {
      name: 'gid-owner', arity: 1, negatable: true, value: 'string',
      doc: 'Match if the sending socket belongs to the group (name, gid or gid range); locally generated packets only',
    },
    {
      name: 'socket-exists', arity: 0, negatable: true, value: 'none',
      doc: 'Matches if the packet is associated with a socket',
    },
    {
      name: 'suppl-groups', alsoBefore: ['gid-owner'], arity: 0, negatable: false, value: 'none',
      doc: 'Causes group(s) specified with --gid-owner to be also checked in the supplementary groups of a process',
    },
  ],
};

/**
 * Packets without a local socket (received or forwarded): xt_owner returns true only when every
 * option is negated ((match ^ invert) == 0). Locally sent packets depend on the sending process.
 */
function evaluateOwner(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const criteria = match.options.filter((o) => o.name !== 'suppl-groups');
  if (!ctx.packet.fromLocal) return criteria.every((o) => o.negated);
  // The sending process is the same for every rule the packet meets: a path keeps what it assumed.
  const text = matchText('owner', match.options);
  const fact = stableMatchFact(text, ctx.packet);
  return assumedFact(ctx.packet, fact) ?? undecided(`assumed ${text} matches (the sending process is unknown)`, { fact: { key: fact, ifMatches: true } });
}
