/**
 * @module
 * The queue of run starts waiting for a free active-run slot (`active_runs_policy: queue`). A
 * queued start stays a pending start (`pending-starts.ts`: durable, re-driven by the alarm) and is
 * marked here, in the DO's synchronous KV (same storage, same transactions), with when it was
 * queued: slots go to the oldest first. A run's end wakes as many as there are free slots (their
 * retry time becomes now); a start that still finds no slot is queued again, keeping its place.
 */
import { QUEUED_RECHECK_MS } from "./pending-starts.ts";

const PREFIX = "quota:queued:";

interface QueuedStart {
  runId: string;
  queuedAt: number;
}

/** Marks a pending start queued (keeping the first time) and sets its next try to the recheck time. */
export function queueStart(storage: DurableObjectStorage, runId: string, now: number): void {
  storage.transactionSync(() => {
    if (storage.kv.get<number>(PREFIX + runId) === undefined) storage.kv.put(PREFIX + runId, now);
    storage.sql.exec(
      "UPDATE pending_starts SET next_attempt_at = ? WHERE run_id = ?",
      now + QUEUED_RECHECK_MS,
      runId,
    );
  });
}

/** The start left the queue (it started, or it was refused for good). */
export function dequeueStart(kv: SyncKvStorage, runId: string): void {
  kv.delete(PREFIX + runId);
}

export function isQueued(kv: SyncKvStorage, runId: string): boolean {
  return kv.get<number>(PREFIX + runId) !== undefined;
}

/** Queued starts, oldest first. */
export function queuedStarts(kv: SyncKvStorage): QueuedStart[] {
  const queued = [...kv.list<number>({ prefix: PREFIX })].map(([key, queuedAt]) => ({
    runId: key.slice(PREFIX.length),
    queuedAt,
  }));
  return queued.sort((a, b) => a.queuedAt - b.queuedAt || a.runId.localeCompare(b.runId));
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
