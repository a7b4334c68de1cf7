/**
 * @module
 * Events addressed to a graph task (`task_id` is a task of the run's graph): an agent completes
 * the step it was handed (with the claim it was given: a late answer on an expired claim is
 * refused with `graph.stale_claim`), writes state, or a timer of the task's thread fires. The
 * thread moves on through server steps; if it ends, so does its task.
 */
import { EngineError } from "../../errors.ts";
import { findTask } from "../../graph/index.ts";
import { advanceThread } from "../advance.ts";
import { type Completion, completedResult, completeStep } from "../complete.ts";
import type { GraphTaskThread, NextStep, Timer } from "../run-model.ts";
import type { ThreadScope } from "../thread-scope.ts";
import { applyAdditions, hasAdditions } from "./additions.ts";
import type { FlowContext } from "./flow-context.ts";
import { settleGraphThread } from "./pump.ts";
import { completeDelivered, graphThreadOf, onGraphThread } from "./task-threads.ts";

/** The thread of graph task `taskId`, or a clear error when the task is not running steps. */
export function runningGraphThread(flow: FlowContext, taskId: string): GraphTaskThread {
  const thread = graphThreadOf(flow.run, taskId);
  if (thread !== undefined) return thread;
  const record = findTask(flow.state, taskId);
  throw new EngineError(
    "run.step_not_pending",
    `graph task "${taskId}" is not running steps (it is ${record?.status ?? "unknown"}), so it has no step to complete; call workflow_get_next_step for work`,
  );
}

/**
 * The task thread that has step `stepId` out, for a completion sent without `task_id` while the
 * main thread waits on its graph (undefined when the main thread itself has that step pending).
 * A step out for several tasks (the branches of a `for_each`) needs the `task_id`.
 */
export function graphThreadWithStep(flow: FlowContext, stepId: string): GraphTaskThread | undefined {
  const { run } = flow;
  if (run.main.waitingFor?.kind !== "graph" || run.main.pending.some((p) => p.id === stepId))
    return undefined;
  const owners = Object.values(flow.marker.threads).filter((thread) =>
    thread.pending.some((pending) => pending.id === stepId && !pending.implicit),
  );
  if (owners.length <= 1) return owners[0];
  throw new EngineError(
    "run.step_not_pending",
    `step "${stepId}" is out for several graph tasks (${owners.map((t) => t.id).join(", ")}): pass its task_id`,
  );
}

export function completeGraphStep(
  flow: FlowContext,
  thread: GraphTaskThread,
  completion: Completion & { claim?: number },
): NextStep {
  if (completion.claim !== undefined && completion.claim !== thread.claim) {
    throw new EngineError(
      "graph.stale_claim",
      `claim ${completion.claim} of task "${thread.graphTask}" has ended: the task was handed out again (claim ${thread.claim}); your result was not used`,
    );
  }
  const bare = completion.stepId.startsWith(`${thread.id}.`)
    ? completion.stepId.slice(thread.id.length + 1)
    : completion.stepId;
  const blocking = thread.pending.some((pending) => pending.id === bare && !pending.implicit);
  let result = completion.result;
  onGraphThread(flow, thread, (scope) => {
    result = completedResult(scope, completion);
    completeStep(scope, completion);
    if (blocking && completion.status === "success") thread.result = result;
  });
  if (blocking) thread.handedOutAt = undefined;
  // Additions see the state as the step left it; a refused addition fails the whole event.
  if (completion.status === "success" && hasAdditions(result)) {
    applyAdditions(flow, thread.graphTask, result);
  }
  return updateGraphState(flow, thread, completeDelivered);
}

export function updateGraphState(
  flow: FlowContext,
  thread: GraphTaskThread,
  update: (scope: ThreadScope) => void,
): NextStep {
  return moveOn(flow, thread, (scope) => {
    update(scope);
    return advanceThread(scope, { issue: false });
  });
}

/** A timer of a task's thread fired (a wait, a retry back-off, a step's timeout). */
export function fireGraphTimer(
  flow: FlowContext,
  thread: GraphTaskThread,
  timer: Timer,
  fire: (scope: ThreadScope, timer: Timer) => void,
): void {
  moveOn(flow, thread, (scope) => {
    fire(scope, timer);
    return advanceThread(scope, { issue: false });
  });
}

function moveOn(
  flow: FlowContext,
  thread: GraphTaskThread,
  work: (scope: ThreadScope) => NextStep,
): NextStep {
  const next = onGraphThread(flow, thread, work);
  settleGraphThread(flow, thread);
  return next;
}
