// Test helper: turns a rule fragment (`-p tcp -m tcp ! --dport 22`, `-j MARK --set-xmark 0x1/0x1`)
// into MatchUse / TargetUse objects with the registry's canonical option names, and makes packets.
// Deliberately tiny (split on spaces, double quotes group) so these tests do not depend on the parser.

import type { MatchUse, OptionUse, Rule, TargetUse, Token } from '../../server/src/netfilter/model';
import type { NodeContext, Packet } from '../../server/src/netfilter/packet';
import { findMatch, findTarget } from '../../server/src/netfilter/extensions/registry';
import { findOption, type EvalContext, type OptionSpec } from '../../server/src/netfilter/extensions/types';

const span = { start: 0, end: 0 };
const token = (text: string): Token => ({ text, start: 0, end: 0 });

function words(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

function readOptions(list: string[], start: number, specs: readonly OptionSpec[]): { options: OptionUse[]; next: number } {
  const options: OptionUse[] = [];
  let i = start;
  while (i < list.length && list[i] !== '-m' && list[i] !== '-j') {
    let negated = false;
    if (list[i] === '!') { negated = true; i++; }
    const written = list[i++];
    const spec = findOption(specs, written.replace(/^--/, ''));
    if (!spec) throw new Error(`unknown option ${written}`);
    const arity = typeof spec.arity === 'number' ? spec.arity : spec.arity[0];
    const args = list.slice(i, i + arity).map(token);
    i += arity;
    options.push({ name: spec.name, written: token(written), negated, args, span });
  }
  return { options, next: i };
}

export function parseFragment(text: string, family: 'ipv4' | 'ipv6' = 'ipv4'): { matches: MatchUse[]; target?: TargetUse } {
  const list = words(text);
  const matches: MatchUse[] = [];
  let target: TargetUse | undefined;
  let i = 0;
  while (i < list.length) {
    if (list[i] === '-p') { i += 2; continue; } // the protocol is part of the packet in these tests
    if (list[i] === '-m') {
      const spec = findMatch(list[i + 1], family);
      if (!spec) throw new Error(`unknown match ${list[i + 1]}`);
      const { options, next } = readOptions(list, i + 2, spec.options);
      matches.push({ module: spec.name, implicit: false, options, span, known: true });
      i = next;
      continue;
    }
    if (list[i] === '-j') {
      const spec = findTarget(list[i + 1], family);
      if (!spec) throw new Error(`unknown target ${list[i + 1]}`);
      const { options, next } = readOptions(list, i + 2, spec.options);
      target = { name: spec.name, token: token(spec.name), flagToken: token('-j'), goto: false, kind: 'extension', options, span };
      i = next;
      continue;
    }
    throw new Error(`unexpected ${list[i]} in ${text}`);
  }
  return { matches, target };
}

export function packet(overrides: Partial<Packet> = {}): Packet {
  const family = overrides.family ?? 'ipv4';
  const src = overrides.src ?? (family === 'ipv4' ? '192.168.1.10' : '2001:db8::10');
  const dst = overrides.dst ?? (family === 'ipv4' ? '10.0.0.1' : '2001:db8::1');
  return {
    family, src, dst, proto: 6, sport: 40000, dport: 22, tcpFlags: ['SYN'], mark: 0, ctmark: 0,
    ctstate: 'NEW', ctstatus: [], origSrc: src, origDst: dst, length: 60, ttl: 64, fragment: false,
    pkttype: 'unicast', dscp: 0, ecn: 0, fromLocal: false, inIface: 'eth0',
    ...overrides,
    ...(overrides.origSrc ? {} : { origSrc: src }),
    ...(overrides.origDst ? {} : { origDst: dst }),
  };
}

export function node(overrides: Partial<NodeContext> = {}): NodeContext {
  return { localAddresses: ['10.0.0.1', '2001:db8::1'], localAddressesSource: 'given', ...overrides };
}

export function context(p: Packet, n: NodeContext = node(), hook: EvalContext['position']['hook'] = 'INPUT', table = 'filter'): EvalContext {
  return { packet: p, node: n, position: { hook, table, chain: hook }, rule: {} as Rule };
}
