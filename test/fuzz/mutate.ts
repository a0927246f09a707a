// Mutations that turn a real dump into the inputs the issue lists: cut files, missing COMMIT,
// shuffled / duplicated / deleted lines and tokens, unbalanced quotes, NUL and invalid UTF-8
// (as it looks after decoding: U+FFFD, lone surrogates), CRLF, `iptables -L` output pasted in,
// anonymised addresses, 100k-character lines, self-jumps and jump loops.
import { Rng } from './rng';

export interface Mutant {
  text: string;
  /** the mutation names applied, in order (printed with a failure) */
  ops: string[];
}

/** Words that tend to break parsers: prototype keys, extremes, empty-ish values. */
const NASTY_WORDS = [
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', 'valueOf',
  '-', '!', '!!', '"', '""', "'", '\\', '--', '---', '-j', '-g', '-m', '-p', '-A', '-N', '-I', '-I 0', '-I 99999', '-D', '-P', '-X', '-F', '-Z', '-R', '-E',
  '0', '-1', '4294967296', '18446744073709551616', '99999999999999999999999999', '0x', '0xffffffff', '0x1/0x', '1e309', 'NaN', 'Infinity',
  '0.0.0.0/0', '::/0', '1.2.3.4/33', '1.2.3.4/-1', '::1/129', 'X.X.X.X', 'x.x.x.x/24', 'xxx.xxx.xxx.xxx', '10.0.0.1-10.0.0.0', '256.1.1.1', '1:2:3:4:5:6:7:8:9',
  '1:65535', '65535:1', '0:0', ':', '1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16', '[0:0]', '[1:2', '[-1:-1]', '[a:b]',
  'ACCEPT', 'DROP', 'RETURN', 'QUEUE', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK', 'CONNMARK', 'LOG', 'REJECT', 'NOTRACK', 'CT', 'TPROXY', 'SET',
  'tcp', 'udp', 'icmp', 'all', 'ipv6-icmp', 'sctp', 'multiport', 'conntrack', 'statistic', 'set', 'recent', 'comment', 'mark', 'addrtype', 'iprange', 'u32', 'bpf', 'string', 'hashlimit',
  '--dport', '--sport', '--dports', '--to-destination', '--to-source', '--set-xmark', '--mark', '--ctstate', '--match-set', '--probability', '--mode', '--every', '--packet',
  '--comment', '--tcp-flags', '--syn', '--icmp-type', '--src-range', '--dst-range', '--to-ports', '--log-prefix', '--reject-with', '--set-mark', '--restore-mark',
  '*filter', '*nat', '*mangle', '*raw', '*security', '*bogus', 'COMMIT', 'COMMIT ', ':INPUT', ':FORWARD', ':OUTPUT', ':PREROUTING', ':POSTROUTING',
  '\u0000', '\uFFFD', '\uD800', '\uDC00', '\uDBFF\uDFFF', '\u200B', '\u00A0', '\t', '\r', '\u2028', '\u0085', '\f', '\v',
];

const L_OUTPUT = [
  'Chain INPUT (policy ACCEPT 123 packets, 4567 bytes)',
  ' pkts bytes target     prot opt in     out     source               destination',
  '   12   720 ACCEPT     tcp  --  eth0   *       0.0.0.0/0            0.0.0.0/0            tcp dpt:22 state NEW',
  'Chain KUBE-SERVICES (2 references)',
  'target     prot opt source               destination',
  'KUBE-SVC-ERIFXISQEP7F7OF4  tcp  --  anywhere             10.96.0.10           /* kube-system/kube-dns:dns-tcp cluster IP */ tcp dpt:domain',
  '$ sudo iptables-save',
  '# Completed on Thu Jan  1 00:00:00 1970',
];

type Mutator = (lines: string[], rng: Rng) => string[] | undefined;

function tokens(line: string): string[] {
  return line.split(/[ \t]+/);
}

function randomLineIndex(lines: string[], rng: Rng): number {
  return rng.int(Math.max(1, lines.length));
}

/** Index of a random rule line (`-A`/`-I`), or -1. */
function randomRuleLine(lines: string[], rng: Rng): number {
  for (let tries = 0; tries < 20; tries++) {
    const i = randomLineIndex(lines, rng);
    if (/^-[AI] /.test(lines[i] ?? '')) return i;
  }
  return -1;
}

function chainOf(line: string): string | undefined {
  return /^-[AI] (\S+)/.exec(line)?.[1];
}

function randomCodeUnits(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const r = rng.next();
    // mostly bytes (binary junk decoded as latin1-ish), some surrogates and replacement chars
    const code = r < 0.6 ? rng.int(256) : r < 0.7 ? 0xfffd : r < 0.8 ? 0xd800 + rng.int(0x800) : rng.int(0x10000);
    s += String.fromCharCode(code);
  }
  return s;
}

const MUTATORS: Record<string, Mutator> = {
  deleteLine(lines, rng) {
    if (!lines.length) return undefined;
    const i = randomLineIndex(lines, rng);
    const n = rng.chance(0.8) ? 1 : rng.range(2, 20);
    lines.splice(i, n);
    return lines;
  },
  duplicateLine(lines, rng) {
    if (!lines.length) return undefined;
    const i = randomLineIndex(lines, rng);
    const copies = rng.chance(0.9) ? 1 : rng.range(2, 50);
    lines.splice(rng.int(lines.length + 1), 0, ...Array.from({ length: copies }, () => lines[i]));
    return lines;
  },
  swapLines(lines, rng) {
    if (lines.length < 2) return undefined;
    const a = randomLineIndex(lines, rng);
    const b = randomLineIndex(lines, rng);
    [lines[a], lines[b]] = [lines[b], lines[a]];
    return lines;
  },
  shuffleWindow(lines, rng) {
    if (lines.length < 3) return undefined;
    const start = randomLineIndex(lines, rng);
    const end = Math.min(lines.length, start + rng.range(2, 30));
    for (let i = end - 1; i > start; i--) {
      const j = start + rng.int(i - start + 1);
      [lines[i], lines[j]] = [lines[j], lines[i]];
    }
    return lines;
  },
  deleteToken(lines, rng) {
    const i = randomLineIndex(lines, rng);
    const t = tokens(lines[i] ?? '');
    if (t.length < 2) return undefined;
    t.splice(rng.int(t.length), rng.chance(0.8) ? 1 : 2);
    lines[i] = t.join(' ');
    return lines;
  },
  duplicateToken(lines, rng) {
    const i = randomLineIndex(lines, rng);
    const t = tokens(lines[i] ?? '');
    if (!t.length) return undefined;
    const k = rng.int(t.length);
    t.splice(rng.int(t.length + 1), 0, t[k]);
    lines[i] = t.join(' ');
    return lines;
  },
  swapTokens(lines, rng) {
    const i = randomLineIndex(lines, rng);
    const t = tokens(lines[i] ?? '');
    if (t.length < 2) return undefined;
    const a = rng.int(t.length);
    const b = rng.int(t.length);
    [t[a], t[b]] = [t[b], t[a]];
    lines[i] = t.join(' ');
    return lines;
  },
  /** a token from another line (same vocabulary, wrong place) */
  spliceToken(lines, rng) {
    const i = randomLineIndex(lines, rng);
    const donor = tokens(lines[randomLineIndex(lines, rng)] ?? '');
    const t = tokens(lines[i] ?? '');
    t.splice(rng.int(t.length + 1), rng.chance(0.5) ? 1 : 0, rng.pick(donor));
    lines[i] = t.join(' ');
    return lines;
  },
  nastyWord(lines, rng) {
    const i = randomLineIndex(lines, rng);
    const t = tokens(lines[i] ?? '');
    t.splice(rng.int(t.length + 1), rng.chance(0.5) ? 1 : 0, rng.pick(NASTY_WORDS));
    lines[i] = t.join(' ');
    return lines;
  },
  /** replace a chain name everywhere by a nasty one (keeps the file consistent) */
  renameChain(lines, rng) {
    const i = randomRuleLine(lines, rng);
    const chain = i >= 0 ? chainOf(lines[i]) : undefined;
    if (!chain) return undefined;
    const name = rng.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'A'.repeat(rng.range(29, 300)), 'ä\uD800', '', '-', '!', 'INPUT', 'PREROUTING']);
    const re = new RegExp(`(?<=[\\s:])${chain.replace(/[^\w-]/g, '\\$&')}(?=\\s|$)`, 'g');
    return lines.map((l) => l.replace(re, name));
  },
  cutFile(lines, rng) {
    const text = lines.join('\n');
    if (!text.length) return undefined;
    // anywhere: mid-line, mid-token, mid surrogate pair
    return text.slice(0, rng.int(text.length)).split('\n');
  },
  cutHead(lines, rng) {
    const text = lines.join('\n');
    if (!text.length) return undefined;
    return text.slice(rng.int(text.length)).split('\n');
  },
  dropCommit(lines, rng) {
    const all = rng.chance(0.5);
    let dropped = false;
    const out = lines.filter((l) => {
      if (l.trim() !== 'COMMIT' || (dropped && !all)) return true;
      if (!all && rng.chance(0.5)) return true;
      dropped = true;
      return false;
    });
    return dropped ? out : undefined;
  },
  unbalanceQuote(lines, rng) {
    const i = randomLineIndex(lines, rng);
    const line = lines[i] ?? '';
    const at = rng.int(line.length + 1);
    lines[i] = line.slice(0, at) + rng.pick(['"', '"', "'", '\\"', '\\']) + line.slice(at);
    return lines;
  },
  injectJunk(lines, rng) {
    const i = randomLineIndex(lines, rng);
    const line = lines[i] ?? '';
    const at = rng.int(line.length + 1);
    lines[i] = line.slice(0, at) + rng.pick(['\u0000', '\uFFFD', '\uD800', '\uDFFF', '\uFFFE', '\u0000\u0000\u0000', randomCodeUnits(rng, rng.range(1, 40))]) + line.slice(at);
    return lines;
  },
  binaryLines(lines, rng) {
    const at = rng.int(lines.length + 1);
    const junk = randomCodeUnits(rng, rng.range(10, 4000)).split('\n');
    lines.splice(at, 0, ...junk);
    return lines;
  },
  crlf(lines, rng) {
    if (rng.chance(0.5)) return lines.map((l) => l + '\r');
    const i = randomLineIndex(lines, rng);
    lines[i] = (lines[i] ?? '') + (rng.chance(0.5) ? '\r' : '\r\r');
    return lines;
  },
  loneCr(lines, rng) {
    // old Mac line ends inside the file: one "line" holding several rules
    const i = randomLineIndex(lines, rng);
    const n = Math.min(lines.length - i, rng.range(2, 10));
    lines.splice(i, n, lines.slice(i, i + n).join('\r'));
    return lines;
  },
  pasteListOutput(lines, rng) {
    const at = rng.int(lines.length + 1);
    const n = rng.range(1, L_OUTPUT.length);
    lines.splice(at, 0, ...Array.from({ length: n }, () => rng.pick(L_OUTPUT)));
    return lines;
  },
  anonymise(lines, rng) {
    const mask = rng.pick(['X.X.X.X', 'x.x.x.x', 'A.B.C.D', '<IP>', 'XXX.XXX.XXX.XXX', 'xxxx:xxxx::x', '***']);
    const all = rng.chance(0.3);
    let changed = false;
    const out = lines.map((l) =>
      (all || rng.chance(0.2)) && /\d+\.\d+\.\d+\.\d+|[0-9a-f]+::/i.test(l)
        ? ((changed = true), l.replace(/\d+\.\d+\.\d+\.\d+|[0-9a-f:]*::[0-9a-f:]*/gi, mask))
        : l,
    );
    return changed ? out : undefined;
  },
  hugeLine(lines, rng) {
    const at = rng.int(lines.length + 1);
    const kind = rng.int(5);
    const n = 100_000;
    let line: string;
    if (kind === 0) line = 'A'.repeat(n);
    else if (kind === 1) line = `-A INPUT -m comment --comment "${'x'.repeat(n)}" -j ACCEPT`;
    else if (kind === 2) line = '-A INPUT' + ' -p tcp'.repeat(n / 7);
    else if (kind === 3) line = '-A INPUT -s ' + Array.from({ length: n / 9 }, (_, k) => `10.${(k >> 8) & 255}.${k & 255}.1`).join(',') + ' -j DROP';
    else line = '-A INPUT ' + '! '.repeat(n / 2);
    lines.splice(at, 0, line);
    return lines;
  },
  selfJump(lines, rng) {
    const i = randomRuleLine(lines, rng);
    const chain = i >= 0 ? chainOf(lines[i]) : undefined;
    if (!chain) return undefined;
    const flag = rng.chance(0.5) ? '-j' : '-g';
    lines[i] = lines[i].replace(/ -[jg] \S+.*$/, '') + ` ${flag} ${chain}`;
    return lines;
  },
  /** two chains jumping to each other */
  jumpLoop(lines, rng) {
    const a = randomRuleLine(lines, rng);
    const b = randomRuleLine(lines, rng);
    const ca = a >= 0 ? chainOf(lines[a]) : undefined;
    const cb = b >= 0 ? chainOf(lines[b]) : undefined;
    if (!ca || !cb) return undefined;
    lines[a] = lines[a].replace(/ -[jg] \S+.*$/, '') + ` -j ${cb}`;
    lines[b] = lines[b].replace(/ -[jg] \S+.*$/, '') + ` -j ${ca}`;
    return lines;
  },
  deepChain(lines, rng) {
    const depth = rng.range(50, 3000);
    const table = rng.pick(['filter', 'nat', 'mangle', 'raw']);
    const hook = table === 'filter' ? 'INPUT' : 'PREROUTING';
    const out = [`*${table}`, `:${hook} ACCEPT [0:0]`];
    for (let k = 0; k < depth; k++) out.push(`:D${k} - [0:0]`);
    out.push(`-A ${hook} -j D0`);
    for (let k = 0; k < depth - 1; k++) out.push(`-A D${k} -p tcp -j D${k + 1}`);
    out.push(`-A D${depth - 1} -j ${rng.chance(0.5) ? 'DROP' : 'D0'}`);
    out.push('COMMIT');
    lines.splice(rng.chance(0.5) ? 0 : lines.length, 0, ...out);
    return lines;
  },
  manyTables(lines, rng) {
    const n = rng.range(10, 500);
    const out: string[] = [];
    for (let k = 0; k < n; k++) out.push(`*${rng.pick(['filter', 'nat', 'mangle', 'raw', 'security', `t${k}`])}`, ':INPUT ACCEPT [0:0]', `-A INPUT -s 10.0.${k & 255}.1 -j ACCEPT`, 'COMMIT');
    lines.splice(rng.int(lines.length + 1), 0, ...out);
    return lines;
  },
  replaceNumber(lines, rng) {
    const i = randomLineIndex(lines, rng);
    const line = lines[i] ?? '';
    const numbers = [...line.matchAll(/\d+/g)];
    if (!numbers.length) return undefined;
    const m = rng.pick(numbers);
    const value = rng.pick(['0', '-1', '4294967295', '4294967296', '65536', '99999999999999999999999', '1e3', '0x10', '', '00000000000000000001', '256', '129']);
    lines[i] = line.slice(0, m.index) + value + line.slice(m.index! + m[0].length);
    return lines;
  },
  insertLineFromOtherTable(lines, rng) {
    // a table header or chain declaration in the wrong place
    lines.splice(rng.int(lines.length + 1), 0, rng.pick(['*filter', '*nat', '*mangle', 'COMMIT', ':INPUT DROP [0:0]', ':NEW - [0:0]', '-N NEW', '-X NEW', '-F', '-P INPUT DROP', '-E INPUT X', '# comment', '', '   ', '*', ':', '-A', '-A INPUT', '-I INPUT 0 -j ACCEPT']));
    return lines;
  },
  caseChange(lines, rng) {
    const i = randomLineIndex(lines, rng);
    lines[i] = rng.chance(0.5) ? (lines[i] ?? '').toLowerCase() : (lines[i] ?? '').toUpperCase();
    return lines;
  },
};

export const MUTATOR_NAMES = Object.keys(MUTATORS);

/** Apply 1..maxOps random mutations to `text`. */
export function mutate(text: string, rng: Rng, maxOps = 6): Mutant {
  let lines = text.split('\n');
  const ops: string[] = [];
  const count = 1 + Math.min(maxOps - 1, Math.floor(-Math.log(1 - rng.next()) * 1.5));
  for (let k = 0; k < count; k++) {
    const name = rng.pick(MUTATOR_NAMES);
    // the expensive shapes are rarer so that the budget goes to variety
    if ((name === 'hugeLine' || name === 'deepChain' || name === 'manyTables') && !rng.chance(0.15)) continue;
    const result = MUTATORS[name](lines.slice(), rng);
    if (result) {
      lines = result;
      ops.push(name);
    }
  }
  return { text: lines.join('\n'), ops };
}

/** A window of a big file (a few hundred lines), so that huge seeds do not eat the budget. */
export function window(text: string, rng: Rng, maxLines = 400): string {
  const lines = text.split('\n');
  if (lines.length <= maxLines) return text;
  const start = rng.int(lines.length - maxLines);
  return lines.slice(start, start + maxLines).join('\n');
}
