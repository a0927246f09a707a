import { parseRuleset } from './server/src/netfilter/parser';
import { lintText } from './server/src/netfilter/lint';
import { tracePacket } from './server/src/netfilter/trace/simulate';
function deep(n: number, end = 'ACCEPT') {
  const out = ['*filter', ':INPUT DROP [0:0]'];
  for (let k = 0; k < n; k++) out.push(`:C${k} - [0:0]`);
  out.push('-A INPUT -j C0');
  for (let k = 0; k < n - 1; k++) out.push(`-A C${k} -p tcp -j C${k + 1}`);
  out.push(`-A C${n - 1} -j ${end}`, 'COMMIT', '');
  return out.join('\n');
}
for (const n of [5000, 20000]) {
  const text = deep(n);
  let t = Date.now(); const l = lintText(text); console.log(n, 'lint', Date.now() - t, l.problems.map(p => p.code).slice(0, 5));
  t = Date.now(); const r = tracePacket(l.ruleset, { src: '1.1.1.1', dst: '2.2.2.2', proto: 'tcp', dport: 80, localAddresses: ['2.2.2.2'] }); console.log(n, 'trace', Date.now() - t, r.paths.map(p => p.verdict + ' ' + p.outcome + ' ' + p.steps.length));
}
const loop = deep(3000, 'C0');
const l = lintText(loop); console.log('loop', l.problems.map(p => p.code + ' ' + p.message.slice(0, 100)).slice(0, 3));
const r = tracePacket(l.ruleset, { src: '1.1.1.1', dst: '2.2.2.2', proto: 'tcp', dport: 80, localAddresses: ['2.2.2.2'] }); console.log(r.paths.map(p => p.verdict + ' ' + p.outcome + ' ' + p.steps.length));
