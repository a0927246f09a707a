// Restore differential campaign: random one-rule dumps built from the registry go through
// `iptables-nft-restore --test` and `iptables-legacy-restore --test` and through lintText.
//   - a rule both accept must get no error from us (a false error: the one thing never allowed);
//   - a rule they reject on its line should get an error there (a missed error: listed, not fatal).
// Each rule tries one extension: some of its options with their sample values (from
// test/extensions/registry-samples.ts) or a broken one, `!` where it is allowed and sometimes where
// it is not, its companion options or not, its protocol or another, a random target.
//
//   node --import tsx test/fuzz/restore-differential.ts --cases 1000 --seed 1 [--out DIR]
//
// Needs root and iptables (as the kernel oracle). Exit 1 when a false error was found.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allMatches, allTargets } from '../../server/src/netfilter/extensions/registry';
import type { OptionSpec } from '../../server/src/netfilter/extensions/types';
import type { Family } from '../../server/src/netfilter/model';
import { lintText, positionOf } from '../../server/src/netfilter/lint';
import { combineVerdicts, oracleAvailable, restoreTest, restoreTestLegacy, type RestoreVerdict } from '../kernel/oracle';
import { contextOf, dump, familyOf, isTarget, sampleFor, withoutOptions, type Spec } from '../extensions/registry-samples';
import { Rng, inputSeed } from './rng';

/** Rejections that are about this machine, not the rule's syntax (as test/parser/restore-agreement.test.ts). */
const ENVIRONMENT = [/Bad value for "--(uid|gid)-owner"|Invalid (user|group) name/i, /Couldn't load (match|target)/, /Set .* doesn't exist/, /host\/network `[A-Za-z][^']*' not found/, /not supported, missing kernel module/, /failed to get bpf object/, /Could not fetch rule set generation id/];

/** Values that break one grammar or another. */
const BROKEN_VALUES = ['', '-1', '0', '0x', '65536', '4294967296', '18446744073709551616', 'x', '1:2:3', '5-6', '10:5', '!', 'a,b', ',', '1,', '08', ' 1', '+1', '1.5', '::1', '10.0.0.1/33', 'eth0+', 'ALL'];

interface Finding {
  seed: number;
  kind: 'false error' | 'missed error';
  text: string;
  restore: string;
  ours: string;
}

function specs(family: Family): Spec[] {
  const all: Spec[] = [...allMatches().map((m) => ({ ...m, kind: 'match' as const })), ...allTargets().filter((t) => t.options.length > 0).map((t) => ({ ...t, kind: 'target' as const }))];
  return all.filter((spec) => familyOf(spec) === family || !spec.families || spec.families.includes(family));
}

/**
 * A value in another spelling: each word in upper or lower case, or cut to its start. libxtables
 * reads words with strcmp, strcasecmp or strncasecmp depending on the extension (`EST` is
 * ESTABLISHED for conntrack, `IN` is no direction for policy, `0X10` is a number everywhere).
 */
function respelled(rng: Rng, value: string): string {
  return value.replace(/[A-Za-z][A-Za-z_-]*/g, (word) => {
    switch (rng.int(4)) {
      case 0: return word.toUpperCase();
      case 1: return word.toLowerCase();
      case 2: return word.slice(0, 1 + rng.int(word.length));
      default: return word;
    }
  });
}

function optionText(rng: Rng, spec: Spec, option: OptionSpec, family: Family): string {
  const arity = typeof option.arity === 'number' ? option.arity : option.arity[1];
  let value = arity === 0 ? '' : rng.chance(0.25) ? `"${rng.pick(BROKEN_VALUES)}"` : sampleFor(spec, option, family);
  if (value && !value.startsWith('"') && rng.chance(0.25)) value = respelled(rng, value);
  if (arity > 0 && rng.chance(0.05)) value = ''; // a missing argument
  const negated = option.negatable ? rng.chance(0.2) : rng.chance(0.03);
  return `${negated ? '! ' : ''}--${option.name}${value ? ' ' + value : ''}`;
}

/** One rule (and its table and chain) trying `spec`. */
function randomRule(rng: Rng, family: Family): { table: string; chain: string; text: string } {
  const spec = rng.pick(specs(family));
  const ctx = contextOf(spec);
  const chosen = new Set<OptionSpec>();
  const count = spec.options.length ? 1 + rng.int(Math.min(3, spec.options.length)) : 0;
  for (let k = 0; k < count; k++) chosen.add(rng.pick(spec.options));
  let base = rng.chance(0.8) ? ctx.base ?? '' : '';
  for (const option of chosen) base = withoutOptions(base, spec, option);
  const pre = rng.chance(0.85) ? ctx.pre ?? '' : rng.pick(['', '-p tcp', '-p udp', family === 'ipv4' ? '-p icmp' : '-p ipv6-icmp', '-p all', '! -p tcp', '-p sctp']);
  const generic = rng.chance(0.15) ? rng.pick(family === 'ipv4' ? ['-s 10.0.0.0/8', '-d 192.168.1.1', '! -s 10.1.0.0/16'] : ['-s 2001:db8::/32', '-d ::1']) : '';
  const options = [...chosen].map((option) => optionText(rng, spec, option, family));
  const head = isTarget(spec) ? `-j ${spec.name}` : `-m ${spec.name}`;
  const target = isTarget(spec) ? '' : rng.pick(['-j ACCEPT', '-j DROP', '-j RETURN', '', '-j LOG --log-prefix x']);
  const text = [generic, pre, head, base, ...options, target].filter(Boolean).join(' ');
  return { table: ctx.table, chain: ctx.chain, text };
}

function main(): void {
  const args = process.argv.slice(2);
  const flag = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
  const cases = Number(flag('cases') ?? 500);
  const seed = Number(flag('seed') ?? 1);
  const out = flag('out');
  const oracle = oracleAvailable();
  if (!oracle.ok) {
    console.log(`restore differential: no oracle (${oracle.reason})`);
    process.exit(2);
  }
  const findings: Finding[] = [];
  const counts = { accepted: 0, refusedAtLoad: 0, rejected: 0, environment: 0 };
  const started = Date.now();
  for (let index = 0; index < cases; index++) {
    const caseSeed = inputSeed(seed, index);
    const rng = new Rng(caseSeed);
    const family: Family = rng.chance(0.7) ? 'ipv4' : 'ipv6';
    const rule = randomRule(rng, family);
    const text = dump(rule.table, [{ chain: rule.chain, text: rule.text }]);
    const verdict = combineVerdicts(restoreTest(text, family), restoreTestLegacy(text, family));
    const { ruleset, problems } = lintText(text, { family });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => ({ line: positionOf(ruleset.lineStarts, p.span.start).line + 1, what: `${p.code}: ${p.message}` }));
    const ours = errors.map((e) => `line ${e.line} ${e.what}`).join(' | ') || 'none';
    const restore = verdict.accepted ? 'accepts' : `rejects at line ${verdict.errorLine ?? '?'} (${verdict.message.split('\n')[0]})`;
    if (verdict.accepted) {
      counts.accepted++;
      // place/* errors are about loading (the kernel refuses what --test accepts): a real load decides
      const loadTime = errors.length > 0 && errors.every((e) => e.what.startsWith('place/'));
      if (loadTime && !restoreTest(text, family, { mode: 'load' }).accepted) counts.refusedAtLoad++;
      else if (errors.length) findings.push({ seed: caseSeed, kind: 'false error', text, restore: loadTime ? `${restore}, and the kernel loads it` : restore, ours });
    } else if (ENVIRONMENT.some((re) => re.test(verdict.message))) {
      counts.environment++;
    } else {
      counts.rejected++;
      if (!errors.some((e) => e.line === verdict.errorLine)) findings.push({ seed: caseSeed, kind: 'missed error', text, restore, ours });
    }
  }
  const falseErrors = findings.filter((f) => f.kind === 'false error');
  const missed = findings.filter((f) => f.kind === 'missed error');
  const show = (f: Finding) => `  [${f.seed}] ${f.text.split('\n')[1]}\n      restore ${f.restore}\n      ours: ${f.ours}`;
  console.log(`${cases} rules from seed ${seed}: ${counts.accepted} accepted (${counts.refusedAtLoad} of them refused by the kernel when loaded, as our place/* errors say), ${counts.rejected} rejected, ${counts.environment} rejected for environment reasons; ${falseErrors.length} false errors, ${missed.length} missed errors (${Math.round((Date.now() - started) / 1000)} s)`);
  if (falseErrors.length) console.log(`false errors:\n${falseErrors.slice(0, 40).map(show).join('\n')}`);
  if (missed.length) console.log(`missed errors:\n${missed.slice(0, 40).map(show).join('\n')}`);
  if (out) {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `restore-differential-${seed}.json`), JSON.stringify({ seed, cases, counts, findings }, null, 2));
  }
  process.exit(falseErrors.length ? 1 : 0);
}

main();
