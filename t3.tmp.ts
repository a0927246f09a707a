import { readFileSync } from 'node:fs';
import { exercise, STAGE_TIMES } from './test/fuzz/exercise';
const text = readFileSync('../shared/fixtures/real-world/Vssblt__iptables-gfw-list__rules.v4', 'utf8');
exercise(text, 1);
console.log([...STAGE_TIMES].sort((a,b)=>b[1]-a[1]).slice(0,8));
