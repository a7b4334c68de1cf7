/**
 * @module
 * The threads of graph tasks that run steps. A thread is created when the scheduler claims its
 * task and removed when the task ends, so `RunState` holds at most `parallel_limit` of them. Its
 * frames point at the task's `run` by path (`["dependencies", <task>, "run"]`), resolved through
 * the task's record, so declared, dynamic and `for_each` tasks resolve alike. It has no state of
 * its own: graph tasks work on the workflow's state, attached to the thread while it moves.
 */
import type { DependencyTask, WorkflowDefinition } from "../../dialect/index.ts";
import { findTask, type GraphRunState, type TaskRecord } from "../../graph/index.ts";
import type { StateData } from "../../state/state-data.ts";
import { completeStep } from "../complete.ts";
import type { GraphTaskThread, RunState, Thread } from "../run-model.ts";
import type { ThreadScope } from "../thread-scope.ts";
import { removeTimers } from "../timers.ts";
import type { FlowContext } from "./flow-context.ts";

export function createGraphThread(record: TaskRecord, state: GraphRunState): GraphTaskThread {
  const thread: GraphTaskThread = {
    id: record.id,
    status: "ready",
    state: detachedState(),
    frames: [{ ref: ["dependencies", record.id, "run"], pc: 0 }],
    pending: [],
    graphTask: record.id,
    claim: record.attempts,
  };
  if (record.parent !== undefined) {
    thread.item = record.item;
    thread.index = record.index - (state.tasks[record.parent]!.branchStart ?? record.index);
  }
  return thread;
}

export function isGraphThread(thread: Thread): thread is GraphTaskThread {
  return "graphTask" in thread;
}

/** The thread of graph task `taskId`, if it is running steps now. */
export function graphThreadOf(run: RunState, taskId: string): GraphTaskThread | undefined {
  const threads = run.graph?.threads;
  return threads !== undefined && Object.hasOwn(threads, taskId) ? threads[taskId] : undefined;
}

/**
 * Runs `work` on a task's thread with the main thread's state attached; whatever the thread
 * changed is the main thread's state afterwards.
 */
export function onGraphThread<T>(
  flow: FlowContext,
  thread: GraphTaskThread,
  work: (scope: ThreadScope) => T,
): T {
  const { run } = flow;
  const scope: ThreadScope = {
    definition: taskDefinition(flow.definition, thread.graphTask, findTask(flow.state, thread.graphTask)),
    run,
    thread,
    machine: flow.machine,
  };
  thread.state = run.main.state;
  try {
    return work(scope);
  } finally {
    run.main.state = thread.state;
    thread.state = detachedState();
  }
}

/**
 * The definition as a task's thread sees it: `dependencies.<task>` is the task as its record
 * holds it (declared, dynamic or a branch's), so the thread's frames resolve its `run` steps.
 * Only `run` is read through this view; the scheduler keeps the task's edges (`needs` is empty).
 */
function taskDefinition(
  definition: WorkflowDefinition,
  taskId: string,
  record: TaskRecord | undefined,
): WorkflowDefinition {
  const task: DependencyTask = {
    needs: [],
    when: record?.when ?? [],
    priority: record?.priority ?? 0,
    trigger_rule: record?.triggerRule ?? "all_success",
    run: record?.run ?? [],
  };
  return { ...definition, dependencies: { [taskId]: task } };
}

/** `user_message`s handed out before count as done once the thread moves again. */
export function completeDelivered(scope: ThreadScope): void {
  for (const pending of scope.thread.pending.filter((p) => p.implicit)) {
    completeStep(scope, { stepId: pending.id, status: "success" });
  }
}

/** A step of the thread is out with an agent. */
export function isOut(thread: Thread): boolean {
  return thread.pending.some((pending) => !pending.implicit);
}

/** The thread stands in front of a client step that nobody has been given yet. */
export function waitsForAgent(thread: Thread): boolean {
  return thread.status !== "completed" && thread.status !== "failed" && !thread.waitingFor && !isOut(thread);
}

export function dropThread(flow: FlowContext, id: string): void {
  delete flow.marker.threads[id];
  removeTimers(flow.run, (timer) => timer.threadId === id);
}

/** A hand-out expired: the step is taken back, to be handed out again to whoever asks next. */
export function withdrawHandOut(flow: FlowContext, thread: GraphTaskThread): void {
  const withdrawn = new Set(thread.pending.filter((p) => !p.implicit).map((p) => p.id));
  thread.pending = thread.pending.filter((p) => p.implicit);
  removeTimers(
    flow.run,
    (timer) => timer.threadId === thread.id && timer.kind === "timeout" && withdrawn.has(timer.stepId),
  );
  thread.handedOutAt = undefined;
  if (thread.status === "blocked") thread.status = "ready";
}

/** A thread at rest holds no state: the main thread's is attached while it moves. */
function detachedState(): StateData {
  return { inputs: {}, state: {}, global: {}, computed: {}, computedInputs: {} };
}
