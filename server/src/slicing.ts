// Long work on a big document (parsing, indexing, analysing a 100k-line dump) runs in slices;
// between slices the server answers what has arrived meanwhile.
//
// vscode-jsonrpc dispatches ONE queued message per event-loop turn (setImmediate). Yielding a
// single turn after each slice would let one request through per slice, and a burst of requests
// (hovers while the user moves the mouse) would queue up behind the work: 20 ms per request.
// So before every slice the work waits turn after turn until a few turns pass without a message
// handled (QUIET_TURNS); countingMessageStrategy, installed on the connection, is what counts them.

import type { Message, MessageStrategy } from 'vscode-languageserver';

/** A slice of work lasts about this many milliseconds. */
export const SLICE_MS = 10;

/** Turns to wait at most before one slice, however many messages keep arriving (the work must progress too). */
const MAX_TURNS_BETWEEN_SLICES = 256;

let messagesHandled = 0;

/** Pass to createConnection: counts dispatched messages so that runSliced can let them all through. */
export const countingMessageStrategy: MessageStrategy = {
  handleMessage(message: Message, next: (message: Message) => void): void {
    messagesHandled++;
    next(message);
  },
};

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Urgent work running now (parse, analysis: what the diagnostics wait for). */
let urgentRunning = 0;
const whenNoUrgentWork: Array<() => void> = [];

/**
 * Run `step` until it returns true, in slices of SLICE_MS; between slices, every message that
 * arrived is handled first. False when `stale()` turned true (the work is abandoned).
 * 'background' work (indexes for later requests) pauses while 'urgent' work runs.
 */
export async function runSliced(step: () => boolean, stale: () => boolean, priority: 'urgent' | 'background' = 'urgent'): Promise<boolean> {
  if (priority === 'background') return runSlices(step, stale, true);
  urgentRunning++;
  try {
    return await runSlices(step, stale, false);
  } finally {
    if (--urgentRunning === 0) for (const resume of whenNoUrgentWork.splice(0)) resume();
  }
}

async function runSlices(step: () => boolean, stale: () => boolean, background: boolean): Promise<boolean> {
  for (;;) {
    // Before every slice, the first one too: a job that starts (or resumes) right after another
    // one's last slice would otherwise run two slices back to back while a request waits.
    await letQueuedMessagesThrough();
    if (stale()) return false;
    if (background && urgentRunning > 0) {
      await new Promise<void>((resolve) => whenNoUrgentWork.push(resolve));
      continue;
    }
    const started = Date.now();
    do {
      if (step()) return true;
    } while (Date.now() - started < SLICE_MS);
  }
}

/**
 * A message that arrived during a slice is dispatched two turns later: vscode-jsonrpc decodes it in
 * one turn (its read semaphore) and dispatches it from its queue in the next. So the work goes on
 * only after this many turns in a row without a message handled.
 */
const QUIET_TURNS = 3;

/** Wait event-loop turns until QUIET_TURNS pass without a message handled (at most MAX_TURNS_BETWEEN_SLICES). */
async function letQueuedMessagesThrough(): Promise<void> {
  let quiet = 0;
  for (let turn = 0; turn < MAX_TURNS_BETWEEN_SLICES && quiet < QUIET_TURNS; turn++) {
    const before = messagesHandled;
    await nextTurn();
    quiet = messagesHandled === before ? quiet + 1 : 0;
  }
}

/**
 * Drive a generator (a resumable engine computation) to its end with runSliced. `{ value }` when it
 * finished, undefined when the work became stale first.
 */
export async function runGeneratorSliced<T>(steps: Generator<void, T, void>, stale: () => boolean, priority: 'urgent' | 'background' = 'urgent'): Promise<{ value: T } | undefined> {
  let result: { value: T } | undefined;
  const finished = await runSliced(
    () => {
      const next = steps.next();
      if (next.done) result = { value: next.value };
      return !!next.done;
    },
    stale,
    priority,
  );
  return finished ? result : undefined;
}
