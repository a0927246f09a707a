// rt match: option table from iptables 1.8.9 (libxt/libipt/libip6t_rt), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchSpec } from '../types';
import { extensionHeaderMatch } from '../ipv6-extension-headers';
import { rt0AddressesProblem, wholeNumber } from '../value-checks';
import { uintRangeProblem } from '../../values';

export const rtMatch: MatchSpec = {
  name: 'rt',
  families: ['ipv6'],
  doc: 'Match on IPv6 routing header',
  evaluate: extensionHeaderMatch('rt', 'the packet starts with an extension header whose successors are not known'),
  validate(match) {
    // libip6t_rt reads the options in order: the type-0 options need `--rt-type 0` (not negated) before them.
    let typeZero = false;
    let addresses = false;
    for (const option of match.options) {
      if (option.name === 'rt-type') typeZero = !option.negated && wholeNumber(option.args[0]?.text ?? '') === 0;
      else if ((option.name === 'rt-0-res' || option.name === 'rt-0-addrs') && !typeZero) return [{ option, message: `\`--rt-type 0' required before \`--${option.name}'` }];
      else if (option.name === 'rt-0-not-strict' && !addresses) return [{ option, message: "`--rt-0-addr ...' required before `--rt-0-not-strict'" }];
      if (option.name === 'rt-0-addrs') addresses = true;
    }
    return [];
  },
  options: [
    {
      name: 'rt-type', arity: 1, negatable: true, value: 'int',
      doc: 'Match the type (numeric)',
    },
    {
      name: 'rt-segsleft', arity: 1, negatable: true, value: 'int-range', check: (text) => uintRangeProblem(text, 0xffffffffn, 'rt', 'rt-segsleft'),
      doc: 'Match the `segments left\' field (range)',
    },
    {
      name: 'rt-len', arity: 1, negatable: true, value: 'int',
      doc: 'Match the length of this header',
    },
    {
      name: 'rt-0-res', arity: 0, negatable: false, value: 'none',
      doc: 'Match the reserved field, too (type=0)',
    },
    {
      name: 'rt-0-addrs', arity: 1, negatable: false, value: 'string', check: rt0AddressesProblem,
      doc: 'Match type=0 addresses (list)',
    },
    {
      name: 'rt-0-not-strict', arity: 0, negatable: false, value: 'none',
      doc: 'List of type=0 addresses is not a strict list',
    },
  ],
};
