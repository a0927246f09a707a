// Data-driven trace tests, readable like the kernel's own trace. Each test/trace/cases/NAME.trace:
//
//   dump: seed:kind-worker2-after-nodeport.rules      (seed: → ../shared/fixtures/seeds, example: → examples/, else relative to the case)
//   packet: 192.168.50.9 -> 172.20.0.3:30080/tcp in eth0
//   local: 172.20.0.3                                  (optional: node addresses)
//   ipsets: ../../kernel/dumps/ipsets.ipset            (optional: `ipset save` output, resolved like dump)
//   ---
//   <the expected text of formatTrace>
//
// UPDATE_EXPECTED=1 rewrites everything below `---` (review the diff!). The kernel differential
// suite (test/kernel) proves the same engine against xtables-monitor --trace.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRuleset } from '../../server/src/netfilter/parser';
import { tracePacket } from '../../server/src/netfilter/trace/simulate';
import { parsePacketLine } from '../../server/src/netfilter/trace/packet-line';
import { formatTrace } from '../../server/src/netfilter/trace/format';
import { parseIpsetSave } from '../../server/src/netfilter/ipset';
import { resolveDump } from './dumps';

const dir = join(__dirname, 'cases');

for (const name of readdirSync(dir).filter((f) => f.endsWith('.trace')).sort()) {
  test(`trace ${name}`, () => {
    const path = join(dir, name);
    const content = readFileSync(path, 'utf8');
    const separator = content.indexOf('\n---\n');
    assert.ok(separator > 0, `${name}: missing '---' line`);
    const header = content.slice(0, separator);
    const fields = new Map(header.split('\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]));
    const dumpPath = resolveDump(fields.get('dump') ?? '', dir);
    const ruleset = parseRuleset(readFileSync(dumpPath, 'utf8'), { fileName: dumpPath });
    const local = fields.get('local')?.split(',').map((s) => s.trim()).filter(Boolean);
    const parsed = parsePacketLine(fields.get('packet') ?? '', local);
    assert.ok(parsed.request, `${name}: bad packet line: ${parsed.error}`);
    const ipsetFile = fields.get('ipsets');
    const ipsets = ipsetFile ? parseIpsetSave(readFileSync(resolveDump(ipsetFile, dir), 'utf8')).sets : undefined;
    const result = tracePacket(ruleset, { ...parsed.request, localAddresses: local, ipsets });
    const total = result.paths.reduce((sum, p) => sum + p.probability, 0);
    assert.ok(Math.abs(total - 1) < 1e-6, `${name}: path probabilities sum to ${total}, not 1`);
    const actual = formatTrace(result);
    const expected = content.slice(separator + 5);
    if (process.env.UPDATE_EXPECTED === '1') {
      writeFileSync(path, content.slice(0, separator + 5) + actual);
      return;
    }
    assert.equal(actual, expected);
  });
}
