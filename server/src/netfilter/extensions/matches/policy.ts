// policy match: option table from iptables 1.8.9 (libxt/libipt/libip6t_policy), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { MatchUse, OptionUse } from '../../model';
import type { EvalContext, MatchOutcome, MatchSpec } from '../types';
import { alwaysUndecided } from '../common';
import { ipsecProtocolProblem } from '../value-checks';

export const policyMatch: MatchSpec = {
  name: 'policy',
  doc: 'This module matches the policy used by IPsec for handling a packet',
  evaluate: evaluatePolicy,
  validate: policyFinalCheck,
  refusedHooks: policyRefusedHooks,
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

/**
 * xt_policy's checkentry (policy_mt_check): the policy used for encapsulation is only known after
 * routing, the one used for decapsulation only before a packet leaves (loaded in a netns:
 * test/kernel/oracle.test.ts, match placement).
 */
function policyRefusedHooks(match: MatchUse): ReturnType<NonNullable<MatchSpec['refusedHooks']>> {
  const dir = match.options.find((o) => o.name === 'dir');
  const value = dir?.args[0]?.text;
  if (!dir || (value !== 'in' && value !== 'out')) return [];
  return value === 'out'
    ? [{ option: dir, hooks: ['PREROUTING', 'INPUT'], reason: 'output policy not valid in PREROUTING and INPUT' }]
    : [{ option: dir, hooks: ['POSTROUTING', 'OUTPUT'], reason: 'input policy not valid in POSTROUTING and OUTPUT' }];
}

const unknownPolicy = alwaysUndecided('policy', "whether the packet goes through IPsec is unknown; the packet line's `ipsec` clause says it", { stable: true });
const noRouteYet = alwaysUndecided('policy', 'before routing the packet has no route whose IPsec policy --dir out could read', { stable: true });
const unknownSAs = alwaysUndecided('policy', 'the IPsec SAs the packet goes through are unknown', { stable: true });

/**
 * xt_policy (policy_mt): a packet that is not subject to IPsec in the match's direction (no sec_path
 * on arrival for `--dir in`, no xfrm bundle on its route for `--dir out`) matches exactly `--pol
 * none`; one that is never matches `--pol none`, and matches an element without options (a plain
 * `--pol ipsec`) whatever its SAs. Elements that name SA details (reqid, spi, tunnel ends, proto,
 * mode) compare SAs the trace does not know: undecided.
 */
function evaluatePolicy(match: MatchUse, ctx: EvalContext): MatchOutcome {
  const ipsec = ctx.packet.ipsec;
  const dir = match.options.find((o) => o.name === 'dir')?.args[0]?.text;
  if (!ipsec || (dir !== 'in' && dir !== 'out')) return unknownPolicy(match, ctx);
  // Before routing a packet has no route to read (the kernel refuses `--dir out` there, but for a
  // user chain iptables-nft loads): left undecided. In INPUT the route is local: no xfrm bundle.
  if (dir === 'out' && ctx.position.hook === 'PREROUTING') return noRouteYet(match, ctx);
  const subject = dir === 'in' ? ipsec.in : ipsec.out && ctx.position.hook !== 'INPUT';
  const none = match.options.some((o) => o.name === 'pol' && o.args[0]?.text === 'none');
  if (!subject || none) return !subject && none;
  if (!match.options.some((o) => ELEMENT_OPTIONS.includes(o.name))) return true;
  return unknownSAs(match, ctx);
}

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
