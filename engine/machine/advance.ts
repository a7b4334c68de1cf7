/**
 * @module
 * Running one thread forward: server steps execute here, one after another, until the thread
 * reaches a client step, a wait, or its end. In `issue` mode client steps are handed out
 * (consecutive `user_message`s batched with the blocking step that follows them); otherwise the
 * thread stops in front of the first client step and reports `ready`. Every step is charged to
 * the transition's work meter; once the slice is spent the thread yields before its next step or
 * loop pass (`slice.ts`) and goes on in a later event.
 */

import type { Step } from "../dialect/index.ts";
import { EngineError, isEngineError } from "../errors.ts";
import { stepListAt } from "./definition.ts";
import { flowContext } from "./dependency-flow/flow-context.ts";
import { runDependencyFlow } from "./dependency-flow/flow-step.ts";
import { graphProgress } from "./dependency-flow/progress.ts";
import { forgetAttempts, handleStepFailure } from "./failure.ts";
import { breakLoop, continueLoop, finishFrame, topFrame } from "./frames.ts";
import { instructionOf, issueClientStep } from "./issue.ts";
import { POLL_AFTER_MS } from "./poll-intervals.ts";
import type { ClientInstruction, Frame, NextStep } from "./run-model.ts";
import { CONTINUE_RETRY_AFTER_MS, yieldSlice } from "./slice.ts";
import { isClientStep, type ServerStepType } from "./step-kinds.ts";
import type { StepOf } from "./step-types.ts";
import { applyToThread, resolveUpdates, updateSpecsOf } from "./step-updates.ts";
import { runConditional } from "./steps/conditional.ts";
import { handOutEffect, isEffectStepNode } from "./steps/effect-steps.ts";
import type { ServerStepHandlers, StepOutcome } from "./steps/handler.ts";
import { runForeach, runWhileLoop } from "./steps/loops.ts";
import { runParallelForeach } from "./steps/parallel-foreach.ts";
import { runSetState } from "./steps/set-state.ts";
import { runWaitStep } from "./steps/wait.ts";
import { announceTasks } from "./sub-agent-tasks.ts";
import { evaluateCondition, type ThreadScope } from "./thread-scope.ts";
import { WORK_UNITS } from "./work-meter.ts";

const SERVER_STEPS: ServerStepHandlers = {
  conditional: runConditional,
  while_loop: runWhileLoop,
  foreach: runForeach,
  wait_step: runWaitStep,
  set_state: runSetState,
  parallel_foreach: runParallelForeach,
  // the graph's task threads run through this module's advanceThread, passed in (no import cycle)
  dependency_flow: (scope, step, frame) => runDependencyFlow(scope, step, frame, runUntilClientStep),
  break: (scope) => {
    breakLoop(scope);
    return { kind: "continue" };
  },
  continue: (scope) => {
    continueLoop(scope);
    return { kind: "continue" };
  },
};

export interface AdvanceOptions {
  /** hand client steps out (a `next` call) rather than stopping in front of them */
  issue: boolean;
}

/** Runs a thread until it stops in front of a client step (a task thread's first move). */
export function runUntilClientStep(scope: ThreadScope): NextStep {
  return advanceThread(scope, { issue: false });
}

export function advanceThread(scope: ThreadScope, options: AdvanceOptions): NextStep {
  const { thread } = scope;
  const batch: ClientInstruction[] = [];
  // Messages batched so far go out with whatever stops the thread.
  const answer = (next: NextStep): NextStep => {
    if (next.status === "steps") return { status: "steps", steps: [...batch, ...next.steps] };
    return batch.length > 0 ? { status: "steps", steps: batch } : next;
  };
  const meter = scope.machine.meter;
  let ran = false;

  for (;;) {
    if (thread.status === "failed") return answer({ status: "failed", error: thread.error! });
    if (thread.status === "completed") return answer({ status: "completed" });
    if (thread.waitingFor) return answer(waitingAnswer(scope));
    const blocking = thread.pending.filter((pending) => !pending.implicit);
    if (blocking.length > 0) {
      thread.status = "blocked";
      return answer({ status: "steps", steps: blocking.map((pending) => instructionOf(pending, thread.id)) });
    }
    const frame = topFrame(scope);
    if (!frame) {
      thread.status = "completed";
      return answer({ status: "completed" });
    }
    const steps = stepListAt(scope.definition, frame.ref);
    const atEnd = frame.pc >= steps.length;
    // a pass of a loop (its condition) costs like a step; leaving a plain list costs nothing
    if (!atEnd || frame.loop) {
      if (meter?.exhausted)
        return answer(yieldSlice(scope, atEnd ? frame.loop!.stepId : steps[frame.pc]!.id, ran));
      meter?.charge(WORK_UNITS.step);
      ran = true;
    }
    if (atEnd) {
      const outcome = endOfList(scope, frame);
      if (outcome.kind === "stop") return answer(outcome.next);
      continue;
    }
    const step = steps[frame.pc]!;
    const ref = [...frame.ref, frame.pc];
    const outcome = runStep(scope, step, frame, ref, options, batch);
    if (outcome.kind === "stop") return answer(outcome.next);
  }
}

function runStep(
  scope: ThreadScope,
  step: Step,
  frame: Frame,
  ref: (string | number)[],
  options: AdvanceOptions,
  batch: ClientInstruction[],
): StepOutcome {
  const stateBefore = scope.thread.state;
  const framesBefore = scope.thread.frames.length;
  try {
    if (step.when !== undefined && !evaluateCondition(scope, step.when)) {
      frame.pc += 1;
      return { kind: "continue" };
    }
    const clientSide = isClientStep(step.type) || step.type === "parallel_foreach" || isAgentWait(step);
    if (clientSide && !options.issue) return { kind: "stop", next: { status: "ready" } };
    if (isClientStep(step.type)) {
      const instruction = issueClientStep(scope, step, ref);
      if (step.type !== "user_message")
        return { kind: "stop", next: { status: "steps", steps: [instruction] } };
      batch.push(instruction);
      frame.pc += 1;
      return { kind: "continue" };
    }
    // state updates of an external_call/notify apply with its result (effect-outcome.ts)
    if (isEffectStepNode(step)) return handOutEffect(scope, step, ref);
    if (!isServerStep(step)) {
      throw new EngineError("run.unsupported_step", `step "${step.id}": type "${step.type}" is unknown`);
    }
    applyToThread(scope, resolveUpdates(scope, updateSpecsOf(step)));
    const outcome = runServerStep(scope, step.type, step, frame);
    forgetAttempts(scope, step.id);
    scope.machine.executed?.push({ threadId: scope.thread.id, stepId: step.id, type: step.type });
    return outcome;
  } catch (error) {
    if (!isEngineError(error)) throw error;
    if (isServerStep(step)) {
      const failure = { code: error.code, message: error.message };
      scope.machine.executed?.push({
        threadId: scope.thread.id,
        stepId: step.id,
        type: step.type,
        error: failure,
      });
    }
    scope.thread.state = stateBefore;
    scope.thread.frames.length = Math.min(scope.thread.frames.length, framesBefore);
    return handleStepFailure(scope, step, error, { skip: () => (frame.pc += 1) });
  }
}

function isServerStep(step: Step): step is StepOf<ServerStepType> {
  return Object.hasOwn(SERVER_STEPS, step.type);
}

/** Calls the handler of `type` (the step's own type) with the step, typed for that handler. */
function runServerStep<T extends ServerStepType>(
  scope: ThreadScope,
  type: T,
  step: StepOf<T>,
  frame: Frame,
): StepOutcome {
  const handler: ServerStepHandlers[T] = SERVER_STEPS[type];
  return handler(scope, step, frame);
}

/** A `wait_step` without a timer hands control to the agent: it needs an agent's `next` to pass. */
function isAgentWait(step: Step): boolean {
  return step.type === "wait_step" && step.seconds === undefined && step.until === undefined;
}

/** The end of a step list: repeat or leave a loop, or return to the enclosing list. */
function endOfList(scope: ThreadScope, frame: Frame): StepOutcome {
  try {
    finishFrame(scope, frame);
    return { kind: "continue" };
  } catch (error) {
    if (!isEngineError(error) || !frame.loop) throw error;
    frame.loop.iteration -= 1;
    const loopStep = stepListAt(scope.definition, frame.ref.slice(0, -2))[Number(frame.ref.at(-2))]!;
    return handleStepFailure(scope, loopStep, error, { skip: () => scope.thread.frames.pop() });
  }
}

function waitingAnswer(scope: ThreadScope): NextStep {
  const waiting = scope.thread.waitingFor!;
  if (waiting.kind === "tasks") {
    const step = stepListAt(scope.definition, topFrame(scope)!.ref)[topFrame(scope)!.pc]!;
    return announceTasks(scope, step);
  }
  if (waiting.kind === "graph") {
    const flow = flowContext(scope.definition, scope.run, scope.machine);
    if (flow !== undefined) return graphProgress(flow);
  }
  const next: NextStep = { status: "wait", message: waiting.message ?? "Waiting." };
  if (waiting.kind === "continue") next.retryAfterMs = CONTINUE_RETRY_AFTER_MS;
  else if (waiting.until !== undefined) {
    next.retryAfterMs = Math.max(0, waiting.until - scope.machine.now);
    next.until = waiting.until;
  } else if (waiting.kind === "effect") next.retryAfterMs = POLL_AFTER_MS.effect;
  return next;
}
