/**
 * @module
 * The tenant's index of its runs: which runs exist, of which workflow, in which status. The
 * RunDO owns a run's state; this index answers `workflow_list_active` without visiting every
 * RunDO. The TenantDO writes a run's row when it starts the run; the RunDO reports every later
 * status change (including those its alarm causes). A finished run's row carries `expires_at`
 * (finished at + the tenant's retention): retention deletes the run when it passes
 * (`run-retention.ts`), and the row is deleted last, once the RunDO has deleted its storage.
 */

import type { IndexedRunStatus, RunIndexEntry, RunIndexRecord } from "./contracts.ts";
import { runLimitsOf } from "./run-limits.ts";
import { readSettings } from "./settings.ts";

interface RunRow extends Record<string, SqlStorageValue> {
  id: string;
  workflow: string;
  version: string;
  status: string;
  created_at: number;
  updated_at: number;
}

const ACTIVE: readonly IndexedRunStatus[] = ["running", "waiting"];

export function isActiveStatus(status: IndexedRunStatus): boolean {
  return ACTIVE.includes(status);
}

/**
 * Inserts or refreshes a run's row (its status, and its version: a migration changes it); a
 * report older than the stored one is ignored. Answers when
 * the run expires (finished: `updatedAt` + the tenant's retention) or null while it is active,
 * so the caller can arm the tenant's alarm for it.
 */
export function upsertRun(sql: SqlStorage, record: RunIndexRecord): number | null {
  const expiresAt = isActiveStatus(record.status)
    ? null
    : record.updatedAt + runLimitsOf(readSettings(sql)).retentionMs;
  sql.exec(
    `INSERT INTO runs (id, workflow, version, status, created_at, updated_at, expires_at, finished_at, depth, chain_root)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at,
       expires_at = excluded.expires_at, finished_at = excluded.finished_at, version = excluded.version,
       depth = MAX(runs.depth, excluded.depth), chain_root = COALESCE(runs.chain_root, excluded.chain_root)
     WHERE excluded.updated_at >= runs.updated_at`,
    record.id,
    record.workflow,
    record.version,
    record.status,
    record.createdAt,
    record.updatedAt,
    expiresAt,
    isActiveStatus(record.status) ? null : record.updatedAt,
    record.depth ?? 0,
    record.chainRoot ?? null,
  );
  return expiresAt;
}

export function countRuns(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM runs").one().n;
}

/** Runs running or waiting (what `max_active_runs` counts, besides starts in flight). */
export function countActiveRuns(sql: SqlStorage): number {
  return sql
    .exec<{ n: number }>(
      `SELECT COUNT(*) AS n FROM runs WHERE status IN (${ACTIVE.map(() => "?").join(", ")})`,
      ...ACTIVE,
    )
    .one().n;
}

/** Finished runs whose retention has passed, soonest expired first. */
export function expiredRuns(sql: SqlStorage, now: number, limit: number): string[] {
  return sql
    .exec<{ id: string }>("SELECT id FROM runs WHERE expires_at <= ? ORDER BY expires_at LIMIT ?", now, limit)
    .toArray()
    .map((row) => row.id);
}

/** The oldest finished runs (by when they finished): what the stored-runs cap deletes first. */
export function oldestFinishedRuns(sql: SqlStorage, limit: number): string[] {
  return sql
    .exec<{ id: string }>(
      "SELECT id FROM runs WHERE expires_at IS NOT NULL ORDER BY updated_at, id LIMIT ?",
      limit,
    )
    .toArray()
    .map((row) => row.id);
}

/** When the next finished run expires (a tenant timer), or null. */
export function nextRunExpiry(sql: SqlStorage): number | null {
  return sql.exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM runs").one().at;
}

/** After a retention change: every finished run expires at finished + `retentionMs`. */
export function resetRunExpiries(sql: SqlStorage, retentionMs: number): void {
  sql.exec("UPDATE runs SET expires_at = updated_at + ? WHERE expires_at IS NOT NULL", retentionMs);
}

/** Sets a row to what the RunDO says (retention found it still active: the index was behind). */
export function correctRun(sql: SqlStorage, record: RunIndexRecord): void {
  sql.exec(
    "UPDATE runs SET status = ?, updated_at = ?, expires_at = NULL, finished_at = NULL WHERE id = ?",
    record.status,
    record.updatedAt,
    record.id,
  );
}

/** A deletion that did not get through is tried again at `at`. */
export function postponeRunExpiry(sql: SqlStorage, id: string, at: number): void {
  sql.exec("UPDATE runs SET expires_at = ? WHERE id = ? AND expires_at IS NOT NULL", at, id);
}

/** Drops a run's row; only once its RunDO has confirmed that its storage is deleted. */
export function deleteRunRow(sql: SqlStorage, id: string): void {
  sql.exec("DELETE FROM runs WHERE id = ?", id);
}

export function hasRun(sql: SqlStorage, id: string): boolean {
  return sql.exec("SELECT 1 FROM runs WHERE id = ?", id).toArray().length > 0;
}

export function listRuns(sql: SqlStorage, options: { activeOnly: boolean; limit: number }): RunIndexEntry[] {
  const rows = options.activeOnly
    ? sql
        .exec<RunRow>(
          `SELECT * FROM runs WHERE status IN (${ACTIVE.map(() => "?").join(", ")}) ORDER BY created_at DESC LIMIT ?`,
          ...ACTIVE,
          options.limit,
        )
        .toArray()
    : sql.exec<RunRow>("SELECT * FROM runs ORDER BY created_at DESC LIMIT ?", options.limit).toArray();
  return rows.map(toEntry);
}

function toEntry(row: RunRow): RunIndexEntry {
  return {
    workflow_id: row.id,
    workflow: row.workflow,
    version: row.version,
    status: row.status as IndexedRunStatus,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

/** A run's workflow, version and status as the index knows them, or null when it is not indexed. */
export function indexedRunOf(
  sql: SqlStorage,
  id: string,
): { workflow: string; version: string; status: IndexedRunStatus } | null {
  const row = sql
    .exec<Pick<RunRow, "workflow" | "version" | "status">>(
      "SELECT workflow, version, status FROM runs WHERE id = ?",
      id,
    )
    .toArray()[0];
  return row === undefined ? null : { ...row, status: row.status as IndexedRunStatus };
}

/** Ids of active runs of one version of a workflow, in id order after `afterId` (a bulk migration's page). */
export function activeRunsOfVersion(
  sql: SqlStorage,
  query: { workflow: string; version: string; afterId: string; limit: number },
): string[] {
  return sql
    .exec<{ id: string }>(
      `SELECT id FROM runs WHERE status IN (${ACTIVE.map(() => "?").join(", ")})
         AND workflow = ? AND version = ? AND id > ? ORDER BY id LIMIT ?`,
      ...ACTIVE,
      query.workflow,
      query.version,
      query.afterId,
      query.limit,
    )
    .toArray()
    .map((row) => row.id);
}
