// The trace panel's view model (client/src/trace-view/model.ts) and page (html.ts), without VS Code.
// fixtures/nodeport-trace.json is a hand-written NodePort trace (two 50% branches); its outline is
// expected/nodeport-trace.outline.txt (UPDATE_EXPECTED=1 rewrites it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { buildTraceViewModel, formatProbability, type TraceViewModel } from '../../client/src/trace-view/model';
import { jsonForScriptTag, makeNonce, parseTraceViewMessage, renderTraceHtml } from '../../client/src/trace-view/html';
import type { TraceResult } from '../../server/src/netfilter/trace/types';

const here = import.meta.dirname;
const sample = JSON.parse(readFileSync(path.join(here, 'fixtures', 'nodeport-trace.json'), 'utf8')) as TraceResult;

/** What the panel draws, as indented text: hooks, tables, steps at their depth, rewrites on edges. */
function outline(model: TraceViewModel): string {
  const lines = [`${model.packetLine} | ${model.summary} | selected path ${model.selected + 1} | side by side: ${model.sideBySide}`];
  for (const p of model.paths) {
    lines.push(`path ${p.index + 1}: ${p.probabilityText} ${p.verdict} (${p.outcome}) — ${p.distinction} — deciding line ${p.decidingLine}`);
    for (const hook of p.hooks) {
      lines.push(`  ${hook.hook}`);
      for (const table of hook.tables) {
        for (const node of table.nodes) {
          const branch = node.branch ? ` [${node.branch.probabilityText ?? ''} ${node.branch.assumption}]` : '';
          lines.push(`    ${'  '.repeat(node.depth)}${node.entersChain ? '▸ ' : ''}${table.table} ${node.chain} ${node.ruleLabel} L${node.line} ${node.verdictText}${branch}`);
          for (const rewrite of node.rewrites) lines.push(`    ${'  '.repeat(node.depth)}  ⇣ ${rewrite}`);
        }
      }
    }
    lines.push(`  final: ${p.finalPacket}; lines ${p.lines.join(',')}`);
  }
  return lines.join('\n') + '\n';
}

test('NodePort trace outline', () => {
  const model = buildTraceViewModel(sample, { packetLine: '192.168.50.9 -> 172.20.0.3:30080/tcp in eth0' });
  const actual = outline(model);
  const file = path.join(here, 'expected', 'nodeport-trace.outline.txt');
  if (process.env.UPDATE_EXPECTED === '1' || !existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    if (process.env.UPDATE_EXPECTED !== '1') assert.fail('wrote the missing expectation; review it and run again');
  }
  assert.equal(actual, readFileSync(file, 'utf8'));
});

test('call depth follows jumps and returns; rewrites sit on the step that made them', () => {
  const model = buildTraceViewModel(sample);
  const prerouting = model.paths[0].hooks[0];
  const nat = prerouting.tables[1].nodes;
  assert.deepEqual(nat.map((n) => n.depth), [0, 1, 2, 3, 4, 3, 4, 5]);
  const markMasq = nat.find((n) => n.chain === 'KUBE-MARK-MASQ')!;
  assert.deepEqual(markMasq.rewrites, ['mark 0x0 → 0x4000']);
  const dnat = nat[nat.length - 1];
  assert.deepEqual(dnat.rewrites, ['DNAT 172.20.0.3:30080 → 10.244.1.2:80']);
  assert.equal(model.paths[0].hooks.map((h) => h.hook).join(' '), 'PREROUTING FORWARD POSTROUTING');
});

test('the selected path: most likely, or the most likely through the lens rule', () => {
  assert.equal(buildTraceViewModel(sample).selected, 0);
  assert.equal(buildTraceViewModel(sample, { focusLine: 102 }).selected, 1, 'line 102 is on path 2 only');
  assert.equal(buildTraceViewModel(sample, { focusLine: 9999 }).selected, 0, 'a line on no path falls back to the most likely');
  const many = { ...sample, paths: [...sample.paths, ...sample.paths, ...sample.paths].map((p) => ({ ...p, probability: 1 / 6 })) };
  assert.equal(buildTraceViewModel(many).sideBySide, false, 'six paths: tabs, one at a time');
});

test('probabilities print like people write them', () => {
  assert.deepEqual([1, 0.5, 0.333333333, 0.0625, 0.00048828125, 0.00001].map(formatProbability), ['100%', '50%', '33.3%', '6.25%', '0.049%', '0.001%']);
});

test('the page: strict CSP with a nonce, no inline code, inert model JSON', () => {
  const nonce = makeNonce();
  assert.match(nonce, /^[A-Za-z0-9]{32}$/);
  const model = buildTraceViewModel(sample, { documentLabel: '</script><script>alert(1)</script>' });
  const html = renderTraceHtml({ cspSource: 'https://webview.test', nonce, scriptUri: 'https://webview.test/trace-view.js', styleUri: 'https://webview.test/trace-view.css', model });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, new RegExp(`script-src 'nonce-${nonce}'`));
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:\/\/(?!webview\.test)/);
  assert.equal((html.match(/<script/g) ?? []).length, 2, 'the JSON block and the nonce-tagged script file');
  assert.doesNotMatch(html, /<script>alert/);
  assert.equal(jsonForScriptTag({ a: '</script>' }), '{"a":"\\u003c/script\\u003e"}');
  assert.deepEqual(JSON.parse(jsonForScriptTag(model)), JSON.parse(JSON.stringify(model)));
});

test('messages from the page are checked', () => {
  assert.deepEqual(parseTraceViewMessage({ type: 'reveal', line: 12 }), { type: 'reveal', line: 12 });
  assert.deepEqual(parseTraceViewMessage({ type: 'select', path: 1 }), { type: 'select', path: 1 });
  for (const bad of [null, 'reveal', { type: 'reveal', line: '12' }, { type: 'reveal', line: 0 }, { type: 'select', path: -1 }, { type: 'open', url: 'https://x' }]) {
    assert.equal(parseTraceViewMessage(bad), undefined, JSON.stringify(bad));
  }
});
