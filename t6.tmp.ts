import { exercise, STAGE_TIMES } from './test/fuzz/exercise';
import { parseRuleset } from './server/src/netfilter/parser';
import { lintText } from './server/src/netfilter/lint';
for (const n of [2000, 8000]) {
  const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT' + ' -p tcp'.repeat(n) + '\nCOMMIT\n';
  let t = Date.now(); const p = parseRuleset(text); console.log(n, 'parse', Date.now() - t, p.problems.length);
  t = Date.now(); lintText(text); console.log(n, 'lint', Date.now() - t);
  STAGE_TIMES.clear();
  t = Date.now(); try { exercise(text, 1); } catch (e: any) { console.log(e.message.slice(0, 200)); } console.log(n, 'exercise', Date.now() - t, [...STAGE_TIMES].sort((a,b)=>b[1]-a[1]).slice(0,4));
}
