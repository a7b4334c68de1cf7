/**
 * @module
 * Runs a graph to the end the way a RunDO would: claim what the limit allows, complete the
 * oldest claim, repeat. Records the claim order and checks the limit after every claim.
 */
import {
  claimReady,
  completeTask,
  createGraphRun,
  type GraphHooks,
  type GraphRunState,
  isGraphFinished,
  type TaskGraph,
  type TaskOutcome,
  type TaskRecord,
} from "../../../engine/graph/index.ts";

export interface DriveOptions {
  parallelLimit?: number;
  hooks?: GraphHooks;
  /** what a claimed task reports (default: success with `{ran: id}`) */
  outcome?(task: TaskRecord, state: GraphRunState): TaskOutcome;
  /** called with each claimed task, before it completes (dynamic additions happen here) */
  onClaim?(task: TaskRecord, state: GraphRunState, now: number): void;
}

export interface DriveResult {
  state: GraphRunState;
  /** ids in the order they were handed out */
  claims: string[];
  /** ids in the order they were completed */
  completions: string[];
}

export const TRUE_HOOKS: GraphHooks = { evaluateCondition: () => true };

export function drive(graph: TaskGraph, options: DriveOptions = {}): DriveResult {
  const hooks = options.hooks ?? TRUE_HOOKS;
  let now = 0;
  const state = createGraphRun(graph, { hooks, now });
  return continueDriving(state, { ...options, hooks }, () => ++now);
}

export function continueDriving(
  state: GraphRunState,
  options: DriveOptions,
  tick: () => number = (() => {
    let now = 1_000_000;
    return () => ++now;
  })(),
): DriveResult {
  const hooks = options.hooks ?? TRUE_HOOKS;
  const limit = options.parallelLimit ?? Number.POSITIVE_INFINITY;
  const running: TaskRecord[] = [];
  const claims: string[] = [];
  const completions: string[] = [];
  for (let guard = 0; guard < 1_000_000; guard++) {
    const { claimed } = claimReady(state, { parallelLimit: limit, now: tick() });
    if (state.claimed > limit) throw new Error(`${state.claimed} claimed, limit ${limit}`);
    for (const task of claimed) {
      claims.push(task.id);
      options.onClaim?.(task, state, tick());
      running.push(task);
    }
    const task = running.shift();
    if (task === undefined) break;
    const outcome = options.outcome?.(task, state) ?? { status: "success", result: { ran: task.id } };
    completeTask(state, task.id, outcome, { hooks, now: tick(), attempt: task.attempts });
    completions.push(task.id);
  }
  if (!isGraphFinished(state)) throw new Error("the graph stopped before every task finished");
  return { state, claims, completions };
}

export function statuses(state: GraphRunState): Record<string, string> {
  return Object.fromEntries(state.tasks.map((task) => [task.id, task.status]));
}
