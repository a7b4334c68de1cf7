/**
 * @module
 * An agent reports a client step done (`workflow_step_complete`): read the result (one rule for
 * plain strings, result-reading.ts), check it, apply the
 * step's `store_result` / `state_update(s)` with the result in scope, and move the thread past the
 * step; or, for a failure, apply the step's error handling.
 */
import type { StateUpdateSpec, Step } from "../dialect/index.ts";
import { EngineError, type ErrorCode, isEngineError } from "../errors.ts";
import { stepAt } from "./definition.ts";
import { forgetAttempts, handleStepFailure } from "./failure.ts";
import { misdirectedCompletion } from "./misdirected.ts";
import { reaskOnBadShape } from "./reask.ts";
import { checkResponseShape, checkUserInput } from "./result-checks.ts";
import { readResult } from "./result-reading.ts";
import type { PendingStep } from "./run-model.ts";
import type { ErrorPolicy } from "./step-types.ts";
import { applyToThread, resolveUpdates, updateSpecsOf } from "./step-updates.ts";
import type { StepOutcome } from "./steps/handler.ts";
import type { ThreadScope } from "./thread-scope.ts";
import { removeTimers } from "./timers.ts";

export interface Completion {
  stepId: string;
  status: "success" | "failed";
  result?: unknown;
  error?: string;
  /** error code for a failure the engine itself detected (e.g. `step.timeout`) */
  code?: ErrorCode;
}

export function completeStep(scope: ThreadScope, completion: Completion): StepOutcome {
  const pending = takePending(scope, completion.stepId);
  const step = stepAt(scope.definition, pending.ref);
  if (pending.implicit) {
    // A user_message: nothing to wait for, its position was passed when it was handed out.
    applyResult(scope, step, pending, undefined);
    return { kind: "continue" };
  }
  // a result the step cannot take is refused here, before anything changes (result-reading.ts)
  const sent = completion.status === "success" ? readResult(step, completion.result) : undefined;
  scope.thread.status = "ready";
  const frame = scope.thread.frames.at(-1)!;
  const moveOn = () => {
    frame.pc += 1;
  };
  try {
    if (completion.status === "failed") {
      throw new EngineError(
        completion.code ?? "step.failed",
        completion.error ?? "the agent reported the step as failed",
      );
    }
    const result = checkedResult(scope, step, sent);
    applyResult(scope, step, pending, result);
    forgetAttempts(scope, step.id);
    moveOn();
    return { kind: "continue" };
  } catch (error) {
    if (!isEngineError(error)) throw error;
    const reasked = reaskOnBadShape(scope, step, error);
    if (reasked !== undefined) return reasked;
    return handleStepFailure(
      scope,
      step,
      error,
      {
        skip: moveOn,
        fallback: (value) => {
          applyResult(scope, step, pending, value);
          moveOn();
        },
      },
      policyFor(step, error),
    );
  }
}

/**
 * The result a successful completion carries once read by its step's rule (result-reading.ts);
 * the result as sent when the step is not pending (completing it then fails anyway).
 */
export function completedResult(scope: ThreadScope, completion: Completion): unknown {
  const { thread } = scope;
  const bare = completion.stepId.startsWith(`${thread.id}.`)
    ? completion.stepId.slice(thread.id.length + 1)
    : completion.stepId;
  const pending = thread.pending.find((candidate) => candidate.id === bare && !candidate.implicit);
  if (pending === undefined || completion.status !== "success") return completion.result;
  return readResult(stepAt(scope.definition, pending.ref), completion.result);
}

/** Removes and returns the pending step; ids may be given bare or as `task_id.step_id`. */
function takePending(scope: ThreadScope, stepId: string): PendingStep {
  const { thread } = scope;
  const bare = stepId.startsWith(`${thread.id}.`) ? stepId.slice(thread.id.length + 1) : stepId;
  // an external_call/notify is completed by the runtime's effect event, never by an agent
  const index = thread.pending.findIndex((pending) => pending.id === bare && pending.effectId === undefined);
  if (index < 0) {
    if (thread.pending.some((pending) => pending.id === bare)) {
      throw new EngineError(
        "run.step_not_pending",
        `step "${stepId}" is an ${thread.pending.find((pending) => pending.id === bare)!.type} the platform performs itself; no agent completes it`,
      );
    }
    const misdirected = misdirectedCompletion(scope.run, thread, bare);
    if (misdirected !== undefined) throw misdirected;
    const waiting = thread.pending.map((pending) => pending.id);
    throw new EngineError(
      "run.step_not_pending",
      waiting.length > 0
        ? `step "${stepId}" is not waiting for completion; pending: ${waiting.join(", ")}`
        : `step "${stepId}" is not waiting for completion; call workflow_get_next_step to receive steps`,
    );
  }
  const [pending] = thread.pending.splice(index, 1);
  removeTimers(
    scope.run,
    (timer) => timer.threadId === thread.id && timer.stepId === bare && timer.kind === "timeout",
  );
  return pending!;
}

function checkedResult(scope: ThreadScope, step: Step, result: unknown): unknown {
  if (step.type === "user_input") return checkUserInput(step, result, scope.machine.evaluator);
  if (step.type === "agent_response" || step.type === "agent_prompt") checkResponseShape(step, result);
  return result;
}

/** `user_input` re-asks at once on a bad answer (up to its `max_retries`) unless it says otherwise. */
function policyFor(step: Step, error: EngineError): ErrorPolicy | undefined {
  if (step.error_handling || error.code !== "step.validation_failed" || step.type !== "user_input") {
    return step.error_handling;
  }
  return { strategy: "retry", max_retries: step.max_retries, retry_delay: 0 };
}

/** Applies `store_result`/`store_response` and `state_update(s)` with `result` in scope. */
export function applyResult(scope: ThreadScope, step: Step, pending: PendingStep, result: unknown): void {
  const specs: StateUpdateSpec[] = [];
  const path = resultPathOf(step);
  if (path !== undefined) specs.push({ path, value: "{{ result }}", operation: "set" });
  specs.push(...updateSpecsOf(step));
  const locals = resultLocals(step, result);
  const options = { locals, expressions: true, ...(pending.loop ? { loop: pending.loop } : {}) };
  applyToThread(scope, resolveUpdates(scope, specs, options), pending.loop);
}

/**
 * Where a step keeps its result: `mcp_call`'s and `external_call`'s `store_result`,
 * `agent_response`'s `store_response`.
 */
function resultPathOf(step: Step): string | undefined {
  if (step.type === "mcp_call" || step.type === "external_call") return step.store_result;
  if (step.type === "agent_response") return step.store_response;
  return undefined;
}

/** The bare names a result offers to its step's state updates. */
export function resultLocals(step: Step, result: unknown): Record<string, unknown> {
  const fields =
    result !== null && typeof result === "object" && !Array.isArray(result)
      ? (result as Record<string, unknown>)
      : {};
  const locals: Record<string, unknown> = { ...fields, result, response: result };
  if (step.type === "shell_command") {
    locals.stdout = typeof result === "string" ? result : (fields.stdout ?? "");
    locals.stderr = fields.stderr ?? "";
    locals.returncode = fields.exit_code ?? fields.returncode ?? 0;
    locals.exit_code = locals.returncode;
    locals.full_output = result;
  }
  if (step.type === "user_input") {
    locals.user_input = result;
    locals.value = result;
  }
  return locals;
}
