// LED target: option table from iptables 1.8.9 (libxt/libipt/libip6t_LED), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetSpec } from '../types';
import { continueTarget } from '../common';

export const LEDTarget: TargetSpec = {
  name: 'LED',
  doc: 'This creates an LED-trigger that can then be attached to system indicator lights, to blink or illuminate them when certain packets pass through the system',
  terminating: false,
  apply: continueTarget(),
  options: [
    {
      name: 'led-trigger-id', arity: 1, negatable: false, value: 'string', required: true,
      doc: 'This is the name given to the LED trigger',
    },
    {
      name: 'led-delay', arity: 1, negatable: false, value: 'string',
      doc: 'This indicates how long (in milliseconds) the LED should be left illuminated when a packet arrives before being switched off again',
    },
    {
      name: 'led-always-blink', arity: 0, negatable: false, value: 'none',
      doc: 'Always make the LED blink on packet arrival, even if the LED is already on',
    },
  ],
};
