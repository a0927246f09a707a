// SET target: option table from iptables 1.8.9 (libxt/libipt/libip6t_SET), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';
import { ipsetMemberFact, optionText } from '../common';
import { changeSet, packetElement, setDirections, setOptionProblem, setSeenBy } from '../matches/set';

export const SETTarget: TargetSpec = {
  name: 'SET',
  needsOneOf: [{ options: ['add-set', 'del-set', 'map-set'], message: "You must specify either `--add-set' or `--del-set' or `--map-set'" }],
  doc: 'This module adds and/or deletes entries from IP sets which can be defined by ipset(8) (a `!` before a SET option is accepted by iptables and ignored)',
  terminating: false,
  apply: applySet,
  options: [
    {
      name: 'add-set', arity: 2, negatable: true, value: 'raw', check: setOptionProblem,
      doc: 'Add the packet’s address/port (chosen by the src/dst flags) to ipset `NAME`',
    },
    {
      name: 'del-set', arity: 2, negatable: true, value: 'raw', check: setOptionProblem,
      doc: 'Delete the packet’s address/port (chosen by the src/dst flags) from ipset `NAME`',
    },
    {
      name: 'exist', arity: 0, negatable: true, value: 'none',
      doc: 'When adding an entry if it already exists, reset the timeout value to the specified one or to the default from the set definition',
    },
    {
      name: 'timeout', arity: 1, negatable: true, value: 'int', range: [0, 4294967294], rangeMessage: () => 'Invalid value for option --timeout or out of range 0-4294967294',
      doc: 'When adding an entry, the timeout value to use instead of the default one from the set definition',
    },
    {
      name: 'map-set', arity: 2, negatable: true, value: 'raw', check: setOptionProblem,
      doc: 'Look the packet up in ipset `NAME` and apply the entry’s skbinfo (--map-mark/--map-prio/--map-queue)',
    },
    {
      name: 'map-mark', arity: 0, negatable: true, value: 'none',
      doc: 'With --map-set: set the packet mark from the set entry’s skbmark',
    },
    {
      name: 'map-prio', arity: 0, negatable: true, value: 'none',
      doc: 'With --map-set: set the packet priority from the set entry’s skbprio',
    },
    {
      name: 'map-queue', arity: 0, negatable: true, value: 'none',
      doc: 'With --map-set: set the packet queue from the set entry’s skbqueue',
    },
  ],
};

/**
 * The kernel adds (deletes) the packet's element at once: later rules of the same traversal see the
 * changed set (measured: test/kernel/dumps/ipsets.rules). Of a set whose contents were not given the
 * path then knows this one element (Packet.assumedFacts): a later test of the same element is
 * decided, any other stays undecided.
 */
function applySet(target: TargetUse, ctx: EvalContext): TargetEffect {
  const exist = target.options.some((o) => o.name === 'exist');
  const changes: string[] = [];
  for (const option of target.options) {
    if (option.name !== 'add-set' && option.name !== 'del-set') continue;
    const name = option.args[0]?.text ?? '';
    const set = setSeenBy(ctx.packet, ctx.node, name);
    if (!set) {
      const element = packetElement(ctx.packet, setDirections(option.args[1]?.text ?? 'src'));
      ctx.packet.assumedFacts = { ...ctx.packet.assumedFacts, [ipsetMemberFact(name, element)]: option.name === 'add-set' };
      changes.push(`${element} ${option.name === 'add-set' ? 'added to' : 'deleted from'} ${name}`);
      continue;
    }
    const changed = changeSet(set, ctx.packet, setDirections(option.args[1]?.text ?? 'src'), option.name === 'add-set', exist);
    if (changed === set) continue;
    // replaced, not mutated: paths forked before this rule keep the set they saw
    ctx.packet.ipsetChanges = { ...ctx.packet.ipsetChanges, [name]: changed };
    if (!changed.unknownChange) changes.push(`${changed.members.length > set.members.length ? 'added to' : changed.members.length < set.members.length ? 'deleted from' : 'changed in'} ${name}`);
  }
  return {
    verdict: 'CONTINUE',
    description: `SET ${target.options.map(optionText).join(' ')}${changes.length ? ` (${changes.join(', ')}; later rules see it)` : ''}`,
  };
}
