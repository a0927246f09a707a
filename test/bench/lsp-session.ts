// The bundled language server driven over stdio, as an editor drives it, for the lsp-* bench cases:
// start `node server/dist/server.js --stdio`, open the dump, edit it, send requests, and read the
// server's peak RSS (VmHWM) from /proc. Also picks the positions and the edit the cases use.
//
// Not test/lsp/lsp-client.ts: that one rebundles a stale server; the bench measures whatever
// `npm run bench` bundled (and says "unavailable" when there is none).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import { defineBenchCase, isUnavailable, unavailable, type BenchCase, type BenchContext, type Unavailable } from './api';

export interface Position {
  line: number;
  character: number;
}

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: unknown[];
}

export function bundledServerPath(repoRoot: string): string | undefined {
  const path = join(repoRoot, 'server', 'dist', 'server.js');
  return existsSync(path) ? path : undefined;
}

/**
 * What the extension's client (vscode-languageclient, lib/common/foldingRange.js) declares that
 * changes the server's answers: it keeps at most 5,000 folding ranges per document, whole lines only.
 */
const CLIENT_CAPABILITIES = { textDocument: { foldingRange: { rangeLimit: 5000, lineFoldingOnly: true } } };

export class LspSession {
  private readonly waiters: Array<{ uri: string; version?: number; resolve: (p: PublishedDiagnostics) => void }> = [];
  private readonly analysedWaiters: Array<{ uri: string; version: number; resolve: () => void }> = [];
  private stderr = '';
  private readonly killOnExit = () => this.child.kill('SIGKILL');

  private constructor(
    readonly connection: MessageConnection,
    private readonly child: ChildProcess,
  ) {
    child.stderr!.on("data", (d: Buffer) => { if (process.env.ECHO_SERVER_STDERR) process.stderr.write(d); this.stderr = (this.stderr + d.toString()).slice(-4000); });
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishedDiagnostics) => {
      // The server tags diagnostics with the document version; an untagged one answers any waiter.
      const i = this.waiters.findIndex((w) => w.uri === params.uri && (w.version === undefined || params.version === undefined || params.version === w.version));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(params);
    });
    connection.onNotification('iptables-lens/analysed', (params: { uri: string; version: number }) => {
      for (let i = this.analysedWaiters.length - 1; i >= 0; i--) {
        const waiter = this.analysedWaiters[i];
        if (waiter.uri === params.uri && waiter.version === params.version) this.analysedWaiters.splice(i, 1)[0].resolve();
      }
    });
    for (const method of ['window/logMessage', 'window/showMessage', 'telemetry/event']) connection.onNotification(method, () => undefined);
    connection.onRequest(() => null); // workspace/configuration, client/registerCapability …
    // A bench child that exits (or is cut off at its budget) must not leave a server behind.
    process.on('exit', this.killOnExit);
  }

  static async start(serverPath: string): Promise<LspSession> {
    const child = spawn(process.execPath, [...(process.env.LSP_SERVER_NODE_ARGS ? process.env.LSP_SERVER_NODE_ARGS.split(' ') : []), serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const session = new LspSession(connection, child);
    connection.listen();
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: CLIENT_CAPABILITIES });
    await connection.sendNotification('initialized', {});
    return session;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the next publishDiagnostics for this uri (and version). Call BEFORE the notification that triggers it. */
  nextDiagnostics(uri: string, version?: number): Promise<PublishedDiagnostics> {
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve }));
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'iptables-save', version, text } });
  }

  change(uri: string, version: number, range: { start: Position; end: Position }, text: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
  }

  /** Sends a request and measures the time to its answer on this side of the pipe. */
  async timed<T = unknown>(method: string, params: unknown): Promise<{ result: T; ms: number }> {
    const start = performance.now();
    const result = (await this.connection.sendRequest(method, params)) as T;
    return { result, ms: performance.now() - start };
  }

  /**
   * Resolves when the server has published the diagnostics of this version with every analysis
   * (its `iptables-lens/analysed` notification). Call BEFORE the notification that triggers it.
   */
  nextAnalysed(uri: string, version: number): Promise<void> {
    return new Promise((resolve) => this.analysedWaiters.push({ uri, version, resolve }));
  }

  /**
   * Waits until the server is idle: the model of the current version is ready (a hover needs it)
   * and the background work after it (index warm-up) is over — three hovers in a row answered in
   * under 3 ms. Requests are answered between slices of background work, so one quick answer
   * alone does not mean idle.
   */
  async idle(uri: string): Promise<number> {
    let first: number | undefined;
    let quick = 0;
    for (let round = 0; round < 400 && quick < 3; round++) {
      const { ms } = await this.timed('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
      first ??= ms;
      quick = ms < 3 ? quick + 1 : 0;
      if (quick < 3) await new Promise((r) => setTimeout(r, 25));
    }
    return first!;
  }

  /** Peak resident set size of the server process so far (VmHWM), in bytes. */
  peakRssBytes(): number | undefined {
    try {
      const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return match ? Number(match[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  recentStderr(): string {
    return this.stderr;
  }

  async close(): Promise<void> {
    const bye = (async () => {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    })().catch(() => undefined);
    const exited = new Promise((r) => this.child.once('exit', r));
    // A server started with --cpu-prof writes its profile on exit: give it time.
    const grace = process.env.LSP_SERVER_NODE_ARGS ? 20_000 : 2000;
    await Promise.race([bye.then(() => exited), new Promise((r) => setTimeout(r, grace))]);
    this.connection.dispose();
    this.child.kill('SIGKILL');
    process.off('exit', this.killOnExit);
  }
}

/** A server with the dump open, its first diagnostics published and its indexes warmed up. */
export interface OpenDocument {
  session: LspSession;
  uri: string;
  version: number;
  openMs: number;
  diagnosticsCount: number;
}

export async function startWithDump(ctx: BenchContext): Promise<OpenDocument | Unavailable> {
  const serverPath = bundledServerPath(ctx.repoRoot);
  if (!serverPath) return unavailable('server/dist/server.js not built (npm run bundle)');
  const text = ctx.dumpText;
  const session = await LspSession.start(serverPath);
  const uri = `file://${ctx.dumpPath}`;
  const diagnostics = session.nextDiagnostics(uri, 1);
  const analysed = session.nextAnalysed(uri, 1);
  const start = performance.now();
  await session.open(uri, text, 1);
  const published = await diagnostics;
  const openMs = performance.now() - start;
  await analysed;
  await session.idle(uri); // and the index warm-up the server runs after publishing
  return { session, uri, version: 1, openMs, diagnosticsCount: published.diagnostics.length };
}

/** Setup of the edit cases: the server with the dump open, and the edit to send. */
export async function startWithDumpAndEdit(ctx: BenchContext): Promise<{ doc: OpenDocument; edit: PortEdit } | Unavailable> {
  const edit = middleServicePortEdit(ctx.dumpText);
  const doc = await startWithDump(ctx);
  return isUnavailable(doc) ? doc : { doc, edit };
}

/** The one-line edit: a port number in the KUBE-SERVICES rule in the middle of that chain. */
export interface PortEdit {
  line: number;
  character: number;
  original: string;
  replacement: string;
}

export function middleServicePortEdit(text: string): PortEdit {
  const candidates: Array<{ line: number; character: number; port: string }> = [];
  let line = 0;
  for (let start = 0; start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (text.startsWith('-A KUBE-SERVICES ', start)) {
      const content = text.slice(start, end);
      const match = / --dport (\d+)/.exec(content);
      if (match) candidates.push({ line, character: match.index + ' --dport '.length, port: match[1] });
    }
    start = end + 1;
  }
  if (!candidates.length) throw new Error('no KUBE-SERVICES rule with --dport in the dump');
  const chosen = candidates[candidates.length >> 1];
  const replacement = String(Number(chosen.port) === 65535 ? 65534 : Number(chosen.port) + 1);
  return { line: chosen.line, character: chosen.character, original: chosen.port, replacement };
}

/**
 * Sends the edit (or its undo, every other time: odd versions carry the original text) and returns
 * when it was sent and the promise of the new version's diagnostics.
 */
export async function sendEdit(doc: OpenDocument, edit: PortEdit): Promise<{ sentAt: number; diagnostics: Promise<PublishedDiagnostics>; analysed: Promise<void> }> {
  const currentIsOriginal = doc.version % 2 === 1;
  const [from, to] = currentIsOriginal ? [edit.original, edit.replacement] : [edit.replacement, edit.original];
  doc.version++;
  const diagnostics = doc.session.nextDiagnostics(doc.uri, doc.version);
  const analysed = doc.session.nextAnalysed(doc.uri, doc.version);
  const range = { start: { line: edit.line, character: edit.character }, end: { line: edit.line, character: edit.character + from.length } };
  const sentAt = performance.now();
  await doc.session.change(doc.uri, doc.version, range, to);
  return { sentAt, diagnostics, analysed };
}

export type PositionKind = 'jump target' | 'declaration' | 'mark' | 'address';

/**
 * About `count` positions spread evenly over the file: chain names after -j/-g (user chains only),
 * chain declarations, mark values and -s/-d addresses, a quarter each.
 */
export function samplePositions(text: string, count: number): Array<Position & { kind: PositionKind }> {
  const lines = text.split('\n');
  const declared = new Set<string>();
  for (const l of lines) if (l.startsWith(':')) declared.add(l.slice(1, l.indexOf(' ') > 0 ? l.indexOf(' ') : undefined));
  const found: Record<PositionKind, Position[]> = { 'jump target': [], declaration: [], mark: [], address: [] };
  lines.forEach((l, line) => {
    if (l.startsWith(':')) {
      found.declaration.push({ line, character: 2 });
      return;
    }
    if (!l.startsWith('-A ')) return;
    const jump = / -[jg] (\S+)/.exec(l);
    if (jump && declared.has(jump[1])) found['jump target'].push({ line, character: jump.index + 4 + 1 });
    const mark = / (0x[0-9a-fA-F]+)(?:\/0x[0-9a-fA-F]+)?/.exec(l);
    if (mark) found.mark.push({ line, character: mark.index + 2 });
    const address = / -[sd] (\d+\.\d+\.\d+\.\d+)/.exec(l);
    if (address) found.address.push({ line, character: address.index + 4 + 2 });
  });
  // A quarter per kind; a kind with fewer occurrences (marks) leaves its share to the others.
  const kinds = (Object.keys(found) as PositionKind[]).sort((a, b) => found[a].length - found[b].length);
  const result: Array<Position & { kind: PositionKind }> = [];
  kinds.forEach((kind, i) => {
    const all = found[kind];
    const take = Math.min(all.length, Math.ceil((count - result.length) / (kinds.length - i)));
    for (let j = 0; j < take; j++) result.push({ ...all[Math.floor(((j + 0.5) * all.length) / take)], kind });
  });
  // Interleave kinds in file order, as a user moving through the file would.
  return result.sort((a, b) => a.line - b.line || a.character - b.character);
}

/** Requests `method` at every position, one at a time; one latency per request. */
export async function timeRequests(doc: OpenDocument, method: string, positions: Position[]): Promise<{ samplesMs: number[]; answered: number }> {
  const samplesMs: number[] = [];
  let answered = 0;
  for (const position of positions) {
    const params: Record<string, unknown> = { textDocument: { uri: doc.uri }, position: { line: position.line, character: position.character } };
    if (method === 'textDocument/references') params.context = { includeDeclaration: true };
    const { result, ms } = await doc.session.timed(method, params);
    samplesMs.push(ms);
    if (result !== null && !(Array.isArray(result) && result.length === 0)) answered++;
  }
  return { samplesMs, answered };
}

/** Sizes the LSP cases run at: 30k is left to the engine and CLI cases (see bench.ts). */
export const LSP_SIZES = ['1k', '10k'] as const;

/** The hover / definition / references cases: one pass over ~200 positions, target on the p95. */
export function positionRequestCase(request: 'hover' | 'definition' | 'references'): BenchCase<{ doc: OpenDocument; positions: Position[] }> {
  return defineBenchCase<{ doc: OpenDocument; positions: Position[] }>({
    name: `lsp ${request} (p95)`,
    target: { absoluteMs: 10, statistic: 'p95' },
    sizes: LSP_SIZES,
    iterations: 1,
    warmup: 0,
    async setup(ctx) {
      const positions = samplePositions(ctx.dumpText, 200);
      const doc = await startWithDump(ctx);
      return isUnavailable(doc) ? doc : { doc, positions };
    },
    async run(_ctx, { doc, positions }) {
      const { samplesMs, answered } = await timeRequests(doc, `textDocument/${request}`, positions);
      return { samplesMs, note: `${positions.length} positions, ${answered} with an answer` };
    },
    async teardown(_ctx, { doc }) {
      const peakRssBytes = doc.session.peakRssBytes();
      await doc.session.close();
      return { peakRssBytes };
    },
  });
}

/** Setup of the cases that start their own server per run: its path, the dump read now (untimed). */
export function coldServerSetup(ctx: BenchContext): string | Unavailable {
  const serverPath = bundledServerPath(ctx.repoRoot);
  if (!serverPath) return unavailable('server/dist/server.js not built (npm run bundle)');
  void ctx.dumpText;
  return serverPath;
}

/**
 * What the responsiveness-after-open cases share: a fresh server per run (three runs, no warm-up),
 * judged by the LONGEST wait they saw against 50 ms.
 */
export const FRESH_SERVER_LONGEST_WAIT = {
  target: { absoluteMs: 50, statistic: 'max' as const },
  sizes: LSP_SIZES,
  iterations: 3,
  warmup: 0,
  setup: coldServerSetup,
};

/**
 * The cold-open cases: a fresh server (started untimed) gets didOpen with the whole dump; timed until
 * the first publishDiagnostics for it ('first': on a big document its parse problems, published
 * before the analyses finish) or until the diagnostics with every analysis ('all': the server's
 * `iptables-lens/analysed` notification follows that publish).
 */
export function defineOpenCase(name: string, until: 'first' | 'all') {
  return defineBenchCase<string>({
    name,
    target: { absoluteMs: 300 },
    sizes: LSP_SIZES,
    iterations: 3,
    warmup: 0,
    setup: coldServerSetup,
    async run(ctx, serverPath) {
      const session = await LspSession.start(serverPath);
      try {
        const uri = `file://${ctx.dumpPath}`;
        const diagnostics = session.nextDiagnostics(uri, 1);
        const analysed = session.nextAnalysed(uri, 1);
        const start = performance.now();
        await session.open(uri, ctx.dumpText, 1);
        const published = await diagnostics;
        const firstMs = performance.now() - start;
        await analysed;
        const allMs = performance.now() - start;
        await session.idle(uri);
        return { samplesMs: [until === 'first' ? firstMs : allMs], peakRssBytes: session.peakRssBytes(), note: `${published.diagnostics.length} diagnostics first; peak RSS = server VmHWM` };
      } finally {
        await session.close();
      }
    },
  });
}

/**
 * The warm edit cases: the dump is open; a one-line incremental edit (a port number in the middle
 * KUBE-SERVICES rule, alternately changed and restored), timed until the FIRST diagnostics of the new
 * version (parse problems plus the previous analysis' findings on untouched lines) or until ALL of them
 * (every analysis; the `iptables-lens/analysed` notification). Includes the server's edit debounce
 * (DIAGNOSTICS_DEBOUNCE_MS, 50 ms).
 */
export function defineEditCase(name: string, until: 'first' | 'all') {
  return defineBenchCase<{ doc: OpenDocument; edit: PortEdit }>({
    name,
    target: { absoluteMs: 300 },
    sizes: LSP_SIZES,
    iterations: 5,
    warmup: 1,
    setup: startWithDumpAndEdit,
    async run(_ctx, { doc, edit }) {
      const { sentAt, diagnostics, analysed } = await sendEdit(doc, edit);
      const published = await diagnostics;
      const firstMs = performance.now() - sentAt;
      await analysed;
      const allMs = performance.now() - sentAt;
      await doc.session.idle(doc.uri); // let the index warm-up finish before the next edit
      return { samplesMs: [until === 'first' ? firstMs : allMs], note: `line ${edit.line + 1}: --dport ${edit.original} ⇄ ${edit.replacement}, ${published.diagnostics.length} diagnostics first` };
    },
    async teardown(_ctx, { doc }) {
      const peakRssBytes = doc.session.peakRssBytes();
      await doc.session.close();
      return { peakRssBytes };
    },
  });
}
