import { readFileSync, readdirSync } from 'node:fs';
import { parseRuleset } from './server/src/netfilter/parser';
import { findLensSites, synthesizePacketForRule, ruleAtLine, findPodCidr } from './server/src/netfilter/ide/code-lens';
for (const f of readdirSync('../shared/fixtures/seeds').filter(f=>f.endsWith('.rules'))) {
  const rs = parseRuleset(readFileSync('../shared/fixtures/seeds/'+f,'utf8'));
  const { sites } = findLensSites(rs);
  console.log('==', f, sites.length, findPodCidr(rs));
  for (const s of sites) {
    if (s.kind === 'hook') { console.log(s.line+1, 'hook', s.table, s.chain); continue; }
    const r = ruleAtLine(rs, s.line)!;
    const p = synthesizePacketForRule(rs, r);
    console.log(s.line+1, s.table, s.chain, '|', p.packetLine ?? ('ASK '+p.suggestion), '|', p.title);
  }
}
