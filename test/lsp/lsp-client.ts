// A tiny LSP client for tests: spawns the server over stdio and speaks JSON-RPC with vscode-jsonrpc.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import { after, before } from 'node:test';

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** server/dist/server.js, rebundled when missing or older than any server source file. */
export function bundledServer(): string {
  const out = join(REPO_ROOT, 'server', 'dist', 'server.js');
  const newest = newestMtime(join(REPO_ROOT, 'server', 'src'));
  if (!existsSync(out) || statSync(out).mtimeMs < newest) execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
  return out;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export interface TestClient {
  connection: MessageConnection;
  process: ChildProcess;
  diagnostics: Map<string, unknown[]>;
  initializeResult: any;
  /** resolves with the next publishDiagnostics for the uri */
  nextDiagnostics(uri: string): Promise<{ uri: string; version?: number; diagnostics: any[] }>;
  stderr(): string;
  close(): Promise<void>;
}

/** `capabilities`: what the client says it can do in initialize (VS Code's folding range limit …). */
export async function startClient(capabilities: object = {}): Promise<TestClient> {
  const child = spawn(process.execPath, [bundledServer(), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const diagnostics = new Map<string, unknown[]>();
  const waiters = new Map<string, Array<(p: any) => void>>();
  connection.onNotification('textDocument/publishDiagnostics', (params: any) => {
    diagnostics.set(params.uri, params.diagnostics);
    const list = waiters.get(params.uri);
    if (list?.length) list.shift()!(params);
  });
  connection.onNotification('window/logMessage', () => undefined);
  connection.listen();
  const initializeResult = await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities });
  await connection.sendNotification('initialized', {});
  return {
    connection,
    process: child,
    diagnostics,
    initializeResult,
    nextDiagnostics(uri) {
      return new Promise((resolvePromise) => {
        const list = waiters.get(uri) ?? [];
        list.push(resolvePromise);
        waiters.set(uri, list);
      });
    },
    stderr: () => stderr,
    async close() {
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } catch {
        // already gone
      }
      connection.dispose();
      child.kill();
    },
  };
}

/** One server for the tests of a file: started before them, closed after them (`server.client`). */
export function useServer(capabilities: object = {}): { readonly client: TestClient } {
  let client: TestClient | undefined;
  before(async () => {
    client = await startClient(capabilities);
  });
  after(async () => {
    await client?.close();
  });
  return {
    get client(): TestClient {
      if (!client) throw new Error('the test server has not started');
      return client;
    },
  };
}

/** The LSP position of the character `delta` characters into the first `needle` of `text`. */
export function positionOf(text: string, needle: string, delta = 1): { line: number; character: number } {
  const found = text.indexOf(needle);
  if (found < 0) throw new Error(`not in the text: ${needle}`);
  const before = text.slice(0, found + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}
