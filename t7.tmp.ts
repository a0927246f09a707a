import { readFileSync } from 'node:fs';
import { exercise, STAGE_TIMES } from './test/fuzz/exercise';
const base = readFileSync('../shared/fixtures/real-world/SgrAlpha__ubuntu-transparent-proxy__etc__iptables__rules.v4', 'utf8').split('\n');
const at = base.findIndex((l) => l.startsWith('-A SHADOWSOCKS -d 224'));
base.splice(at + 1, 0, '-A INPUT' + ' -p tcp'.repeat(100000 / 7));
const text = base.join('\n');
for (let seed = 0; seed < 6; seed++) {
  STAGE_TIMES.clear();
  const t = Date.now(); try { exercise(text, seed); } catch (e: any) { console.log(e.message.slice(0, 200)); } console.log(seed, Date.now() - t, [...STAGE_TIMES].sort((a,b)=>b[1]-a[1]).slice(0,3).map(([k,v])=>k+' '+Math.round(v)).join(', '));
}
