// runSliced: between two slices of long work, every request that arrived meanwhile is answered —
// not one request per slice (vscode-jsonrpc dispatches one queued message per event-loop turn).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { countingMessageStrategy, runSliced, SLICE_MS } from '../../server/src/slicing';

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
