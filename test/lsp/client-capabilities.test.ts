// What the client declares in initialize changes what the server sends: VS Code keeps at most
// `editor.foldingMaximumRegions` folding ranges (5,000 by default) and says so as `rangeLimit`; a
// 10k-service dump has 40k ranges. The server then sends the ones that hide the most lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKubeDump } from '../bench/generate-kube-dump';
import { useServer } from './lsp-client';

const LIMIT = 60;
const server = useServer({ textDocument: { foldingRange: { rangeLimit: LIMIT, lineFoldingOnly: true } } });

test('folding ranges: no more than the client\'s rangeLimit, the longest ones, in line order', async () => {
  const text = generateKubeDump({ services: 300, endpointsPerService: 3, seed: 5 });
  const uri = 'file:///work/kube-300-folding.rules';
  await server.client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'iptables-save', version: 1, text } });
  const ranges: Array<{ startLine: number; endLine: number; kind?: string }> = await server.client.connection.sendRequest('textDocument/foldingRange', { textDocument: { uri } });
  assert.equal(ranges.length, LIMIT);
  for (let k = 1; k < ranges.length; k++) assert.ok(ranges[k - 1].startLine <= ranges[k].startLine, `range ${k} out of line order`);
  const lines = text.split('\n');
  // every table, the nat table's block of declarations, and KUBE-SERVICES' run of rules are kept
  const tableStarts = lines.flatMap((line, i) => (line.startsWith('*') ? [i] : []));
  for (const start of tableStarts) assert.ok(ranges.some((r) => r.startLine === start && r.kind === 'region'), `table at line ${start + 1}`);
  const natDeclarations = lines.findIndex((line, i) => line.startsWith(':') && i > lines.indexOf('*nat'));
  assert.ok(ranges.some((r) => r.startLine === natDeclarations && r.endLine - r.startLine > 1000), 'the nat declarations');
  const services = lines.findIndex((line) => line.startsWith('-A KUBE-SERVICES ') && line.includes('-j KUBE-SVC-'));
  assert.ok(ranges.some((r) => r.startLine <= services && services <= r.endLine && r.kind !== 'region' && r.endLine - r.startLine >= 299), 'the KUBE-SERVICES rules');
  // nothing kept is shorter than a two-rule chain's fold
  assert.ok(ranges.every((r) => r.endLine - r.startLine >= 2), JSON.stringify(ranges.filter((r) => r.endLine - r.startLine < 2)));
});
