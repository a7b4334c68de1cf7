/**
 * @module
 * Codes the run machine raises: a run (`run.*`) or one of its steps (`step.*`) that cannot go on.
 * Part of the closed set of error codes (`ErrorCode` in engine/error-codes.ts): a code not listed
 * here or in a sibling list does not compile, and worker/errors/codes.ts must classify each one.
 */

export const RUN_CODES = [
  "run.bad_reference",
  "run.break_outside_loop",
  "run.cancelled",
  "run.continue_outside_loop",
  "run.cpu_exceeded",
  "run.failed",
  "run.graph_mismatch",
  "run.graph_missing",
  "run.nested_dependency_flow",
  "run.nested_parallel_foreach",
  "run.not_running",
  "run.step_not_pending",
  "run.task_id_required",
  "run.task_not_found",
  "run.timeout",
  "run.unknown_event",
  "run.unknown_sub_agent_task",
  "run.unsupported_step",
  "step.failed",
  "step.invalid_items",
  "step.invalid_result",
  "step.invalid_wait",
  "step.max_iterations",
  "step.no_dependencies",
  "step.sub_agent_failed",
  "step.timeout",
  "step.validation_failed",
] as const;

export type RunCode = (typeof RUN_CODES)[number];
