/**
 * @module
 * The state of one run of a graph, as plain JSON-serialisable data: one `TaskRecord` per task
 * (the unit the RunDO stores as a SQLite row), the heap of ready tasks and counts per status.
 * The lookup structures (name → index, downstream edges, current claims) are derived from the
 * records and cached beside the state, never serialised: `restoreGraphRun` rebuilds a state from
 * its rows alone.
 *
 * Scheduler functions update the state they are given in place, so that a completion costs
 * O(edges touched) rather than a copy of 100,000 records, and return the records they changed.
 * Mutate a state only through them.
 */
import type { Step, TriggerRule } from "../dialect/index.ts";
import type { ErrorCode } from "../errors.ts";

export type TaskStatus =
  | "waiting"
  | "ready"
  | "running"
  | "success"
  | "failed"
  | "skipped"
  | "upstream_failed";

export const TASK_STATUSES: readonly TaskStatus[] = [
  "waiting",
  "ready",
  "running",
  "success",
  "failed",
  "skipped",
  "upstream_failed",
];

export function isFinal(status: TaskStatus): boolean {
  return status === "success" || status === "failed" || status === "skipped" || status === "upstream_failed";
}

export interface TaskError {
  code: ErrorCode;
  message: string;
}

/** One task of a run: what the RunDO stores as one row. Times are milliseconds (the caller's `now`). */
export interface TaskRecord {
  /** position in `GraphRunState.tasks`; declaration order, the tie-breaker between equal priorities */
  index: number;
  id: string;
  /** `graph`: declared; `dynamic`: added by `addTasks`; `branch`: one item of a `for_each` task */
  origin: "graph" | "dynamic" | "branch";
  status: TaskStatus;
  priority: number;
  triggerRule: TriggerRule;
  when: (string | boolean)[];
  retries: number;
  timeoutSeconds?: number;
  run?: Step[];
  forEach?: string | unknown[];
  /** indices of the tasks this one needs */
  needs: number[];
  /** upstream tasks not finished yet */
  upstreamPending: number;
  upstreamSucceeded: number;
  /** failed or upstream_failed */
  upstreamFailed: number;
  upstreamSkipped: number;
  /** times handed out by `claimReady` */
  attempts: number;
  /** failed completions (a task is retried while failures <= retries) */
  failures: number;
  /** claims that ran past their deadline */
  expirations: number;
  /** set while the task is claimed */
  claimedAt?: number;
  /** set while claimed, when the task has a timeout */
  deadline?: number;
  /** first claim (for a `for_each` task: its fan-out) */
  startedAt?: number;
  finishedAt?: number;
  result?: unknown;
  /** a finished `for_each` task: every branch's result in item order (null for a failed branch) */
  results?: unknown[];
  error?: TaskError;
  /** a branch: index of its `for_each` task, and its item */
  parent?: number;
  item?: unknown;
  /** a `for_each` task after fan-out: its branches are tasks[branchStart .. branchStart+branchCount) */
  branchStart?: number;
  branchCount?: number;
  branchesPending?: number;
  /** a dynamic task: the task that added it */
  addedBy?: string;
}

export interface GraphRunState {
  format: 1;
  /** every task, in index order */
  tasks: TaskRecord[];
  /** binary heap of indices of ready tasks, by (priority desc, index asc); may hold stale entries */
  ready: number[];
  /** number of tasks per status */
  counts: Record<TaskStatus, number>;
  /** tasks claimed and not yet completed or released */
  claimed: number;
}

/** Lookups derived from the records; rebuilt when missing (after a JSON round trip or a restore). */
export interface DerivedIndex {
  byId: Map<string, number>;
  dependents: number[][];
  claimed: Set<number>;
  edges: number;
}

const derivedCache = new WeakMap<GraphRunState, DerivedIndex>();

export function derived(state: GraphRunState): DerivedIndex {
  let index = derivedCache.get(state);
  if (index === undefined) {
    index = buildDerived(state.tasks);
    derivedCache.set(state, index);
  }
  return index;
}

/** Installs lookups already built (a new run: the graph's index). */
export function seedDerived(state: GraphRunState, index: Omit<DerivedIndex, "claimed">): void {
  derivedCache.set(state, { ...index, claimed: new Set() });
}

function buildDerived(tasks: readonly TaskRecord[]): DerivedIndex {
  const byId = new Map<string, number>();
  const dependents: number[][] = new Array(tasks.length);
  const claimed = new Set<number>();
  let edges = 0;
  for (let i = 0; i < tasks.length; i++) dependents[i] = [];
  for (const task of tasks) {
    byId.set(task.id, task.index);
    edges += task.needs.length;
    for (const need of task.needs) dependents[need]!.push(task.index);
    if (task.claimedAt !== undefined) claimed.add(task.index);
  }
  return { byId, dependents, claimed, edges };
}

export function emptyCounts(): Record<TaskStatus, number> {
  return { waiting: 0, ready: 0, running: 0, success: 0, failed: 0, skipped: 0, upstream_failed: 0 };
}

/** True once every task has finished. */
export function isGraphFinished(state: GraphRunState): boolean {
  const { counts } = state;
  return counts.success + counts.failed + counts.skipped + counts.upstream_failed === state.tasks.length;
}

/** The record of task `id`, or undefined. */
export function findTask(state: GraphRunState, id: string): TaskRecord | undefined {
  const index = derived(state).byId.get(id);
  return index === undefined ? undefined : state.tasks[index];
}
