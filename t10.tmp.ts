import { parseRuleset } from './server/src/netfilter/parser';
import { findLensSites, ruleAtLine, synthesizePacketForRule } from './server/src/netfilter/ide/code-lens';
import { traceInRuleset } from './server/src/features/trace';
import { inferLocalAddresses, tracePacket } from './server/src/netfilter/trace/simulate';
const text = '*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:KUBE-NODEPORTS - [0:0]\n-A PREROUTING -j KUBE-NODEPORTS\n-A KUBE-NODEPORTS -p tcp -m tcp --dport 30080 -j DNAT --to-destination 10.244.0.5:80\n-A POSTROUTING -s 10.244.0.0/16 -j SNAT --to-source X.X.X.X\nCOMMIT\n';
const p = parseRuleset(text);
console.log(inferLocalAddresses(p));
for (const site of findLensSites(p).sites) {
  if (site.kind !== 'rule') continue;
  const s = synthesizePacketForRule(p, ruleAtLine(p, site.line)!);
  console.log(JSON.stringify(s));
  if (s.packetLine) console.log(JSON.stringify(traceInRuleset(p, { uri: 'x', packet: s.packetLine } as any)).slice(0, 300));
}
console.log(tracePacket(p, { src: '1.2.3.4', dst: '5.6.7.8', proto: 'tcp', dport: 80 }).notes);
