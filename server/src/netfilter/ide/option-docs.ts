// Docs for the rule's own options (-p, -s, -d …) and plain-language syntax for each value kind.
// Match and target options are documented in the extension registry; these are the rest.

import type { OptionSpec, ValueKind } from '../extensions/types';

export const GENERIC_OPTION_DOCS: Record<string, { flags: string; doc: string; value: ValueKind; negatable: boolean; values?: string[] }> = {
  protocol: { flags: '-p, --protocol', doc: 'Matches the layer-4 protocol (tcp, udp, icmp, … or a number; `all` = any). Loads the protocol\'s match implicitly, so `-p tcp --dport 22` works without `-m tcp`.', value: 'string', negatable: true, values: ['tcp', 'udp', 'udplite', 'icmp', 'icmpv6', 'esp', 'ah', 'sctp', 'mh', 'all'] },
  source: { flags: '-s, --source', doc: 'Matches the source address: an address, a network (`10.0.0.0/8`) or a comma list (which iptables-restore expands into one rule per entry).', value: 'address-list', negatable: true },
  destination: { flags: '-d, --destination', doc: 'Matches the destination address: an address, a network (`10.0.0.0/8`) or a comma list (one rule per entry).', value: 'address-list', negatable: true },
  'in-interface': { flags: '-i, --in-interface', doc: 'Matches the interface the packet arrived on (PREROUTING, INPUT, FORWARD only). A trailing `+` matches every interface with that prefix.', value: 'interface', negatable: true },
  'out-interface': { flags: '-o, --out-interface', doc: 'Matches the interface the packet will leave by (FORWARD, OUTPUT, POSTROUTING only). A trailing `+` matches every interface with that prefix.', value: 'interface', negatable: true },
  fragment: { flags: '-f, --fragment', doc: 'Matches second and later fragments of a fragmented IPv4 packet (they carry no ports). `! -f` matches unfragmented packets and first fragments.', value: 'none', negatable: true },
  match: { flags: '-m, --match', doc: 'Loads a match extension; its options may follow anywhere later in the rule.', value: 'string', negatable: false },
  jump: { flags: '-j, --jump', doc: 'What to do when the rule matches: a verdict (ACCEPT, DROP, RETURN), a target extension (DNAT, MARK, LOG …) or a user chain to run (coming back here if it returns).', value: 'string', negatable: false },
  goto: { flags: '-g, --goto', doc: 'Continue in a user chain without coming back: a RETURN there returns to the chain that called this one.', value: 'string', negatable: false },
  'set-counters': { flags: '-c, --set-counters', doc: 'Initial packet and byte counters of the rule.', value: 'raw', negatable: false },
};
Object.setPrototypeOf(GENERIC_OPTION_DOCS, null); // keys come from dumps: `constructor` must not find Object's

export const VALUE_SYNTAX: Record<ValueKind, string> = {
  none: 'no value',
  string: 'a word',
  int: 'an integer (decimal, 0x hex or 0-prefixed octal)',
  'int-range': '`n` or `n:m`',
  number: 'a number (decimal fractions allowed)',
  port: 'a port number or service name',
  'port-range': '`port`, `first:last`, `:last` or `first:`',
  'port-list': 'up to 15 ports or `first:last` ranges, comma-separated (a range counts as two)',
  address: 'an address or network (`addr/len` or `addr/mask`)',
  'address-list': 'addresses or networks, comma-separated',
  'address-range': '`first-last` addresses',
  interface: 'an interface name (max 15 characters); `+` at the end matches a prefix',
  mark: '`value[/mask]` (hex or decimal)',
  hex: 'a hex number',
  flags: 'comma-separated flags',
  enum: 'one of the listed words',
  'enum-list': 'comma-separated words from the list',
  'nat-range': '`[addr[-addr]][:port[-port]]`',
  rate: '`n/second`, `n/minute`, `n/hour` or `n/day` (abbreviations allowed)',
  time: 'a time or date',
  raw: 'free text',
};
Object.setPrototypeOf(VALUE_SYNTAX, null); // keys come from dumps: `constructor` must not find Object's

export function describeValue(spec: Pick<OptionSpec, 'value' | 'values' | 'arity' | 'valueMatch' | 'valueAliases'>): string {
  let text = VALUE_SYNTAX[spec.value] ?? '';
  if (spec.values && spec.values.length) {
    const code = (word: string) => '`' + word + '`';
    const aliases = (value: string) => (spec.valueAliases?.[value]?.length ? ` (also ${spec.valueAliases[value].map(code).join(', ')})` : '');
    text += `: ${spec.values.map((v) => code(v) + aliases(v)).join(', ')}`;
    // (how iptables reads the words: values.ts valueWord)
    if (spec.valueMatch === 'exact') text += '; case matters';
    if (spec.valueMatch === 'prefix') {
      // (an example: the longest value whose first three letters no other value starts with)
      const values = spec.values;
      const example = [...values].sort((a, b) => b.length - a.length).find((v) => values.every((w) => w === v || !w.toLowerCase().startsWith(v.slice(0, 3).toLowerCase())));
      text += `; the start of a word is enough, in any case${example ? ` (\`${example.slice(0, 3).toLowerCase()}\` is ${example})` : ''}`;
    }
  }
  if (Array.isArray(spec.arity) && spec.arity[0] === 0 && spec.value !== 'none') text += ' (optional)';
  return text;
}
