// A rule's generic criteria (-p -s -d -i -o -f) compiled once into a fast predicate, so that
// chains with thousands of rules are scanned without re-parsing text.

import type { Family, OptionUse, Rule } from '../model';
import type { Packet } from '../packet';
import { protocolNumber } from '../packet';
import { cidrContains, compileCidr, type CompiledCidr } from './net';

/** Canonical text of an exact (host) address: dotted decimal, or IPv6 hex groups. */
function formatCompiled(cidr: CompiledCidr): string {
  if (!cidr.v6) {
    const v = cidr.value as number;
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  }
  const v = cidr.value as bigint;
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((v >> shift) & 0xffffn).toString(16));
  return groups.join(':');
}

export interface CompiledRule {
  /** do -p -s -d -i -o -f all hold? */
  generic(packet: Packet): boolean;
  /** the single exact destination address (`-d X/32`, not negated), for dispatch */
  exactDestination?: string;
  /** protocol number when -p is given without `!` */
  protocol?: number;
}

type Predicate = (packet: Packet) => boolean;

function negate(option: OptionUse, predicate: Predicate): Predicate {
  return option.negated ? (p) => !predicate(p) : predicate;
}

function compileAddressOption(option: OptionUse, field: 'src' | 'dst'): Predicate {
  const value = option.args[0]?.text ?? '';
  const cidrs = value.split(',').map(compileCidr);
  if (cidrs.some((c) => c === undefined)) {
    // A host name: the kernel holds the address it resolved at load time; we cannot know it.
    return () => false;
  }
  const list = cidrs as CompiledCidr[];
  const predicate: Predicate = list.length === 1 ? (p) => cidrContains(list[0], p[field]) : (p) => list.some((c) => cidrContains(c, p[field]));
  return negate(option, predicate);
}

/**
 * Interface names: `eth+` matches every name starting with `eth`. An absent interface is the empty
 * name, as in the kernel (ip_packet_match compares against ""): `-i +` matches it, `-i eth0` does not.
 */
export function interfaceMatches(pattern: string, name: string | undefined): boolean {
  const actual = name ?? '';
  if (pattern.endsWith('+')) return actual.startsWith(pattern.slice(0, -1));
  return actual === pattern;
}

function compileInterface(option: OptionUse, field: 'inIface' | 'outIface'): Predicate {
  const pattern = option.args[0]?.text ?? '';
  return negate(option, (p) => interfaceMatches(pattern, p[field]));
}

export function compileRule(rule: Rule, family: Family): CompiledRule {
  void family;
  const predicates: Predicate[] = [];
  const criteria = rule.criteria;
  let protocol: number | undefined;
  if (criteria.protocol) {
    const number = protocolNumber(criteria.protocol.args[0]?.text ?? '');
    if (number !== undefined && number !== 0) {
      const option = criteria.protocol;
      if (!option.negated) protocol = number;
      predicates.push(negate(option, (p) => p.proto === number));
    } else if (number === undefined) {
      predicates.push(() => false);
    } else if (criteria.protocol.negated) {
      predicates.push(() => false); // ! -p all matches nothing
    }
  }
  if (criteria.source) predicates.push(compileAddressOption(criteria.source, 'src'));
  let exactDestination: string | undefined;
  if (criteria.destination) {
    predicates.push(compileAddressOption(criteria.destination, 'dst'));
    const text = criteria.destination.args[0]?.text ?? '';
    const cidr = !criteria.destination.negated && !text.includes(',') ? compileCidr(text) : undefined;
    // The dispatch key is the address as the kernel holds it (`010.0.0.1` is 8.0.0.1), not as written.
    if (cidr && cidr.exact) exactDestination = formatCompiled(cidr);
  }
  if (criteria.inInterface) predicates.push(compileInterface(criteria.inInterface, 'inIface'));
  if (criteria.outInterface) predicates.push(compileInterface(criteria.outInterface, 'outIface'));
  if (criteria.fragment) {
    const option = criteria.fragment;
    predicates.push(negate(option, (p) => p.fragment));
  }
  const generic: Predicate =
    predicates.length === 0
      ? () => true
      : predicates.length === 1
        ? predicates[0]
        : (p) => {
            for (const predicate of predicates) if (!predicate(p)) return false;
            return true;
          };
  return { generic, exactDestination, protocol };
}

/**
 * Which of the kernel rules that `-s a,b -d c,d` loads as (one per source × destination, sources
 * outer) the packet meets first: 0 for a rule without lists.
 */
export function expansionIndex(rule: Rule, packet: Packet): number {
  return matchingExpansions(rule, packet)[0] ?? 0;
}

/** Every one of those kernel rules whose addresses the packet meets, in the kernel's order. */
export function matchingExpansions(rule: Rule, packet: Packet): number[] {
  const sources = rule.criteria.source?.args[0]?.text.split(',') ?? [undefined];
  const destinations = rule.criteria.destination?.args[0]?.text.split(',') ?? [undefined];
  if (sources.length === 1 && destinations.length === 1) return [0];
  const holds = (text: string | undefined, address: string) => {
    if (text === undefined) return true;
    const cidr = compileCidr(text);
    return !!cidr && cidrContains(cidr, address);
  };
  const found: number[] = [];
  for (let i = 0; i < sources.length; i++) {
    if (!holds(sources[i], packet.src)) continue;
    for (let j = 0; j < destinations.length; j++) if (holds(destinations[j], packet.dst)) found.push(i * destinations.length + j);
  }
  return found;
}
