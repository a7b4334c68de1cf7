/**
 * @module
 * Checkpoints as rows. A run is fully described by its `TaskRecord`s: the RunDO stores one row
 * per task (writing back the `changed` records after each call) and, after an eviction, rebuilds
 * the run from the rows alone. Counts, the claim count and the ready heap are derived; claims
 * survive a restore (their deadlines still apply), so nothing finished runs again and nothing
 * claimed is handed out twice.
 */
import { EngineError } from "../errors.ts";
import { rebuildReady } from "./ready-queue.ts";
import { emptyCounts, type GraphRunState, type TaskRecord } from "./run-state.ts";

/** The rows of a run (live records: serialise them before the state changes again). */
export function graphRunRows(state: GraphRunState): readonly TaskRecord[] {
  return state.tasks;
}

/** A run rebuilt from its rows, in any order. Throws `graph.bad_checkpoint` if they do not fit together. */
export function restoreGraphRun(rows: readonly TaskRecord[]): GraphRunState {
  const tasks: TaskRecord[] = new Array(rows.length);
  for (const row of rows) {
    if (!Number.isInteger(row.index) || row.index < 0 || row.index >= rows.length || tasks[row.index]) {
      throw new EngineError(
        "graph.bad_checkpoint",
        `task row "${row.id}" has index ${row.index} (${rows.length} rows)`,
      );
    }
    tasks[row.index] = row;
  }
  const counts = emptyCounts();
  const ids = new Set<string>();
  let claimed = 0;
  for (const task of tasks) {
    if (ids.has(task.id))
      throw new EngineError("graph.bad_checkpoint", `two task rows are called "${task.id}"`);
    ids.add(task.id);
    for (const need of task.needs) {
      if (!Number.isInteger(need) || need < 0 || need >= tasks.length) {
        throw new EngineError("graph.bad_checkpoint", `task row "${task.id}" needs missing row ${need}`);
      }
    }
    if (counts[task.status] === undefined) {
      throw new EngineError("graph.bad_checkpoint", `task row "${task.id}" has status "${task.status}"`);
    }
    counts[task.status] += 1;
    if (task.claimedAt !== undefined) claimed += 1;
  }
  const state: GraphRunState = { format: 1, tasks, ready: [], counts, claimed };
  rebuildReady(state);
  return state;
}
