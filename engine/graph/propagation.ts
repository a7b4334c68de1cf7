/**
 * @module
 * The working context of one scheduler call: the state, its derived index, the caller's hooks
 * and clock, the records changed so far (what the caller writes back), and the worklist of tasks
 * that just finished and whose dependents have not been told yet. Status changes go through here
 * so that the counts per status stay exact.
 */
import type { GraphHooks } from "./hooks.ts";
import { pushReady } from "./ready-queue.ts";
import {
  type DerivedIndex,
  derived,
  type GraphRunState,
  type TaskRecord,
  type TaskStatus,
} from "./run-state.ts";

export interface Propagation {
  state: GraphRunState;
  index: DerivedIndex;
  hooks: GraphHooks;
  now: number;
  changed: Set<number>;
  /** tasks that finished and whose dependents (or `for_each` task) have not been updated */
  finished: number[];
}

export function startPropagation(state: GraphRunState, hooks: GraphHooks, now: number): Propagation {
  return { state, index: derived(state), hooks, now, changed: new Set(), finished: [] };
}

export function touch(p: Propagation, task: number): void {
  p.changed.add(task);
}

export function setStatus(p: Propagation, record: TaskRecord, status: TaskStatus): void {
  p.state.counts[record.status] -= 1;
  p.state.counts[status] += 1;
  record.status = status;
  touch(p, record.index);
}

/** Ends a task; its dependents learn of it when the worklist is drained. */
export function finishTask(
  p: Propagation,
  record: TaskRecord,
  status: "success" | "failed" | "skipped" | "upstream_failed",
): void {
  setStatus(p, record, status);
  record.finishedAt = p.now;
  p.finished.push(record.index);
}

export function markReady(p: Propagation, record: TaskRecord): void {
  setStatus(p, record, "ready");
  pushReady(p.state, record.index);
}

/** Ends the claim on a running task (completion, release or expiry). */
export function unclaim(p: Propagation, record: TaskRecord): void {
  if (record.claimedAt === undefined) return;
  record.claimedAt = undefined;
  record.deadline = undefined;
  p.index.claimed.delete(record.index);
  p.state.claimed -= 1;
  touch(p, record.index);
}

/** The records changed, in index order. */
export function changedRecords(p: Propagation): TaskRecord[] {
  return [...p.changed].sort((a, b) => a - b).map((task) => p.state.tasks[task]!);
}
