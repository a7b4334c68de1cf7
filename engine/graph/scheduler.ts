/**
 * @module
 * The scheduler's main loop as pure functions over a `GraphRunState`: start a run, hand out
 * ready tasks in priority order (ties by declaration order) without passing `parallelLimit`
 * claimed tasks, and complete them. A completion updates only the dependents of what finished:
 * O(edges touched) and O(log n) per heap operation. No clock: `now` comes in as an argument.
 */
import { EngineError } from "../errors.ts";
import { decideWaiting, drain } from "./dependents.ts";
import { graphError, hasErrors } from "./diagnostics.ts";
import type { GraphHooks } from "./hooks.ts";
import type { TaskGraph } from "./model.ts";
import { changedRecords, finishTask, markReady, startPropagation, touch, unclaim } from "./propagation.ts";
import { popReady, pushReady } from "./ready-queue.ts";
import {
  derived,
  emptyCounts,
  type GraphRunState,
  isGraphFinished,
  seedDerived,
  type TaskError,
  type TaskRecord,
} from "./run-state.ts";
import { createTaskRecord } from "./task-record.ts";
import { analyzeGraph } from "./validate.ts";

export interface CreateGraphRunOptions {
  hooks: GraphHooks;
  now: number;
}

/** A run of `graph` with its root tasks decided. Throws `EngineError` (graph.*) if the graph is invalid. */
export function createGraphRun(graph: TaskGraph, options: CreateGraphRunOptions): GraphRunState {
  const { diagnostics, index } = analyzeGraph(graph, { reachability: false });
  if (hasErrors(diagnostics) || index === undefined) throw graphError(diagnostics);
  const tasks = graph.tasks.map((spec, at) => createTaskRecord(spec, at, index.needs[at]!, "graph"));
  const counts = emptyCounts();
  counts.waiting = tasks.length;
  const state: GraphRunState = { format: 1, tasks, ready: [], counts, claimed: 0 };
  seedDerived(state, { byId: index.byName, dependents: index.dependents, edges: index.edges });
  const p = startPropagation(state, options.hooks, options.now);
  for (const task of tasks) if (task.needs.length === 0) decideWaiting(p, task);
  drain(p);
  return state;
}

export interface ClaimOptions {
  /** most tasks claimed at once, counting those already claimed (default: no limit) */
  parallelLimit?: number;
  /** most tasks to claim in this call (default: as many as the limit allows) */
  limit?: number;
  now: number;
}

export interface ClaimResult {
  /** the tasks handed out, best first; each is now `running` with `attempts` as its claim number */
  claimed: TaskRecord[];
  changed: TaskRecord[];
}

/** Hands out the best ready tasks, never more than `parallelLimit` claimed at once. */
export function claimReady(state: GraphRunState, options: ClaimOptions): ClaimResult {
  const parallelLimit = checkLimit(options.parallelLimit, "parallelLimit");
  const limit = checkLimit(options.limit, "limit");
  const room = Math.min(limit, parallelLimit - state.claimed);
  const index = derived(state);
  const claimed: TaskRecord[] = [];
  while (claimed.length < room) {
    const next = popReady(state);
    if (next === undefined) break;
    const task = state.tasks[next]!;
    state.counts.ready -= 1;
    state.counts.running += 1;
    task.status = "running";
    task.attempts += 1;
    task.claimedAt = options.now;
    task.startedAt ??= options.now;
    if (task.timeoutSeconds !== undefined) task.deadline = options.now + task.timeoutSeconds * 1000;
    index.claimed.add(next);
    state.claimed += 1;
    claimed.push(task);
  }
  return { claimed, changed: [...claimed] };
}

/** The best `limit` ready tasks, best first, without claiming them. */
export function nextReady(state: GraphRunState, limit: number): TaskRecord[] {
  const taken: number[] = [];
  while (taken.length < limit) {
    const next = popReady(state);
    if (next === undefined) break;
    taken.push(next);
  }
  for (const task of taken) pushReady(state, task);
  return taken.map((task) => state.tasks[task]!);
}

export type TaskOutcome =
  | { status: "success"; result?: unknown }
  | { status: "failed"; error?: TaskError; result?: unknown };

export interface CompleteOptions {
  hooks: GraphHooks;
  now: number;
  /** the claim being completed (`attempts` when it was handed out): an older claim is refused */
  attempt?: number;
}

export interface CompleteResult {
  changed: TaskRecord[];
  /** the failure left retries: the task is ready again */
  retried: boolean;
  /** every task of the graph has finished */
  finished: boolean;
}

/**
 * Ends a claimed task. A failure with retries left makes it ready again; otherwise the outcome
 * propagates to its dependents (and a branch's to its `for_each` task).
 * Throws `graph.unknown_task`, `graph.not_claimed` or `graph.stale_claim`.
 */
export function completeTask(
  state: GraphRunState,
  id: string,
  outcome: TaskOutcome,
  options: CompleteOptions,
): CompleteResult {
  const task = claimedTask(state, id, options.attempt);
  const p = startPropagation(state, options.hooks, options.now);
  unclaim(p, task);
  let retried = false;
  if (outcome.status === "success") {
    task.result = outcome.result;
    task.error = undefined;
    finishTask(p, task, "success");
  } else {
    task.failures += 1;
    task.error = outcome.error ?? { code: "graph.task_failed", message: `task "${task.id}" failed` };
    if (outcome.result !== undefined) task.result = outcome.result;
    retried = task.failures <= task.retries;
    if (retried) markReady(p, task);
    else finishTask(p, task, "failed");
  }
  touch(p, task.index);
  drain(p);
  return { changed: changedRecords(p), retried, finished: isGraphFinished(state) };
}

/** The record of a task that is claimed now (by claim `attempt`, when given). */
export function claimedTask(state: GraphRunState, id: string, attempt?: number): TaskRecord {
  const index = derived(state).byId.get(id);
  if (index === undefined) throw new EngineError("graph.unknown_task", `the graph has no task "${id}"`);
  const task = state.tasks[index]!;
  if (task.claimedAt === undefined) {
    throw new EngineError("graph.not_claimed", `task "${id}" is not claimed (it is ${task.status})`);
  }
  if (attempt !== undefined && attempt !== task.attempts) {
    throw new EngineError(
      "graph.stale_claim",
      `claim ${attempt} of task "${id}" has ended; the task was handed out again (claim ${task.attempts})`,
    );
  }
  return task;
}

function checkLimit(value: number | undefined, name: string): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 0)) return value;
  throw new EngineError("graph.bad_limit", `${name} must be a whole number ≥ 0, got ${value}`);
}
