import { readFileSync } from 'node:fs';
import { parseRuleset } from './server/src/netfilter/parser';
import { traceInRuleset } from './server/src/features/trace';
const rs = parseRuleset(readFileSync('../shared/fixtures/seeds/kind-worker2-after-nodeport.rules','utf8'));
const r = traceInRuleset(rs, { uri: 'x', packet: '192.168.50.9 -> 172.20.0.3:30080/tcp in eth0', localAddresses: ['172.20.0.3'] });
console.log(r.error, r.result?.paths.length, r.text?.slice(0, 3000));
