/**
 * @module
 * The queue of run starts waiting for a free active-run slot (`active_runs_policy: queue`). A
 * queued start stays a pending start (`pending-starts.ts`: durable, re-driven by the alarm) and is
 * marked here, in the DO's synchronous KV (same storage, same transactions), with its place in
 * the queue (a stored sequence number) and when it was queued: slots go to the oldest first. A run's end wakes as many as there are free slots (their
 * retry time becomes now); a start that still finds no slot is queued again, keeping its place.
 * The queue's length is a stored counter kept in the same synchronous stretch as each entry, so
 * `max_queued_starts` is checked without listing the queue. The entries' keys are run ids, which do
 * not sort by place, so a wake still lists the whole queue: `max_queued_starts` bounds it.
 */
import { QUEUED_RECHECK_MS } from "./pending-starts.ts";

const PREFIX = "quota:queued:";
const SEQUENCE = "quota:queue_seq";
const LENGTH = "quota:queue_length";

interface QueuedEntry {
  seq: number;
  queuedAt: number;
}

interface QueuedStart extends QueuedEntry {
  runId: string;
}

/** Marks a pending start queued (keeping the first time) and sets its next try to the recheck time. */
export function queueStart(storage: DurableObjectStorage, runId: string, now: number): void {
  storage.transactionSync(() => {
    if (storage.kv.get<QueuedEntry>(PREFIX + runId) === undefined) {
      const seq = (storage.kv.get<number>(SEQUENCE) ?? 0) + 1;
      storage.kv.put(SEQUENCE, seq);
      storage.kv.put(PREFIX + runId, { seq, queuedAt: now } satisfies QueuedEntry);
      storage.kv.put(LENGTH, queueLength(storage.kv) + 1);
    }
    storage.sql.exec(
      "UPDATE pending_starts SET next_attempt_at = ? WHERE run_id = ?",
      now + QUEUED_RECHECK_MS,
      runId,
    );
  });
}

/** The start left the queue (it started, or it was refused for good). */
export function dequeueStart(kv: SyncKvStorage, runId: string): void {
  if (kv.get(PREFIX + runId) === undefined) return;
  const length = queueLength(kv);
  kv.delete(PREFIX + runId);
  kv.put(LENGTH, Math.max(0, length - 1));
}

/** Whether the start is queued already (it keeps its place, so it takes no new room). */
export function isQueued(kv: SyncKvStorage, runId: string): boolean {
  return kv.get(PREFIX + runId) !== undefined;
}

/**
 * How many starts are queued: the stored counter, or (for a queue stored before the counter
 * existed) a count of the entries, stored then.
 */
export function queueLength(kv: SyncKvStorage): number {
  const stored = kv.get<number>(LENGTH);
  if (stored !== undefined) return stored;
  let length = 0;
  for (const _ of kv.list({ prefix: PREFIX })) length++;
  kv.put(LENGTH, length);
  return length;
}

/** Queued starts, oldest first. */
export function queuedStarts(kv: SyncKvStorage): QueuedStart[] {
  const queued = [...kv.list<QueuedEntry>({ prefix: PREFIX })].map(([key, entry]) => ({
    runId: key.slice(PREFIX.length),
    ...entry,
  }));
  return queued.sort((a, b) => a.seq - b.seq);
}

/** Makes the `slots` oldest queued starts due at `now`; answers how many it woke. */
export function wakeQueuedStarts(storage: DurableObjectStorage, slots: number, now: number): number {
  if (slots <= 0) return 0;
  const woken = queuedStarts(storage.kv).slice(0, slots);
  storage.transactionSync(() => {
    for (const { runId } of woken) {
      storage.sql.exec("UPDATE pending_starts SET next_attempt_at = ? WHERE run_id = ?", now, runId);
    }
  });
  return woken.length;
}
