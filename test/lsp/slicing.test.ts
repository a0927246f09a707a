// runSliced: between two slices of long work, every request that arrived meanwhile is answered —
// not one request per slice (vscode-jsonrpc dispatches one queued message per event-loop turn).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMessageConnection, SocketMessageReader, SocketMessageWriter, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { countingMessageStrategy, JobPriority, runSliced, SLICE_MS } from '../../server/src/slicing';

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

test('a burst of requests sent during long work is answered within about one slice', async () => {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const server = createMessageConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient), undefined, { messageStrategy: countingMessageStrategy });
  const client = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  let slicesDone = 0;
  server.onRequest('ping', () => slicesDone);
  server.listen();
  client.listen();
  try {
    // 40 slices of work, each a full SLICE_MS of busy CPU.
    let steps = 0;
    const work = runSliced(() => {
      busyFor(SLICE_MS);
      slicesDone++;
      return ++steps >= 40;
    }, () => false);
    // Let the work start, then send 12 requests at once (they queue while a slice runs).
    await new Promise((resolve) => setTimeout(resolve, SLICE_MS * 2));
    const sentDuringSlice = slicesDone;
    const answers = await Promise.all(Array.from({ length: 12 }, () => client.sendRequest<number>('ping')));
    assert.equal(await work, true);
    // Every answer was given at most two slices after they were sent (one request per slice would
    // have spread them over 12 slices).
    const latest = Math.max(...answers);
    assert.ok(latest - sentDuringSlice <= 2, `answers were given after slices ${answers.join(', ')} (sent during slice ${sentDuringSlice})`);
  } finally {
    client.dispose();
    server.dispose();
  }
});

test('a request that arrives during the last slice of one job is answered before the next job starts', async () => {
  // A real socket, so that the request's bytes wait in the kernel while a slice runs (as a client's
  // do); the client side writes them raw, synchronously, from inside the slice.
  const path = join(tmpdir(), `iptables-lens-slicing-${process.pid}.sock`);
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(path, resolve));
  const accepted = new Promise<Socket>((resolve) => listener.once('connection', resolve));
  const clientSocket = connect(path);
  clientSocket.on('data', () => undefined); // the answers are not read
  await new Promise((resolve) => clientSocket.once('connect', resolve));
  const serverSocket = await accepted;
  const server = createMessageConnection(new SocketMessageReader(serverSocket), new SocketMessageWriter(serverSocket), undefined, { messageStrategy: countingMessageStrategy });
  const log: string[] = [];
  server.onRequest('ping', () => log.push('ping'));
  server.listen();
  try {
    // As the server chains them after an edit: the re-read (urgent), then at once the index
    // (background) and the analysis (urgent). Without letting messages through before a job's
    // first slice, a ping that came during the re-read's last slice waited for two more slices.
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const reread = runSliced(() => {
      clientSocket.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      busyFor(SLICE_MS);
      log.push('reread');
      return true;
    }, () => false);
    await reread.then(() =>
      Promise.all([
        runSliced(() => (log.push('index'), busyFor(SLICE_MS), true), () => false, 'background'),
        runSliced(() => (log.push('analysis'), busyFor(SLICE_MS), true), () => false),
      ]),
    );
    assert.deepEqual(log, ['reread', 'ping', 'analysis', 'index']);
  } finally {
    server.dispose();
    clientSocket.destroy();
    serverSocket.destroy();
    listener.close();
  }
});

test('runSliced stops when the work became stale, and finishes when the step says so', async () => {
  let calls = 0;
  assert.equal(await runSliced(() => ++calls === 3, () => false), true);
  let stale = false;
  let steps = 0;
  const result = runSliced(() => {
    busyFor(SLICE_MS);
    if (++steps === 2) stale = true;
    return false;
  }, () => stale);
  assert.equal(await result, false);
});

test('background work waits while urgent work runs, then resumes', async () => {
  const order: string[] = [];
  let urgentSteps = 0;
  let backgroundSteps = 0;
  const background = runSliced(() => {
    order.push('background');
    busyFor(2);
    return ++backgroundSteps >= 20; // several slices
  }, () => false, 'background');
  const urgent = runSliced(() => {
    order.push('urgent');
    busyFor(SLICE_MS);
    return ++urgentSteps >= 4;
  }, () => false);
  assert.deepEqual(await Promise.all([urgent, background]), [true, true]);
  // The background slice that started before the urgent work may finish its own slice; after that,
  // nothing of it runs until the urgent work is done.
  const firstUrgent = order.indexOf('urgent');
  const lastUrgent = order.lastIndexOf('urgent');
  assert.ok(!order.slice(firstUrgent, lastUrgent).includes('background'), order.join(' '));
  assert.equal(order.filter((o) => o === 'background').length, 20);
  assert.ok(order.lastIndexOf('background') > lastUrgent, 'the background work finished after the urgent work');
});

test('background work raised to awaited (a request waits for it) runs before urgent work, which then resumes', async () => {
  const order: string[] = [];
  let urgentSteps = 0;
  let indexSteps = 0;
  const indexJob = new JobPriority('background');
  const urgent = runSliced(() => {
    order.push('urgent');
    busyFor(SLICE_MS);
    return ++urgentSteps >= 6;
  }, () => false);
  const index = runSliced(() => {
    order.push('index');
    busyFor(SLICE_MS);
    return ++indexSteps >= 3;
  }, () => false, indexJob);
  // Let a couple of urgent slices run (the index waits), then a request starts waiting for the index.
  while (urgentSteps < 2) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(!order.includes('index'), order.join(' '));
  indexJob.raise('awaited');
  indexJob.raise('background'); // never lowered
  assert.deepEqual(await Promise.all([urgent, index]), [true, true]);
  // From the raise on, every index slice comes before the rest of the urgent work (the urgent slice
  // that was running when it was raised may finish first).
  const firstIndex = order.indexOf('index');
  const lastIndex = order.lastIndexOf('index');
  assert.ok(!order.slice(firstIndex, lastIndex).includes('urgent'), order.join(' '));
  assert.ok(order.lastIndexOf('urgent') > lastIndex, `the urgent work resumed after the index: ${order.join(' ')}`);
  assert.ok(firstIndex <= 4, `the index started right after the raise: ${order.join(' ')}`);
});
