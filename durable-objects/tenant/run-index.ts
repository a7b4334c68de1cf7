/**
 * @module
 * The tenant's index of its runs: which runs exist, of which workflow, in which status. The
 * RunDO owns a run's state; this index answers `workflow_list_active` without visiting every
 * RunDO, and is updated by the RunDO after each status change.
 */

export type IndexedRunStatus = "running" | "waiting" | "completed" | "failed" | "cancelled";

export interface RunIndexEntry {
  workflow_id: string;
  workflow: string;
  version: string;
  status: IndexedRunStatus;
  created_at: string;
  updated_at: string;
}

interface RunRow extends Record<string, SqlStorageValue> {
  id: string;
  workflow: string;
  version: string;
  status: string;
  created_at: number;
  updated_at: number;
}

const ACTIVE: readonly IndexedRunStatus[] = ["running", "waiting"];

export function insertRun(
  sql: SqlStorage,
  run: { id: string; workflow: string; version: string; status: IndexedRunStatus },
  now: number,
): void {
  sql.exec(
    "INSERT INTO runs (id, workflow, version, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
    run.id,
    run.workflow,
    run.version,
    run.status,
    now,
    now,
  );
}

export function updateRunStatus(sql: SqlStorage, id: string, status: IndexedRunStatus, at: number): void {
  sql.exec("UPDATE runs SET status = ?, updated_at = ? WHERE id = ? AND updated_at <= ?", status, at, id, at);
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
