/**
 * @module
 * Moving a graph: hand the best ready tasks to threads without passing `parallel_limit`, end
 * tasks whose thread finished (success, or failure and maybe a retry), and take back claims
 * whose deadline passed. A task without `run` steps is a no-op that succeeds at once; a task with
 * steps runs its server steps here and then waits, in front of its first client step, for an
 * agent to ask for work. Each transition claims at most `MAX_TASK_STARTS_PER_TRANSITION` tasks;
 * a larger graph goes on from an immediate timer.
 *
 * Task threads are moved by the runner the caller passes in (`advanceThread` in practice): this
 * module does not import `advance.ts`, which runs the `dependency_flow` step that starts a graph.
 */
import {
  claimReady,
  completeTask,
  expireClaims,
  holdClaim,
  isFinal,
  nextDeadline,
  type TaskOutcome,
  type TaskRecord,
} from "../../graph/index.ts";
import type { GraphTaskThread, NextStep } from "../run-model.ts";
import type { ThreadScope } from "../thread-scope.ts";
import { addTimer } from "../timers.ts";
import type { FlowContext } from "./flow-context.ts";
import { noteChanged } from "./session.ts";
import {
  createGraphThread,
  dropThread,
  graphThreadOf,
  onGraphThread,
  waitsForAgent,
  withdrawHandOut,
} from "./task-threads.ts";

/** Moves a thread forward until it stops in front of a client step, waits or ends. */
export type ThreadRunner = (scope: ThreadScope) => NextStep;

/** Claims and starts ready tasks until none is left, the limit is reached or the budget is spent. */
export function pumpGraph(flow: FlowContext, runThread: ThreadRunner): void {
  const { state, marker, session } = flow;
  while (marker.status === "running") {
    if (session.budget <= 0) {
      if (state.counts.ready > 0) scheduleContinuation(flow);
      return;
    }
    const { claimed, changed } = claimReady(state, {
      parallelLimit: marker.parallelLimit,
      limit: session.budget,
      now: flow.machine.now,
    });
    noteChanged(session, changed);
    if (claimed.length === 0) return;
    session.budget -= claimed.length;
    for (const record of claimed) startTask(flow, record, runThread);
  }
}

function startTask(flow: FlowContext, record: TaskRecord, runThread: ThreadRunner): void {
  if (record.run === undefined || record.run.length === 0) {
    endTask(flow, record.id, { status: "success" });
    return;
  }
  // A task whose claim expired keeps its thread: claimed again, it carries on where it was.
  let thread = graphThreadOf(flow.run, record.id);
  if (thread === undefined) {
    thread = createGraphThread(record, flow.state);
    flow.marker.threads[record.id] = thread;
  }
  thread.claim = record.attempts;
  const started = thread;
  onGraphThread(flow, started, runThread);
  settleGraphThread(flow, started);
}

/**
 * After a task's thread moved: a finished thread ends its task; one that waits for an agent holds
 * its claim without a deadline (the clock starts when a step is handed out).
 */
export function settleGraphThread(flow: FlowContext, thread: GraphTaskThread): void {
  if (graphThreadOf(flow.run, thread.id) !== thread) return;
  if (thread.status === "completed") {
    dropThread(flow, thread.id);
    endTask(flow, thread.id, { status: "success", result: thread.result }, thread.claim);
  } else if (thread.status === "failed") {
    dropThread(flow, thread.id);
    const error = thread.error ?? { code: "graph.task_failed", message: `task "${thread.id}" failed` };
    endTask(
      flow,
      thread.id,
      { status: "failed", error: { code: error.code, message: error.message } },
      thread.claim,
    );
  } else if (waitsForAgent(thread)) {
    noteChanged(flow.session, holdClaim(flow.state, thread.id).changed);
  }
}

/** Reports a claimed task's outcome to the scheduler; its dependents learn of it at once. */
export function endTask(flow: FlowContext, id: string, outcome: TaskOutcome, attempt?: number): void {
  const options = { hooks: flow.hooks, now: flow.machine.now, ...(attempt === undefined ? {} : { attempt }) };
  noteChanged(flow.session, completeTask(flow.state, id, outcome, options).changed);
}

/**
 * Takes back claims past their deadline: the task is ready again (its thread keeps its place and
 * its step goes to the next agent who asks) or, after too many expiries, fails.
 */
export function expireDueClaims(flow: FlowContext): void {
  const deadline = nextDeadline(flow.state);
  if (deadline === undefined || deadline > flow.machine.now) return;
  const { expired, changed } = expireClaims(flow.state, { now: flow.machine.now, hooks: flow.hooks });
  noteChanged(flow.session, changed);
  for (const record of expired) {
    const thread = graphThreadOf(flow.run, record.id);
    if (thread === undefined) continue;
    if (isFinal(record.status)) dropThread(flow, record.id);
    else withdrawHandOut(flow, thread);
  }
}

/** More tasks are ready than this transition may start: go on at once, from the runtime's alarm. */
function scheduleContinuation(flow: FlowContext): void {
  const { run, marker, machine } = flow;
  if (run.timers.some((timer) => timer.kind === "graph")) return;
  addTimer(run, { at: machine.now, kind: "graph", threadId: "main", stepId: marker.stepId });
}
