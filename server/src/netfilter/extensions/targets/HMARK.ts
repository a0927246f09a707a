// HMARK target: option table from iptables 1.8.9 (libxt/libipt/libip6t_HMARK), checked by
// test/extensions/restore-agreement.test.ts against iptables-nft-restore.
import type { TargetUse } from '../../model';
import type { EvalContext, TargetEffect, TargetSpec } from '../types';

export const HMARKTarget: TargetSpec = {
  name: 'HMARK',
  doc: 'Set the packet mark from a hash of the packet’s tuple (modulus + offset)',
  terminating: false,
  apply: applyHmark,
  options: [
    {
      name: 'hmark-tuple', arity: 1, negatable: false, value: 'string',
      doc: 'Tuple members to hash: comma list of src, dst, sport, dport, spi, ct',
    },
    {
      name: 'hmark-src-prefix', arity: 1, negatable: false, value: 'int',
      doc: 'The source address mask in CIDR notation',
    },
    {
      name: 'hmark-dst-prefix', arity: 1, negatable: false, value: 'int',
      doc: 'The destination address mask in CIDR notation',
    },
    {
      name: 'hmark-sport-mask', arity: 1, negatable: false, value: 'int',
      doc: 'A 16 bit source port mask in hexadecimal',
    },
    {
      name: 'hmark-dport-mask', arity: 1, negatable: false, value: 'int',
      doc: 'A 16 bit destination port mask in hexadecimal',
    },
    {
      name: 'hmark-spi-mask', arity: 1, negatable: false, value: 'int',
      doc: 'A 32 bit field with spi mask',
    },
    {
      name: 'hmark-sport', arity: 1, negatable: false, value: 'int',
      doc: '16-bit source port value to use instead of the packet’s (with the mask)',
    },
    {
      name: 'hmark-dport', arity: 1, negatable: false, value: 'int',
      doc: '16-bit destination port value to use instead of the packet’s (with the mask)',
    },
    {
      name: 'hmark-spi', arity: 1, negatable: false, value: 'int',
      doc: '32-bit SPI value to use',
    },
    {
      name: 'hmark-proto-mask', arity: 1, negatable: false, value: 'int',
      doc: 'An 8 bit field with layer 4 protocol number',
    },
    {
      name: 'hmark-rnd', arity: 1, negatable: false, value: 'int', required: true,
      doc: 'A 32 bit random custom value to feed hash calculation',
    },
    {
      name: 'hmark-mod', arity: 1, negatable: false, value: 'int', required: true,
      doc: 'Modulus for hash calculation (to limit the range of possible marks)',
    },
    {
      name: 'hmark-offset', arity: 1, negatable: false, value: 'int',
      doc: 'Offset to start marks from',
    },
  ],
};

function applyHmark(target: TargetUse, _ctx: EvalContext): TargetEffect {
  const arg = (name: string) => target.options.find((o) => o.name === name)?.args[0]?.text;
  return {
    verdict: 'CONTINUE',
    description: `mark set from a hash of the tuple (mod ${arg('hmark-mod') ?? '?'} + offset ${arg('hmark-offset') ?? '0'})`,
    assumption: 'the HMARK hash value is not computed: the mark is left unchanged in the trace',
  };
}
