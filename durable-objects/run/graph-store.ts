/**
 * @module
 * A run's dependency graph in SQLite: one `graph_tasks` row per task record (a declared task, a
 * dynamic one or a `for_each` branch), keyed by its index. A transition writes only the records
 * it changed, in the same storage transaction as the run's checkpoint; a new graph replaces every
 * row. After an eviction the graph is rebuilt from its rows alone (`restoreGraphRun`).
 * A branch's row leaves out its `run` steps, which are its task's: restored, the branch shares
 * its task's steps again, so a fan-out of 100,000 branches stores its steps once.
 */
import { type GraphRunState, restoreGraphRun, type TaskRecord } from "../../engine/graph/index.ts";
import type { GraphChanges } from "../../engine/machine/types.ts";

interface GraphTaskRow extends Record<string, SqlStorageValue> {
  idx: number;
  record: string;
}

/** Writes a transition's graph changes. Call inside the checkpoint's `transactionSync`. */
export function writeGraphChanges(sql: SqlStorage, changes: GraphChanges): void {
  if (changes.created) sql.exec("DELETE FROM graph_tasks");
  for (const record of changes.changed) {
    sql.exec(
      "INSERT OR REPLACE INTO graph_tasks (idx, id, status, record) VALUES (?, ?, ?, ?)",
      record.index,
      record.id,
      record.status,
      encodeRecord(record),
    );
  }
}

/** The graph stored for this run, or undefined when it has none. */
export function readGraph(sql: SqlStorage): GraphRunState | undefined {
  const records: TaskRecord[] = [];
  for (const row of sql.exec<GraphTaskRow>("SELECT idx, record FROM graph_tasks ORDER BY idx")) {
    records.push(JSON.parse(row.record) as TaskRecord);
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

function encodeRecord(record: TaskRecord): string {
  if (record.origin !== "branch" || record.run === undefined) return JSON.stringify(record);
  return JSON.stringify({ ...record, run: undefined });
}
