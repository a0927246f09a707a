// CONNMARK target: option table from iptables 1.8.9 (libxt/libipt/libip6t_CONNMARK), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';

export const CONNMARKTarget: TargetSpec = {
  name: 'CONNMARK',
  doc: 'This module sets the netfilter mark value associated with a connection',
  terminating: false,
  options: [
    {
      name: 'set-xmark', arity: 1, negatable: false, value: 'mark',
      doc: 'Zero out the bits given by mask and XOR value into the ctmark',
    },
    {
      name: 'set-mark', arity: 1, negatable: false, value: 'mark',
      doc: 'Set the connection mark',
    },
    {
      name: 'and-mark', arity: 1, negatable: false, value: 'int',
      doc: 'Binary AND the ctmark with bits',
    },
    {
      name: 'or-mark', arity: 1, negatable: false, value: 'int',
      doc: 'Binary OR the ctmark with bits',
    },
    {
      name: 'xor-mark', arity: 1, negatable: false, value: 'int',
      doc: 'Binary XOR the ctmark with bits',
    },
    {
      name: 'save-mark', arity: 0, negatable: false, value: 'none',
      doc: 'Copy the packet mark (nfmark) to the connection mark (ctmark) using the given masks',
    },
    {
      name: 'restore-mark', arity: 0, negatable: false, value: 'none',
      doc: 'Copy the connection mark (ctmark) to the packet mark (nfmark) using the given masks',
    },
    {
      name: 'left-shift-mark', arity: 1, negatable: false, value: 'int',
      doc: 'With --save-mark/--restore-mark: shift the source mark left by this many bits first',
    },
    {
      name: 'right-shift-mark', arity: 1, negatable: false, value: 'int',
      doc: 'With --save-mark/--restore-mark: shift the source mark right by this many bits first',
    },
    {
      name: 'ctmask', arity: 1, negatable: false, value: 'int',
      doc: 'With --save-mark/--restore-mark: mask of ctmark bits to use',
    },
    {
      name: 'nfmask', arity: 1, negatable: false, value: 'int',
      doc: 'With --save-mark/--restore-mark: mask of nfmark bits to use',
    },
    {
      name: 'mask', arity: 1, negatable: false, value: 'int',
      doc: 'With --save-mark/--restore-mark: sets both --nfmask and --ctmask',
    },
  ],
};
