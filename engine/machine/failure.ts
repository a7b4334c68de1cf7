/**
 * @module
 * What happens when a step fails, per its `error_handling`: retry with exponential backoff,
 * continue past it, use a fallback result, or fail the thread (the default). The caller supplies
 * how to move past the step and how to apply a fallback, since that differs between a server step,
 * a client step and the end of a loop pass. Also how a whole run fails at once, whatever its
 * threads were doing (`failWholeRun`).
 */
import { MAX_DURATION_SECONDS, RETRY_DEFAULTS, type Step } from "../dialect/index.ts";
import type { EngineError, ErrorShape } from "../errors.ts";
import type { RunState } from "./run-model.ts";
import type { ErrorPolicy } from "./step-types.ts";
import type { StepOutcome } from "./steps/handler.ts";
import type { ThreadScope } from "./thread-scope.ts";
import { addTimer } from "./timers.ts";

export interface FailureActions {
  /** move past the failed step */
  skip: () => void;
  /** carry on as if the step had produced this result (defaults to `skip`) */
  fallback?: (value: unknown) => void;
  /** the delay before retry `attempt`, from the step's backoff (ms); the backoff itself by default */
  retryDelayMs?: (attempt: number, backoffMs: number) => number;
}

export function handleStepFailure(
  scope: ThreadScope,
  step: Step,
  error: EngineError,
  actions: FailureActions,
  policy: ErrorPolicy | undefined = step.error_handling,
): StepOutcome {
  const { thread } = scope;
  const strategy = policy?.strategy ?? "fail";
  if (strategy === "retry") {
    const attempt = thread.attempts?.[step.id] ?? 1;
    if (attempt <= (policy?.max_retries ?? RETRY_DEFAULTS.max_retries))
      return scheduleRetry(scope, step, error, attempt, policy, actions.retryDelayMs);
  }
  forgetAttempts(scope, step.id);
  const fallsBack = strategy === "fallback" || (strategy === "retry" && policy?.fallback_value !== undefined);
  if (strategy === "continue") {
    actions.skip();
    return { kind: "continue" };
  }
  if (fallsBack) {
    (actions.fallback ?? (() => actions.skip()))(policy?.fallback_value ?? null);
    return { kind: "continue" };
  }
  const failure = {
    code: error.code,
    message: `step "${step.id}" failed: ${policy?.error_message ?? detailOf(step.id, error.message)}`,
    path: step.id,
  };
  thread.status = "failed";
  thread.error = failure;
  return { kind: "stop", next: { status: "failed", error: failure } };
}

/** Seconds before retry number `attempt` (1 = the first retry): delay × multiplier^(attempt-1), capped. */
export function backoffSeconds(attempt: number, policy: ErrorPolicy | undefined): number {
  const base = policy?.retry_delay ?? RETRY_DEFAULTS.retry_delay;
  const multiplier = policy?.backoff_multiplier ?? RETRY_DEFAULTS.backoff_multiplier;
  const cap = policy?.max_delay ?? RETRY_DEFAULTS.max_delay;
  if (base === 0) return 0;
  // multiplier^n may overflow to Infinity: the cap still holds (the dialect's own cap too, for a
  // definition published before the dialect had one)
  return Math.min(base * multiplier ** (attempt - 1), cap, MAX_DURATION_SECONDS);
}

function scheduleRetry(
  scope: ThreadScope,
  step: Step,
  error: EngineError,
  attempt: number,
  policy: ErrorPolicy | undefined,
  delayOf: FailureActions["retryDelayMs"],
): StepOutcome {
  const { thread, run, machine } = scope;
  thread.attempts = { ...thread.attempts, [step.id]: attempt + 1 };
  thread.retryReasons = { ...thread.retryReasons, [step.id]: error.message };
  const backoffMs = backoffSeconds(attempt, policy) * 1000;
  const delayMs = delayOf === undefined ? backoffMs : delayOf(attempt, backoffMs);
  if (delayMs <= 0) return { kind: "continue" };
  const until = machine.now + delayMs;
  const message = `Step "${step.id}" failed (${detailOf(step.id, error.message)}); retry ${attempt} is due in ${delayMs / 1000}s.`;
  thread.waitingFor = { kind: "timer", stepId: step.id, until, message };
  addTimer(run, { at: until, kind: "retry", threadId: thread.id, stepId: step.id });
  return { kind: "stop", next: { status: "wait", message, retryAfterMs: delayMs, until } };
}

/**
 * An error's message without the `step "<id>": ` its raiser may have put in front: the failure
 * message names the step already (`step "x" failed: step "x": ...` said it twice).
 */
export function detailOf(stepId: string, message: string): string {
  const own = `step "${stepId}": `;
  return message.startsWith(own) ? message.slice(own.length) : message;
}

/** The step is done with (succeeded or moved past): its retry bookkeeping goes. */
export function forgetAttempts(scope: ThreadScope, stepId: string): void {
  const { thread } = scope;
  if (thread.attempts && stepId in thread.attempts) {
    const { [stepId]: _attempt, ...attempts } = thread.attempts;
    thread.attempts = attempts;
  }
  if (thread.retryReasons && stepId in thread.retryReasons) {
    const { [stepId]: _reason, ...reasons } = thread.retryReasons;
    thread.retryReasons = reasons;
  }
}

/** The run fails as a whole with `error`: its timers go, and the main thread stops with it. */
export function failWholeRun(run: RunState, error: ErrorShape, now: number): void {
  run.status = "failed";
  run.completedAt ??= now;
  run.timers = [];
  run.error = error;
  run.main.status = "failed";
  run.main.error = error;
}
