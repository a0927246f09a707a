import { generateInput } from './test/fuzz/generate';
import { exercise, STAGE_TIMES } from './test/fuzz/exercise';
const input = generateInput(1, Number(process.argv[2]));
console.log(input.ops, input.text.length);
const t = Date.now();
try { exercise(input.text, input.exerciseSeed); } catch (e: any) { console.log('fail', e.message); }
console.log(Date.now() - t, [...STAGE_TIMES].sort((a,b)=>b[1]-a[1]).slice(0,5));
