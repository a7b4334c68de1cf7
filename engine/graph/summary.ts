/**
 * @module
 * What a run's graph looks like from outside: counts per status (what `workflow_get_status`
 * reports, with the critical path) and the `tasks` scope that conditions and later steps read
 * (`tasks.build.result`, `tasks.lint.results` for a `for_each` task). Branches are not tasks of
 * the scope: their results are in their task's `results`.
 */
import {
  type GraphRunState,
  isGraphFinished,
  type TaskError,
  type TaskRecord,
  type TaskStatus,
} from "./run-state.ts";

export interface GraphSummary {
  total: number;
  counts: Record<TaskStatus, number>;
  /** tasks handed out and not yet completed */
  claimed: number;
  finished: boolean;
}

export function summarizeGraphRun(state: GraphRunState): GraphSummary {
  return {
    total: state.tasks.length,
    counts: { ...state.counts },
    claimed: state.claimed,
    finished: isGraphFinished(state),
  };
}

export interface TaskScopeEntry {
  status: TaskStatus;
  result?: unknown;
  results?: unknown[];
  error?: TaskError;
}

/**
 * The `tasks` scope: one entry per task (not per branch). O(tasks): on a large graph, build it
 * once and keep it current with `taskScopeEntry` of the `changed` records of each call.
 */
export function tasksScope(state: GraphRunState): Record<string, TaskScopeEntry> {
  const scope: Record<string, TaskScopeEntry> = Object.create(null);
  for (const task of state.tasks) {
    if (task.origin !== "branch") scope[task.id] = taskScopeEntry(task);
  }
  return scope;
}

/** One task's entry in the `tasks` scope. */
export function taskScopeEntry(task: TaskRecord): TaskScopeEntry {
  const entry: TaskScopeEntry = { status: task.status };
  if (task.result !== undefined) entry.result = task.result;
  if (task.results !== undefined) entry.results = task.results;
  if (task.error !== undefined) entry.error = task.error;
  return entry;
}
