/**
 * @module
 * The tenant's index of its runs: which runs exist, of which workflow, in which status. The
 * RunDO owns a run's state; this index answers `workflow_list_active` without visiting every
 * RunDO. The TenantDO writes a run's row when it starts the run; the RunDO reports every later
 * status change (including those its alarm causes).
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

/** What a RunDO reports about its run; the index keeps the newest report per run. */
export interface RunIndexRecord {
  id: string;
  workflow: string;
  version: string;
  status: IndexedRunStatus;
  createdAt: number;
  updatedAt: number;
}

/** Inserts or refreshes a run's row; a report older than the stored one is ignored. */
export function upsertRun(sql: SqlStorage, record: RunIndexRecord): void {
  sql.exec(
    `INSERT INTO runs (id, workflow, version, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
     WHERE excluded.updated_at >= runs.updated_at`,
    record.id,
    record.workflow,
    record.version,
    record.status,
    record.createdAt,
    record.updatedAt,
  );
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
