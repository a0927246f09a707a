// Starts and stops a throw-away code-server (VS Code 1.100 server + browser workbench) for e2e tests.
// Facts behind the flags: /work/shared/notes/vscode-e2e.md. Node-only helper, never loaded by the extension.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
/** Repository root; the bundled scripts live in test/e2e/out/, sources in test/e2e/harness/. */
export const repoRoot = findRepoRoot(__dirname);
export const e2eDir = join(repoRoot, 'test', 'e2e');
export const codeServerEntry = join(
  e2eDir, '.cache', `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js',
);

function findRepoRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'test', 'e2e'))) {
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error(`repository root not found above ${start}`);
    dir = parent;
  }
  return dir;
}

export interface CodeServer {
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Temp dir holding user-data, extensions, XDG dirs and the server log. */
  stateDir: string;
  logFile: string;
  /** `vscode-remote://127.0.0.1:PORT/abs/path` — how the browser workbench names a server-side path. */
  remoteUri(absolutePath: string): string;
  /** Workbench URL opening `folder` (server-side absolute path), with an optional extension-test payload. */
  workbenchUrl(folder?: string, payload?: [string, string][]): string;
  /** Kills the whole process group (server, extension host, language servers) and removes stateDir. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** .vsix files installed into the fresh extensions dir before the server starts. */
  installVsix?: string[];
  /** Keep the state dir after stop (for debugging). */
  keepState?: boolean;
  /** User settings merged over DEFAULT_SETTINGS. */
  settings?: Record<string, unknown>;
  /** How long to wait for /healthz. */
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

/** A quiet, deterministic workbench: no welcome page, no update or recommendation lookups. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
};

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function codeServerEnv(stateDir: string): NodeJS.ProcessEnv {
  // XDG dirs in temp: otherwise code-server writes ~/.config/code-server/config.yaml with a password.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: join(stateDir, 'xdg-config'),
    XDG_DATA_HOME: join(stateDir, 'xdg-data'),
    XDG_CACHE_HOME: join(stateDir, 'xdg-cache'),
  };
  // Inherited from a parent VS Code / code-server these would confuse the child server.
  for (const key of Object.keys(env)) if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
  return env;
}

function commonArgs(stateDir: string): string[] {
  return [
    '--user-data-dir', join(stateDir, 'user-data'),
    '--extensions-dir', join(stateDir, 'extensions'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
  ];
}

/** Installs a .vsix with the same server binary, into the state dir's extensions dir. */
function installVsix(stateDir: string, vsix: string): void {
  const result = spawnSync(process.execPath, [codeServerEntry, ...commonArgs(stateDir), '--force', '--install-extension', vsix], {
    env: codeServerEnv(stateDir), encoding: 'utf8', timeout: 120_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`installing ${vsix} failed (exit ${result.status}):\n${output}`);
  }
}

export async function startCodeServer(options: StartOptions = {}): Promise<CodeServer> {
  if (!existsSync(codeServerEntry)) {
    throw new Error(`code-server is not installed at ${codeServerEntry}; run scripts/e2e-setup.sh`);
  }
  const log = options.log ?? (() => {});
  const stateDir = mkdtempSync(join(tmpdir(), 'iptables-lens-e2e-'));
  for (const sub of ['user-data', 'extensions', 'xdg-config', 'xdg-data', 'xdg-cache']) mkdirSync(join(stateDir, sub));
  // code-server keeps user settings on the server side, in the user-data dir.
  mkdirSync(join(stateDir, 'user-data', 'User'));
  writeFileSync(join(stateDir, 'user-data', 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2));
  for (const vsix of options.installVsix ?? []) installVsix(stateDir, vsix);

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const logFile = join(stateDir, 'code-server.log');
  const logStream = createWriteStream(logFile);
  // detached: the server gets its own process group, so stop() can kill every descendant at once
  // (an orphaned extension host otherwise lives on for hours).
  const child: ChildProcess = spawn(process.execPath, [
    codeServerEntry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', ...commonArgs(stateDir),
  ], { env: codeServerEnv(stateDir), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(logStream, { end: false });
  child.stderr?.pipe(logStream, { end: false });
  let exited = false;
  const exitPromise = new Promise<void>((done) => child.once('exit', () => { exited = true; done(); }));
  log(`code-server pid ${child.pid} on ${origin} (state ${stateDir})`);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    killGroup(child.pid, 'SIGTERM');
    const gone = await Promise.race([exitPromise.then(() => true), delay(3000).then(() => false)]);
    // SIGKILL the group even when the leader exited: extension hosts may ignore SIGTERM.
    killGroup(child.pid, 'SIGKILL');
    if (!gone) await Promise.race([exitPromise, delay(2000)]);
    logStream.end();
    if (!options.keepState) rmSync(stateDir, { recursive: true, force: true, maxRetries: 3 });
  };
  stopOnProcessExit(stop, child.pid);

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) {
      await stop().catch(() => {});
      throw new Error(`code-server exited during start-up; log:\n${safeRead(logFile)}`);
    }
    if (await healthy(origin)) break;
    if (Date.now() > deadline) {
      const tail = safeRead(logFile);
      await stop();
      throw new Error(`code-server did not answer /healthz within the timeout; log:\n${tail}`);
    }
    await delay(100);
  }

  const remoteUri = (absolutePath: string) => `vscode-remote://127.0.0.1:${port}${encodeURI(absolutePath)}`;
  const workbenchUrl = (folder?: string, payload?: [string, string][]) => {
    const params = new URLSearchParams();
    if (folder) params.set('folder', folder);
    if (payload?.length) params.set('payload', JSON.stringify(payload));
    const query = params.toString();
    return `${origin}/${query ? `?${query}` : ''}`;
  };
  return { port, origin, stateDir, logFile, remoteUri, workbenchUrl, stop };
}

async function healthy(origin: string): Promise<boolean> {
  try {
    const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try { process.kill(-pid, signal); } catch { /* group already gone */ }
}

/** Last-resort clean-up: if our process exits (normally or by signal), the server group goes too. */
function stopOnProcessExit(stop: () => Promise<void>, pid: number | undefined): void {
  process.once('exit', () => killGroup(pid, 'SIGKILL'));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killGroup(pid, 'SIGKILL');
      void stop().finally(() => process.exit(130));
    });
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

function safeRead(file: string): string {
  try { return readFileSync(file, 'utf8').slice(-4000); } catch { return '(no log)'; }
}
