/**
 * @module
 * Incremental propagation. When a task finishes, each of its dependents updates its upstream
 * counters and, if still waiting, checks whether its fate is now certain (`decideEarly`): it
 * then runs (conditions, then ready or fan-out) or finishes as skipped / upstream_failed, which
 * in turn is propagated. A worklist replaces recursion, so a 200,000-task chain of skips is one
 * loop. Each finished task costs O(its dependents): O(edges touched), never a rescan.
 */
import { branchFinished, expandForEach } from "./fan-out.ts";
import { errorOf } from "./hooks.ts";
import { finishTask, markReady, type Propagation, touch } from "./propagation.ts";
import type { TaskRecord } from "./run-state.ts";
import { type Decision, decideEarly, FAILED, SKIPPED, SUCCESS } from "./trigger-rules.ts";

/** Which outcomes occur among a task's finished upstream tasks. */
export function outcomePattern(task: TaskRecord): number {
  return (
    (task.upstreamSucceeded > 0 ? SUCCESS : 0) |
    (task.upstreamFailed > 0 ? FAILED : 0) |
    (task.upstreamSkipped > 0 ? SKIPPED : 0)
  );
}

/** Decides a waiting task if its fate is certain; leaves it waiting otherwise. */
export function decideWaiting(p: Propagation, task: TaskRecord): void {
  if (task.status !== "waiting") return;
  const decision = decideEarly(
    task.triggerRule,
    outcomePattern(task),
    task.upstreamPending,
    task.needs.length,
  );
  if (decision !== undefined) apply(p, task, decision);
}

function apply(p: Propagation, task: TaskRecord, decision: Decision): void {
  if (decision === "run") start(p, task);
  else finishTask(p, task, decision);
}

/** The trigger rule is met: conditions, then ready (or fan-out), or skipped. */
function start(p: Propagation, task: TaskRecord): void {
  for (const condition of task.when) {
    let holds: boolean;
    try {
      holds = condition === true || (condition !== false && p.hooks.evaluateCondition(task.id, condition));
    } catch (error) {
      task.error = errorOf(error, "graph.condition_failed");
      finishTask(p, task, "failed");
      return;
    }
    if (!holds) {
      finishTask(p, task, "skipped");
      return;
    }
  }
  if (task.forEach !== undefined) expandForEach(p, task);
  else markReady(p, task);
}

/** Counts the outcome of a finished upstream task in a dependent's counters. */
export function countUpstream(p: Propagation, dependent: TaskRecord, upstream: TaskRecord): void {
  dependent.upstreamPending -= 1;
  if (upstream.status === "success") dependent.upstreamSucceeded += 1;
  else if (upstream.status === "skipped") dependent.upstreamSkipped += 1;
  else dependent.upstreamFailed += 1;
  touch(p, dependent.index);
}

/** Tells the dependents of every finished task, until nothing more finishes. */
export function drain(p: Propagation): void {
  const { tasks } = p.state;
  while (p.finished.length > 0) {
    const done = tasks[p.finished.pop()!]!;
    if (done.parent !== undefined) branchFinished(p, done);
    for (const next of p.index.dependents[done.index]!) {
      const dependent = tasks[next]!;
      countUpstream(p, dependent, done);
      decideWaiting(p, dependent);
    }
  }
}
