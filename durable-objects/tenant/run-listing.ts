/**
 * @module
 * `workflow_list_runs`: the tenant's runs of every status from the run index, newest first (by
 * creation, then id), filtered by workflow, version, status and time ranges (created, finished),
 * in pages of at most `RUNS_PAGE.max` with an opaque cursor. A run deleted by retention leaves
 * the index only once its RunDO has deleted its storage, so a listed run always has a history,
 * and a purged run is neither listed nor has one.
 */
import { EngineError } from "../../engine/errors.ts";
import { type IndexedRunStatus, RUNS_PAGE } from "./contracts.ts";

export interface RunListQuery {
  workflow?: string;
  version?: string;
  statuses?: readonly IndexedRunStatus[];
  /** created at or after / strictly before (epoch ms) */
  createdSince?: number;
  createdBefore?: number;
  /** finished at or after / strictly before (epoch ms); only finished runs match */
  finishedSince?: number;
  finishedBefore?: number;
  /** a previous page's `next_cursor` */
  cursor?: string;
  limit?: number;
}

export interface ListedRun {
  workflow_id: string;
  workflow: string;
  version: string;
  status: IndexedRunStatus;
  created_at: string;
  updated_at: string;
  finished_at?: string;
}

export interface RunListPage {
  runs: ListedRun[];
  next_cursor?: string;
}

interface ListedRow extends Record<string, SqlStorageValue> {
  id: string;
  workflow: string;
  version: string;
  status: string;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export function listRunPage(sql: SqlStorage, query: RunListQuery): RunListPage {
  const limit = Math.min(Math.max(query.limit ?? RUNS_PAGE.default, 1), RUNS_PAGE.max);
  const where: string[] = [];
  const params: SqlStorageValue[] = [];
  const add = (clause: string, ...values: SqlStorageValue[]) => {
    where.push(clause);
    params.push(...values);
  };
  if (query.workflow !== undefined) add("workflow = ?", query.workflow);
  if (query.version !== undefined) add("version = ?", query.version);
  if (query.statuses !== undefined && query.statuses.length > 0)
    add(`status IN (${query.statuses.map(() => "?").join(", ")})`, ...query.statuses);
  if (query.createdSince !== undefined) add("created_at >= ?", query.createdSince);
  if (query.createdBefore !== undefined) add("created_at < ?", query.createdBefore);
  if (query.finishedSince !== undefined) add("finished_at >= ?", query.finishedSince);
  if (query.finishedBefore !== undefined) add("finished_at < ?", query.finishedBefore);
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    add("(created_at < ? OR (created_at = ? AND id < ?))", after.createdAt, after.createdAt, after.id);
  }
  const rows = sql
    .exec<ListedRow>(
      `SELECT id, workflow, version, status, created_at, updated_at, finished_at FROM runs
       ${where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
      ...params,
      limit + 1,
    )
    .toArray();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    runs: page.map(toListed),
    ...(rows.length > limit && last !== undefined
      ? { next_cursor: encodeCursor({ createdAt: last.created_at, id: last.id }) }
      : {}),
  };
}

function toListed(row: ListedRow): ListedRun {
  return {
    workflow_id: row.id,
    workflow: row.workflow,
    version: row.version,
    status: row.status as IndexedRunStatus,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    ...(row.finished_at === null ? {} : { finished_at: new Date(row.finished_at).toISOString() }),
  };
}

/** `<created at ms>.<run id>`, base64url: opaque to callers, checked when it comes back. */
function encodeCursor(position: { createdAt: number; id: string }): string {
  return btoa(`${position.createdAt}.${position.id}`)
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  let text: string;
  try {
    text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    throw badCursor();
  }
  const match = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/.exec(text);
  if (match === null) throw badCursor();
  return { createdAt: Number(match[1]), id: match[2] as string };
}

function badCursor(): EngineError {
  return new EngineError(
    "runs.invalid_cursor",
    "This cursor was not given by workflow_list_runs; pass a next_cursor it returned, or none for the first page.",
    { path: "cursor" },
  );
}
