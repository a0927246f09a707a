// policy match: option table from iptables 1.8.9 (libxt/libipt/libip6t_policy), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse, OptionUse } from '../../model';
import type { MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { ipsecProtocolProblem } from '../value-checks';

export const policyMatch: MatchSpec = {
  name: 'policy',
  doc: 'This module matches the policy used by IPsec for handling a packet',
  evaluate: alwaysUndecided('policy', 'IPsec policy state is unknown', { stable: true }),
  validate: policyFinalCheck,
  options: [
    {
      name: 'dir', arity: 1, negatable: false, value: 'enum', values: ['in', 'out'], valueMatch: 'exact',
      doc: 'Used to select whether to match the policy used for decapsulation or the policy that will be used for encapsulation',
    },
    {
      name: 'pol', arity: 1, negatable: false, value: 'enum', values: ['none', 'ipsec'], valueMatch: 'exact',
      doc: 'Matches if the packet is subject to IPsec processing',
    },
    {
      name: 'strict', arity: 0, negatable: false, value: 'none',
      doc: 'Selects whether to match the exact policy or match if any rule of the policy matches the given policy',
    },
    {
      name: 'reqid', arity: 1, negatable: true, value: 'int',
      doc: 'Matches the reqid of the policy rule',
    },
    {
      name: 'spi', arity: 1, negatable: true, value: 'int',
      doc: 'Matches the SPI of the SA',
    },
    {
      name: 'tunnel-src', arity: 1, negatable: true, value: 'address',
      doc: 'Matches the source end-point address of a tunnel mode SA',
    },
    {
      name: 'tunnel-dst', arity: 1, negatable: true, value: 'address',
      doc: 'Matches the destination end-point address of a tunnel mode SA',
    },
    {
      name: 'proto', arity: 1, negatable: true, value: 'string', check: ipsecProtocolProblem,
      doc: 'Matches the encapsulation protocol',
    },
    {
      name: 'mode', arity: 1, negatable: true, value: 'enum', values: ['tunnel', 'transport'], valueMatch: 'exact',
      doc: 'Matches the encapsulation mode',
    },
    {
      name: 'next', also: ['strict'], arity: 0, negatable: false, value: 'none',
      doc: 'Start the next element of the policy specification (with --strict)',
    },
  ],
};

/** What an element of the policy (its options between `--next`s) must say (one of these). */
const ELEMENT_OPTIONS = ['reqid', 'spi', 'tunnel-src', 'tunnel-dst', 'proto', 'mode'];

/**
 * libxt_policy's final check (policy_check, iptables 1.8.9): `--dir` is needed; `--pol none` takes no
 * `--strict` and no elements; with `--strict` every element says something; tunnel addresses need
 * the element's `--mode tunnel` (or `! --mode transport`): no `--mode` is transport mode.
 */
function policyFinalCheck(match: MatchUse): Array<{ option?: OptionUse; message: string }> {
  const options = match.options;
  const find = (name: string, among: readonly OptionUse[] = options) => among.find((o) => o.name === name);
  if (!find('dir')) return [{ message: 'policy match: neither --dir in nor --dir out specified' }];
  if (options.some((o) => o.name === 'pol' && o.args[0]?.text === 'none')) {
    const strict = find('strict');
    if (strict) return [{ option: strict, message: 'policy match: policy none but --strict given' }];
    const next = find('next');
    return next ? [{ option: next, message: 'policy match: policy none but policy given' }] : [];
  }
  const elements: OptionUse[][] = [[]];
  for (const option of options) {
    if (option.name === 'next') elements.push([]);
    else elements[elements.length - 1].push(option);
  }
  const strict = !!find('strict');
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i];
    if (strict && !element.some((o) => ELEMENT_OPTIONS.includes(o.name))) {
      return [{ message: `policy match: empty policy element ${i}. --strict is in effect, but at least one of reqid, spi, tunnel-src, tunnel-dst, proto or mode is required.` }];
    }
    const address = find('tunnel-src', element) ?? find('tunnel-dst', element);
    const mode = find('mode', element);
    const tunnelMode = mode !== undefined && (mode.args[0]?.text === 'tunnel') !== mode.negated;
    if (address && !tunnelMode) return [{ option: address, message: 'policy match: --tunnel-src/--tunnel-dst is only valid in tunnel mode' }];
  }
  return [];
}
