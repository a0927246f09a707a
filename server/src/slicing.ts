// Long work on a big document (parsing, indexing, analysing a 100k-line dump) runs in slices;
// between slices the server answers what has arrived meanwhile.
//
// vscode-jsonrpc dispatches ONE queued message per event-loop turn (setImmediate). Yielding a
// single turn after each slice would let one request through per slice, and a burst of requests
// (hovers while the user moves the mouse) would queue up behind the work: 20 ms per request.
// So before every slice the work waits turn after turn until a few turns pass without a message
// handled (QUIET_TURNS); countingMessageStrategy, installed on the connection, is what counts them.

import type { Message, MessageStrategy } from 'vscode-languageserver';

/**
 * A slice of work lasts about this many milliseconds. On a busy 2-core machine the OS stretches a
 * slice several times over (V8's compiler and GC threads, the client): right after opening the 10k
 * dump, 10 ms slices let pings wait 44–64 ms (max of 3 runs each, five times), 5 ms slices 42–53 ms,
 * with the same time to the diagnostics (2026-11-23).
 */
export const SLICE_MS = 5;

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

/**
 * How much a job's slices matter now. A job runs its slices only while no job of a higher level is
 * running: 'awaited' (a request is waiting for it) before 'urgent' (what the diagnostics wait for:
 * parse, analysis) before 'background' (indexes for later requests). Jobs of one level take turns.
 */
export type Priority = 'background' | 'urgent' | 'awaited';
const LEVELS: Record<Priority, number> = { background: 0, urgent: 1, awaited: 2 };

/** Jobs running now, per level. */
const runningAtLevel = [0, 0, 0];
/** Jobs paused for a higher level: woken (to look again) whenever a job ends or is raised. */
let paused: Array<() => void> = [];

function wakePaused(): void {
  const waking = paused;
  paused = [];
  for (const resume of waking) resume();
}

/** A job's priority, which can be raised while it runs (a request starts waiting for its result). */
export class JobPriority {
  private level: number;
  private running = false;
  constructor(priority: Priority) {
    this.level = LEVELS[priority];
  }
  /** Raise to `priority` (never lowers): from its next slice the job runs before lower levels. */
  raise(priority: Priority): void {
    const level = LEVELS[priority];
    if (level <= this.level) return;
    if (this.running) {
      runningAtLevel[this.level]--;
      runningAtLevel[level]++;
    }
    this.level = level;
    wakePaused();
  }
  /** whether a job of a higher level is running (then this one waits) */
  outranked(): boolean {
    for (let level = this.level + 1; level < runningAtLevel.length; level++) if (runningAtLevel[level] > 0) return true;
    return false;
  }
  start(): void {
    this.running = true;
    runningAtLevel[this.level]++;
  }
  end(): void {
    this.running = false;
    runningAtLevel[this.level]--;
    wakePaused();
  }
}

/**
 * Run `step` until it returns true, in slices of SLICE_MS; between slices, every message that
 * arrived is handled first. False when `stale()` turned true (the work is abandoned).
 * The job pauses while jobs of a higher priority run (see Priority); pass a JobPriority to be able
 * to raise it later.
 */
export async function runSliced(step: () => boolean, stale: () => boolean, priority: Priority | JobPriority = 'urgent'): Promise<boolean> {
  const job = typeof priority === 'string' ? new JobPriority(priority) : priority;
  job.start();
  try {
    return await runSlices(step, stale, job);
  } finally {
    job.end();
  }
}

async function runSlices(step: () => boolean, stale: () => boolean, job: JobPriority): Promise<boolean> {
  for (;;) {
    // Before every slice, the first one too: a job that starts (or resumes) right after another
    // one's last slice would otherwise run two slices back to back while a request waits.
    await letQueuedMessagesThrough();
    if (stale()) return false;
    if (job.outranked()) {
      await new Promise<void>((resolve) => paused.push(resolve));
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
export async function runGeneratorSliced<T>(steps: Generator<void, T, void>, stale: () => boolean, priority: Priority | JobPriority = 'urgent'): Promise<{ value: T } | undefined> {
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
