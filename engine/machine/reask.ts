/**
 * @module
 * A step that declares the shape of its answer (`agent_prompt`'s `expected_response`,
 * `agent_response`'s `response_schema`) asks again when the answer does not fit, instead of
 * failing on the first prose answer: the step is handed out again at once with the next
 * `attempt` and the validation error as `previous_error`, up to its `max_retries` (default
 * `RETRY_DEFAULTS.max_retries`). After that the step fails through its `error_handling`.
 */
import { RETRY_DEFAULTS, type Step } from "../dialect/index.ts";
import type { EngineError } from "../errors.ts";
import type { StepOf } from "./step-types.ts";
import type { StepOutcome } from "./steps/handler.ts";
import type { ThreadScope } from "./thread-scope.ts";

export type ShapedStep = StepOf<"agent_prompt"> | StepOf<"agent_response">;

/** The JSON Schema (subset) the step's answer must fit, if it declares one. */
export function answerShapeOf(step: Step): Record<string, unknown> | undefined {
  if (step.type === "agent_prompt") return step.expected_response;
  if (step.type === "agent_response") return step.response_schema;
  return undefined;
}

/** How many times the step is asked again after answers that do not fit (0 when it has no shape). */
export function shapeRetriesOf(step: Step): number {
  if (answerShapeOf(step) === undefined) return 0;
  return (step as ShapedStep).max_retries ?? RETRY_DEFAULTS.max_retries;
}

/**
 * Re-asks the step when `error` is its answer not fitting its shape and re-asks are left;
 * otherwise `undefined` (the caller applies the step's error handling).
 */
export function reaskOnBadShape(scope: ThreadScope, step: Step, error: EngineError): StepOutcome | undefined {
  if (error.code !== "step.validation_failed") return undefined;
  const { thread } = scope;
  const attempt = thread.attempts?.[step.id] ?? 1;
  if (attempt > shapeRetriesOf(step)) return undefined;
  thread.attempts = { ...thread.attempts, [step.id]: attempt + 1 };
  thread.retryReasons = { ...thread.retryReasons, [step.id]: error.message };
  return { kind: "continue", reissue: true };
}
