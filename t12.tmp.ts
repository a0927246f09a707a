import { parseRuleset } from './server/src/netfilter/parser';
import { lintText } from './server/src/netfilter/lint';
const rule = (k: number) => `-A INPUT -s 10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}/32 -p tcp -m tcp --dport ${k % 65535} -m comment --comment "${'c'.repeat(900)}" -j ACCEPT`;
const lines = ['*filter', ':INPUT DROP [0:0]'];
let size = 0; let k = 0;
while (size < 50_000_000) { const l = rule(k++); lines.push(l); size += l.length + 1; }
lines.push('COMMIT', '');
const text = lines.join('\n');
const h0 = process.memoryUsage().heapUsed;
let t = Date.now(); const l = lintText(text); console.log(k, 'rules', text.length, 'lint', Date.now() - t, 'ms heap +', Math.round((process.memoryUsage().heapUsed - h0) / 1e6), 'MB', l.problems.length);
