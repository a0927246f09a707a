// The bundled server over stdio: code lenses come back as ranges + data, codeLens/resolve fills in
// TRACE_COMMAND with the synthesized packet (node address from workspace/configuration), and
// TRACE_REQUEST answers the NodePort example.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { startClient } from '../lsp/lsp-client';
import { TRACE_COMMAND, TRACE_REQUEST, type TraceResponse } from '../../server/src/protocol';

const seed = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'seeds', 'kind-worker2-after-nodeport.rules');

test('code lenses over LSP: lazy resolve, settings from the client, trace request', async () => {
  const client = await startClient();
  try {
    client.connection.onRequest('workspace/configuration', (params: { items: Array<{ section?: string }> }) =>
      params.items.map((item) => (item.section === 'iptables-lens' ? { nodeAddresses: ['172.20.0.3'] } : null)),
    );
    const uri = 'file:///tmp/kind-worker2-after-nodeport.rules';
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'iptables-save', version: 1, text: readFileSync(seed, 'utf8') } });
    assert.deepEqual(client.initializeResult.capabilities.codeLensProvider, { resolveProvider: true });
    const lenses = (await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as Array<{ range: any; command?: unknown; data: any }>;
    assert.equal(lenses.length, 34);
    assert.ok(lenses.every((lens) => lens.command === undefined), 'unresolved: no packet synthesized yet');
    const nodePort = lenses.find((lens) => lens.range.start.line === 88)!;
    const resolved = (await client.connection.sendRequest('codeLens/resolve', nodePort)) as { command: { title: string; command: string; arguments: unknown[] } };
    assert.equal(resolved.command.command, TRACE_COMMAND);
    assert.equal(resolved.command.arguments[0], uri);
    assert.equal(resolved.command.arguments[1], '192.168.50.9 -> 172.20.0.3:30080/tcp');
    assert.match(resolved.command.title, /outside client 192\.168\.50\.9 → node/);
    assert.equal((resolved.command.arguments[3] as { focusLine: number }).focusLine, 89);
    const hook = (await client.connection.sendRequest('codeLens/resolve', lenses[0])) as { command: { title: string; arguments: unknown[] } };
    assert.equal(hook.command.title, '▶ Trace packet…');
    assert.equal(hook.command.arguments[1], null, 'no packet line (undefined travels as null): the client asks');
    assert.equal((hook.command.arguments[3] as { startHook: string }).startHook, 'PREROUTING');

    const response = (await client.connection.sendRequest(TRACE_REQUEST, { uri, packet: '192.168.50.9 -> 172.20.0.3:30080/tcp in eth0', localAddresses: ['172.20.0.3'] })) as TraceResponse;
    assert.equal(response.result?.paths.length, 2);
    assert.deepEqual(response.result!.paths.map((p) => p.packet.dst).sort(), ['10.244.1.2', '10.244.2.2']);
  } finally {
    await client.close();
  }
});
