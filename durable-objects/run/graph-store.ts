/**
 * @module
 * A run's dependency graph in SQLite: one `graph_tasks` row per task record (a declared task, a
 * dynamic one or a `for_each` branch), keyed by its index. A transition writes only the records
 * it changed, in the same storage transaction as the run's checkpoint; a new graph replaces every
 * row. After an eviction the graph is rebuilt from its rows alone (`restoreGraphRun`).
 * A branch's row leaves out its `run` steps, which are its task's: restored, the branch shares
 * its task's steps again, so a fan-out of 100,000 branches stores its steps once. Rows are parsed
 * when read (`task-row-format.ts`): one that does not parse is `storage.corrupt`.
 */
import { type GraphRunState, restoreGraphRun, type TaskRecord } from "../../engine/graph/index.ts";
import type { GraphChanges } from "../../engine/machine/run-model.ts";
import { decodeTaskRow } from "./task-row-format.ts";

interface GraphTaskRow extends Record<string, SqlStorageValue> {
  idx: number;
  record: string;
}

/**
 * Durable Object SQL binds at most 100 parameters per statement, so rows go in as one JSON array
 * parameter unpacked by `json_each`: about 1 MB per statement, under the 2 MB limit on a value.
 */
const BATCH_BYTES = 1_000_000;

const UPSERT = `INSERT OR REPLACE INTO graph_tasks (idx, id, status, record)
  SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]')
  FROM json_each(?)`;

/** Writes a transition's graph changes, in batches. Call inside the checkpoint's `transactionSync`. */
export function writeGraphChanges(sql: SqlStorage, changes: GraphChanges): void {
  if (changes.created) sql.exec("DELETE FROM graph_tasks");
  let batch: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (batch.length > 0) sql.exec(UPSERT, `[${batch.join(",")}]`);
    batch = [];
    bytes = 0;
  };
  for (const record of changes.changed) {
    const row = JSON.stringify([record.index, record.id, record.status, rowOf(record)]);
    if (bytes + row.length > BATCH_BYTES) flush();
    batch.push(row);
    bytes += row.length + 1;
  }
  flush();
}

/** The graph stored for this run, or undefined when it has none. */
export function readGraph(sql: SqlStorage): GraphRunState | undefined {
  const records: TaskRecord[] = [];
  for (const row of sql.exec<GraphTaskRow>("SELECT idx, record FROM graph_tasks ORDER BY idx")) {
    records.push(decodeTaskRow(row.record));
  }
  if (records.length === 0) return undefined;
  for (const record of records) {
    if (record.origin === "branch" && record.parent !== undefined) record.run = records[record.parent]?.run;
  }
  return restoreGraphRun(records);
}

/** Number of stored task rows (for tests and diagnostics). */
export function countGraphRows(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM graph_tasks").one().n;
}

/** What a row stores of a record: a branch's steps are its task's. */
function rowOf(record: TaskRecord): TaskRecord {
  return record.origin !== "branch" || record.run === undefined ? record : { ...record, run: undefined };
}
