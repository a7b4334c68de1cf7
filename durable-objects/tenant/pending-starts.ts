/**
 * @module
 * Runs an event has promised but that are not yet confirmed started. Each row is written in the
 * same transaction as the event (so a 2xx always ends in the runs it names), deleted once the
 * RunDO has the run, and re-driven by the TenantDO's alarm if a crash or a failed call left it
 * behind. Run ids are minted before the row is written, so a re-driven start reaches the same
 * RunDO and cannot start a second run.
 */

export interface PendingStart {
  runId: string;
  eventId: string;
  position: number;
  workflow: string;
  /** the version to start; undefined = the latest published when the run starts */
  version?: string;
  inputs: Record<string, unknown>;
  attempts: number;
  nextAttemptAt: number;
  /** the run's lifecycle chain depth (tenant/lifecycle-events.ts); absent: 0 */
  depth?: number;
  /** the root run of its lifecycle chain (tenant/lifecycle-events.ts); absent: not lifecycle-started */
  chainRoot?: string;
}

interface PendingRow extends Record<string, SqlStorageValue> {
  run_id: string;
  event_id: string;
  position: number;
  workflow: string;
  version: string | null;
  inputs: string;
  attempts: number;
  next_attempt_at: number;
  depth: number;
  chain_root: string | null;
}

/** A start normally completes within milliseconds; the alarm re-drives it only after this long. */
export const REDRIVE_AFTER_MS = 15_000;
/** A start queued for an active-run slot (`start-queue.ts`) is tried again after this long even if no run end woke it. */
export const QUEUED_RECHECK_MS = 10 * 60_000;
/** Attempts before a start is given up (logged `start_failed`). */
export const MAX_START_ATTEMPTS = 8;

export function insertPendingStart(sql: SqlStorage, start: PendingStart): void {
  sql.exec(
    `INSERT INTO pending_starts (run_id, event_id, position, workflow, version, inputs, attempts, next_attempt_at, depth, chain_root)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    start.runId,
    start.eventId,
    start.position,
    start.workflow,
    start.version ?? null,
    JSON.stringify(start.inputs),
    start.attempts,
    start.nextAttemptAt,
    start.depth ?? 0,
    start.chainRoot ?? null,
  );
}

/** Starts whose retry time has come, oldest first. */
export function dueStarts(sql: SqlStorage, now: number, limit = 100): PendingStart[] {
  return sql
    .exec<PendingRow>(
      "SELECT * FROM pending_starts WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
      now,
      limit,
    )
    .toArray()
    .map(toPending);
}

export function hasPendingStart(sql: SqlStorage, runId: string): boolean {
  return sql.exec("SELECT 1 FROM pending_starts WHERE run_id = ?", runId).toArray().length > 0;
}

export function deletePendingStart(sql: SqlStorage, runId: string): void {
  sql.exec("DELETE FROM pending_starts WHERE run_id = ?", runId);
}

/** Counts a failed attempt and pushes the next one back (exponential, up to 10 minutes). */
export function postponeStart(sql: SqlStorage, start: PendingStart, now: number): void {
  const delay = Math.min(REDRIVE_AFTER_MS * 2 ** start.attempts, 600_000);
  sql.exec(
    "UPDATE pending_starts SET attempts = attempts + 1, next_attempt_at = ? WHERE run_id = ?",
    now + delay,
    start.runId,
  );
}

export function earliestStartAt(sql: SqlStorage): number | null {
  return sql.exec<{ at: number | null }>("SELECT MIN(next_attempt_at) AS at FROM pending_starts").one().at;
}

function toPending(row: PendingRow): PendingStart {
  const start: PendingStart = {
    runId: row.run_id,
    eventId: row.event_id,
    position: row.position,
    workflow: row.workflow,
    inputs: JSON.parse(row.inputs) as Record<string, unknown>,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
  };
  if (row.version !== null) start.version = row.version;
  if (row.depth > 0) start.depth = row.depth;
  if (row.chain_root !== null) start.chainRoot = row.chain_root;
  return start;
}
