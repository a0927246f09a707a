// The built-in verdicts. They are not extensions in iptables (no .so, no options) but live in
// the registry so that hovers, completion and the simulator treat every `-j NAME` the same way.
// REJECT is a real extension (targets/REJECT.ts).
import type { TargetSpec } from '../types';

export const ACCEPTTarget: TargetSpec = {
  name: 'ACCEPT',
  doc: 'Let the packet through this table and hook; the next table/hook still sees it',
  terminating: true,
  options: [],
  apply: () => ({ verdict: 'ACCEPT' }),
};

export const DROPTarget: TargetSpec = {
  name: 'DROP',
  doc: 'Silently discard the packet',
  terminating: true,
  options: [],
  apply: () => ({ verdict: 'DROP' }),
};

export const RETURNTarget: TargetSpec = {
  name: 'RETURN',
  doc: 'Stop this chain and go back to the calling chain (in a built-in chain: apply the policy)',
  terminating: true,
  options: [],
  apply: () => ({ verdict: 'RETURN' }),
};

export const QUEUETarget: TargetSpec = {
  name: 'QUEUE',
  doc: 'Hand the packet to userspace queue 0 (same as NFQUEUE --queue-num 0); dropped if nobody listens',
  terminating: true,
  options: [],
  apply: () => ({
    verdict: 'QUEUE',
    description: 'queued to userspace (queue 0)',
    assumption: 'a userspace program reads queue 0 (otherwise the kernel drops the packet)',
  }),
};
