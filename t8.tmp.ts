import { parseRuleset } from './server/src/netfilter/parser';
import { findLensSites, ruleAtLine, synthesizePacketForRule } from './server/src/netfilter/ide/code-lens';
import { traceInRuleset } from './server/src/features/trace';
for (const text of [
  '*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -d 10.0.0.1/32 -p tcp -m tcp --dport 80 -j ACCEPT\nCOMMIT\n',
  '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -d X.X.X.X/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 10.0.0.2:53\nCOMMIT\n',
  '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -d X.X.X.X/32 -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n',
]) {
  const p = parseRuleset(text);
  for (const site of findLensSites(p).sites) {
    if (site.kind !== 'rule') continue;
    const rule = ruleAtLine(p, site.line)!;
    const s = synthesizePacketForRule(p, rule);
    console.log(JSON.stringify(s));
    if (s.packetLine) console.log(JSON.stringify(traceInRuleset(p, { uri: 'x', packet: s.packetLine } as any)).slice(0, 200));
  }
}
