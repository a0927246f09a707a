import { readFileSync, readdirSync } from 'node:fs';
import { failureOf } from './test/fuzz/minimize';
import { exercise } from './test/fuzz/exercise';
for (const dir of ['/tmp/fz1', 'test/fuzz/regressions']) for (const f of readdirSync(dir)) {
  const text = readFileSync(dir + '/' + f, 'utf8');
  let msg = 'ok';
  for (let seed = 0; seed < 4; seed++) { try { exercise(text, seed, { allOffsets: text.length < 3000 }); } catch (e: any) { msg = e.message.slice(0, 250); break; } }
  console.log(dir, f, '→', msg);
}
