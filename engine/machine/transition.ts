/**
 * @module
 * The step machine's entry points. `startRun` builds a run; `transition` applies one event to a
 * run and returns the new run plus the answer for the caller. Both are pure: the input run is
 * never modified, `now`, the sandbox and the tenant's secrets come in through the context. The
 * one exception is a dependency graph's task records (`MachineContext.graph`), updated in place
 * and reported in `Transition.graph` (see `dependency-flow/session.ts`).
 */

import { MAX_DURATION_SECONDS, type WorkflowDefinition } from "../dialect/index.ts";
import { EngineError, type ErrorShape } from "../errors.ts";
import { initState } from "../state/index.ts";
import type { ResolvedUpdate } from "../state/state-data.ts";
import { advanceThread } from "./advance.ts";
import { completeStep } from "./complete.ts";
import { type FlowContext, flowContext, isGraphTask } from "./dependency-flow/flow-context.ts";
import { handOutGraphStep, nextForGraphTask } from "./dependency-flow/hand-out.ts";
import { graphTaskEventAnswer } from "./dependency-flow/progress.ts";
import { graphChanges, openGraphSession } from "./dependency-flow/session.ts";
import {
  completeGraphStep,
  fireGraphTimer,
  graphThreadWithStep,
  runningGraphThread,
  updateGraphState,
} from "./dependency-flow/task-events.ts";
import { graphThreadOf } from "./dependency-flow/task-threads.ts";
import { warnDeprecationsAtStart } from "./deprecation-warnings.ts";
import { applyEffectOutcome, takeEffect } from "./effect-outcome.ts";
import { capWaitAtDeadline, POLL_AFTER_MS, paceWait } from "./poll-intervals.ts";
import { addRunEndNotification } from "./run-end.ts";
import type {
  MachineContext,
  MachineEvent,
  NextStep,
  RunState,
  SubAgentTaskThread,
  Thread,
  Timer,
  Transition,
} from "./run-model.ts";
import { settleRun } from "./settle.ts";
import { chargeRun, meteredContext, workOf } from "./slice.ts";
import { assertStateFits, checkpointTooLarge, failedFrom, MAX_STATE_BYTES } from "./state-size.ts";
import { applyToThread, operationOf } from "./step-updates.ts";
import type { ThreadScope } from "./thread-scope.ts";
import { addTimer, takeDueTimers } from "./timers.ts";
import { DEFAULT_RUN_WORK_ALLOWANCE } from "./work-meter.ts";

export interface StartOptions {
  id: string;
  inputs?: Record<string, unknown>;
  /** the payload of the event that started the run (the `event` scope) */
  event?: unknown;
  /** work units the run may spend over its life (default `DEFAULT_RUN_WORK_ALLOWANCE`) */
  workAllowance?: number;
  /** the most bytes a thread's state may hold, below `MAX_STATE_BYTES` (a tenant's `max_state_bytes`) */
  stateLimit?: number;
}

export function startRun(
  definition: WorkflowDefinition,
  options: StartOptions,
  context: MachineContext,
): Transition {
  const allowance = options.workAllowance ?? DEFAULT_RUN_WORK_ALLOWANCE;
  const machine = meteredContext(context, { used: 0, allowance });
  const { data, errors } = initState(definition, options.inputs ?? {}, machine.evaluator, {
    config: definition.config ?? {},
    event: options.event,
  });
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) {
    throw new EngineError(errors[0]!.code, errors.map((error) => error.message).join("; "));
  }
  assertStateFits(data, undefined, options.stateLimit);
  const run: RunState = {
    id: options.id,
    workflow: definition.name,
    version: definition.version,
    status: "running",
    createdAt: machine.now,
    updatedAt: machine.now,
    main: { id: "main", status: "ready", state: data, frames: [{ ref: ["steps"], pc: 0 }], pending: [] },
    tasks: {},
    timers: [],
    seq: 0,
    work: { used: 0, allowance },
  };
  if (options.event !== undefined) run.event = options.event;
  if (options.stateLimit !== undefined && options.stateLimit < MAX_STATE_BYTES)
    run.stateLimit = options.stateLimit;
  setDeadline(run, definition.config?.timeout_seconds);
  warnDeprecationsAtStart({ definition, run, thread: run.main, machine });
  const session = openGraphSession(run, undefined);
  const started = advanceThread({ definition, run, thread: run.main, machine }, { issue: false });
  settleRun(definition, run, machine);
  addRunEndNotification(definition, run, "running", machine);
  const exceeded = chargeRun(run, machine);
  const answer: NextStep = exceeded
    ? { status: "failed", error: exceeded }
    : run.status === "completed"
      ? { status: "completed" }
      : started;
  const tooLarge = checkpointTooLarge(run);
  if (tooLarge !== undefined) throw tooLarge;
  const graph = graphChanges(session);
  const next = outgoingAnswer(answer, run, machine);
  return graph === undefined ? { run, next } : { run, next, graph };
}

export function transition(
  definition: WorkflowDefinition,
  current: RunState,
  event: MachineEvent,
  context: MachineContext,
): Transition {
  const machine = meteredContext(context, workOf(current));
  const run = structuredClone(current);
  run.seq += 1;
  run.updatedAt = machine.now;
  const terminal = terminalAnswer(run);
  if (event.kind === "cancel") {
    if (terminal) throw notRunning(run);
    run.status = "cancelled";
    run.completedAt = machine.now;
    run.timers = [];
    run.error = { code: "run.cancelled", message: event.reason ?? "cancelled" };
    // calls not yet answered are dropped (an answer arriving later changes nothing)
    const runEnd = run.effects?.filter((effect) => effect.kind === "run_end") ?? [];
    if (runEnd.length > 0) run.effects = runEnd;
    else delete run.effects;
    return { run, next: { status: "cancelled" } };
  }
  if (terminal && event.kind === "effect") {
    // a run-end notification delivered, or a late answer: only the outstanding list changes
    return takeEffect(run, event.effectId) === undefined
      ? { run: current, next: terminal }
      : { run, next: terminal };
  }
  if (terminal) {
    if (event.kind === "next" || event.kind === "timers") return { run: current, next: terminal };
    throw notRunning(run);
  }
  if (run.deadlineAt !== undefined && machine.now >= run.deadlineAt) {
    const failed = failOnDeadline(run, machine.now);
    addRunEndNotification(definition, failed.run, current.status, machine);
    return failed;
  }
  const session = openGraphSession(run, machine.graph);
  const next = apply(definition, run, event, machine);
  const answeredWhileGraphRan = run.main.waitingFor?.kind === "graph";
  settleRun(definition, run, machine);
  addRunEndNotification(definition, run, current.status, machine);
  const exceeded = chargeRun(run, machine);
  const answer = outgoingAnswer(
    exceeded
      ? { status: "failed" as const, error: exceeded }
      : answerAfterSettle(definition, run, machine, next, event, answeredWhileGraphRan),
    run,
    machine,
  );
  const graph = graphChanges(session);
  const tooLarge = checkpointTooLarge(run);
  if (tooLarge !== undefined) {
    // an agent's write is refused; anything else fails the run from its last checkpoint
    if (event.kind === "update_state") throw tooLarge;
    const failed = failedFrom(current, run, tooLarge);
    return graph === undefined ? failed : { ...failed, graph };
  }
  if (graph !== undefined) return { run, next: answer, graph };
  // Asking again for the step already handed out changes nothing: keep the old checkpoint, so
  // the caller has nothing to write (a RunDO skips a transition whose seq did not move).
  if (event.kind === "next" && onlyClockMoved(run, current)) return { run: current, next: answer };
  return { run, next: answer };
}

/**
 * `after` equals `before` but for the sequence number, `updatedAt` and the work count (the work of
 * rendering a step again is not worth a write).
 */
function onlyClockMoved(after: RunState, before: RunState): boolean {
  const same = { ...after, seq: before.seq, updatedAt: before.updatedAt, work: before.work };
  if (before.work === undefined) delete same.work;
  return JSON.stringify(same) === JSON.stringify(before);
}

function apply(
  definition: WorkflowDefinition,
  run: RunState,
  event: MachineEvent,
  machine: MachineContext,
): NextStep {
  const flow = flowContext(definition, run, machine);
  const taskId = "taskId" in event ? event.taskId : undefined;
  // An event whose task_id names a task of the run's graph goes to that task's thread.
  const graphTask =
    flow !== undefined && taskId !== undefined && isGraphTask(flow, taskId) ? flow : undefined;
  switch (event.kind) {
    case "next": {
      // an agent asking for work also moves on what waits for its next work slice
      if (run.timers.some(isContinue)) fireTimers(definition, run, machine, flow, isContinue);
      if (graphTask) return nextForGraphTask(graphTask, taskId!);
      const scope = threadScope(definition, run, event.taskId, machine);
      const queued = queuedAnswer(scope.thread);
      if (queued) return queued;
      for (const pending of scope.thread.pending.filter((p) => p.implicit)) {
        completeStep(scope, { stepId: pending.id, status: "success" });
      }
      if (flow !== undefined && scope.thread === run.main && run.main.waitingFor?.kind === "graph") {
        return handOutGraphStep(flow);
      }
      return advanceThread(scope, { issue: true });
    }
    case "complete": {
      if (graphTask) return completeGraphStep(graphTask, runningGraphThread(graphTask, taskId!), event);
      const owner =
        taskId === undefined && flow !== undefined ? graphThreadWithStep(flow, event.stepId) : undefined;
      if (owner !== undefined) return completeGraphStep(flow!, owner, event);
      const scope = threadScope(definition, run, event.taskId, machine);
      const outcome = completeStep(scope, event);
      // a step asked again (its answer did not fit) is handed out again in this answer
      return advanceThread(scope, { issue: outcome.kind === "continue" && outcome.reissue === true });
    }
    case "update_state": {
      const updates = event.updates.map(toResolvedUpdate);
      if (graphTask) {
        const thread = runningGraphThread(graphTask, taskId!);
        return updateGraphState(graphTask, thread, (scope) => applyToThread(scope, updates));
      }
      const scope = threadScope(definition, run, event.taskId, machine);
      applyToThread(scope, updates);
      return advanceThread(scope, { issue: false });
    }
    case "timers":
      return fireTimers(definition, run, machine, flow);
    case "effect":
      return applyEffectOutcome(definition, run, event, machine);
    default:
      throw new EngineError("run.unknown_event", "unknown event");
  }
}

function isContinue(timer: Timer): boolean {
  return timer.kind === "continue";
}

function fireTimers(
  definition: WorkflowDefinition,
  run: RunState,
  machine: MachineContext,
  flow: FlowContext | undefined,
  match?: (timer: Timer) => boolean,
): NextStep {
  for (const timer of takeDueTimers(run, machine.now, match)) {
    // the graph goes on when the run settles; the deadline was handled before the event applied
    if (timer.kind === "graph" || timer.kind === "deadline") continue;
    const graphThread = graphThreadOf(run, timer.threadId);
    if (graphThread !== undefined && flow !== undefined) {
      fireGraphTimer(flow, graphThread, timer, fireThreadTimer);
      continue;
    }
    const thread = timer.threadId === "main" ? run.main : run.tasks[timer.threadId];
    if (!thread || thread.status === "completed" || thread.status === "failed") continue;
    const scope: ThreadScope = { definition, run, thread, machine };
    fireThreadTimer(scope, timer);
    advanceThread(scope, { issue: false });
  }
  return advanceThread({ definition, run, thread: run.main, machine }, { issue: false });
}

/**
 * A timer of a thread is due: a step's timeout fails the step; a wait or back-off ends; a thread
 * that spent its work slice goes on.
 */
function fireThreadTimer(scope: ThreadScope, timer: Timer): void {
  const { thread } = scope;
  if (timer.kind === "timeout") {
    if (!thread.pending.some((pending) => pending.id === timer.stepId && !pending.implicit)) return;
    completeStep(scope, {
      stepId: timer.stepId,
      status: "failed",
      code: "step.timeout",
      error: "the agent did not complete the step before its timeout",
    });
  } else if (
    thread.waitingFor?.kind === (timer.kind === "continue" ? "continue" : "timer") &&
    thread.waitingFor.stepId === timer.stepId
  ) {
    thread.waitingFor = undefined;
  }
}

function threadScope(
  definition: WorkflowDefinition,
  run: RunState,
  taskId: string | undefined,
  machine: MachineContext,
): ThreadScope {
  if (taskId === undefined) return { definition, run, thread: run.main, machine };
  // own keys only: a task id such as "__proto__" or "toString" must not reach Object.prototype
  const task = Object.hasOwn(run.tasks, taskId) ? run.tasks[taskId] : undefined;
  if (!task) {
    throw new EngineError("run.task_not_found", `run ${run.id} has no sub-agent task "${taskId}"`);
  }
  return { definition, run, thread: task, machine };
}

function queuedAnswer(thread: Thread | SubAgentTaskThread): NextStep | undefined {
  if (!("queued" in thread) || !thread.queued) return undefined;
  return {
    status: "wait",
    message: `Task ${thread.id} is queued until a slot under max_parallel frees up.`,
    retryAfterMs: POLL_AFTER_MS.tasks,
  };
}

function toResolvedUpdate(update: { path: string; value: unknown; operation?: string }): ResolvedUpdate {
  return { path: update.path, value: update.value, operation: operationOf(update.operation) };
}

/**
 * `config.timeout_seconds` (a positive number) is the run's time limit: a timer wakes the run
 * then, and any event after it (the alarm, an agent's call) ends the run with `run.timeout`.
 */
function setDeadline(run: RunState, timeoutSeconds: unknown): void {
  if (typeof timeoutSeconds !== "number" || !(timeoutSeconds > 0) || !Number.isFinite(timeoutSeconds)) return;
  // at most the dialect's cap, also for a definition published before the dialect had one
  run.deadlineAt = run.createdAt + Math.min(timeoutSeconds, MAX_DURATION_SECONDS) * 1000;
  addTimer(run, { kind: "deadline", at: run.deadlineAt, threadId: "main", stepId: "run" });
}

function failOnDeadline(run: RunState, now: number): Transition {
  const seconds = ((run.deadlineAt ?? now) - run.createdAt) / 1000;
  const error: ErrorShape = {
    code: "run.timeout",
    message: `the run did not finish within config.timeout_seconds (${seconds} s)`,
  };
  run.status = "failed";
  run.completedAt = now;
  run.timers = [];
  run.error = error;
  return { run, next: { status: "failed", error } };
}

function terminalAnswer(run: RunState): NextStep | undefined {
  if (run.status === "completed") return { status: "completed" };
  if (run.status === "cancelled") return { status: "cancelled" };
  if (run.status === "failed") {
    return { status: "failed", error: run.error ?? { code: "run.failed", message: "the run failed" } };
  }
  return undefined;
}

/**
 * The answer after the run settled. A main-thread answer reflects the run's end if settling
 * finished it, and a "wait" given while the main thread waited on its graph becomes "ready" if
 * the graph finished meanwhile. An event on a graph task answers what that agent can do next.
 */
function answerAfterSettle(
  definition: WorkflowDefinition,
  run: RunState,
  machine: MachineContext,
  next: NextStep,
  event: MachineEvent,
  answeredWhileGraphRan: boolean,
): NextStep {
  const taskId = "taskId" in event ? event.taskId : undefined;
  const flow = flowContext(definition, run, machine);
  if (taskId !== undefined && flow !== undefined && isGraphTask(flow, taskId)) {
    return terminalAnswer(run) ?? graphTaskEventAnswer(flow, next, event.kind);
  }
  if (taskId !== undefined || next.status === "steps") return next;
  const terminal = terminalAnswer(run);
  if (terminal) return terminal;
  if (next.status === "wait" && answeredWhileGraphRan && run.main.waitingFor?.kind !== "graph") {
    return { status: "ready" };
  }
  return next;
}

/**
 * The answer as it leaves the machine: a `wait` says when to ask again (`poll-intervals.ts`), and
 * the warnings this transition raised (`warnings.ts`) go with it; no wait outlasts the run's time limit.
 */
function outgoingAnswer(answer: NextStep, run: RunState, machine: MachineContext): NextStep {
  const next = capWaitAtDeadline(paceWait(answer), run.deadlineAt, machine.now);
  const raised = machine.raised ?? [];
  return raised.length === 0 ? next : { ...next, warnings: raised };
}

function notRunning(run: RunState): EngineError {
  return new EngineError("run.not_running", `run ${run.id} is ${run.status}; it accepts no more changes`);
}
