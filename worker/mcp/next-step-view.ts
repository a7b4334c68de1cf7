/**
 * @module
 * Turns the engine's `NextStep` into what `workflow_get_next_step` and friends answer: the same
 * data, flattened, with a `hint` telling an agent reading it cold what to call next. Pure.
 */
import { z } from "zod";
import type { ClientInstruction, NextStep, RunStatus } from "../../engine/machine/run-model.ts";
import { anyJson, errorShapeSchema, runStatusSchema, runWarningSchema } from "./schemas.ts";

export const instructionSchema = z.object({
  id: z.string().describe("step id: pass it to workflow_step_complete when needs_completion is true"),
  type: z
    .string()
    .describe(
      "user_message, mcp_call, shell_command, user_input, agent_prompt, agent_response, parallel_foreach, ...",
    ),
  needs_completion: z
    .boolean()
    .describe(
      "true: report it with workflow_step_complete; false: a user_message (show it) or a parallel_foreach " +
        "(start its sub-agents), which finish by themselves",
    ),
  definition: z
    .record(z.string(), anyJson)
    .describe(
      "the step's fields with every {{ template }} already evaluated; a step being asked again carries " +
        "previous_error; a step whose answer has a declared shape carries example_response",
    ),
  task_id: z
    .string()
    .optional()
    .describe("set for sub-agent and dependency-graph tasks: pass it back to workflow_step_complete"),
  claim: z
    .number()
    .int()
    .optional()
    .describe(
      "set for dependency-graph tasks: pass it back to workflow_step_complete (a stale claim is refused)",
    ),
  attempt: z.number().int().describe("1 for the first hand-out; higher when the step is being retried"),
});

export const nextStepViewSchema = z.object({
  workflow_id: z.string(),
  task_id: z.string().optional(),
  status: z
    .enum(["steps", "wait", "ready", "completed", "failed", "cancelled"])
    .describe(
      "steps: work for you; wait: come back after retry_after_ms; ready: call get_next_step; " +
        "completed/failed/cancelled: the end (of your task, when you passed a task_id)",
    ),
  run_status: runStatusSchema
    .optional()
    .describe("the run's own status: a sub-agent task can fail while the run goes on"),
  steps: z.array(instructionSchema).optional(),
  message: z.string().optional(),
  retry_after_ms: z.number().optional().describe("for wait: milliseconds before asking again"),
  wait_until: z.string().optional().describe("for wait on a timer: when it is due (ISO 8601)"),
  task_ids: z
    .array(z.string())
    .optional()
    .describe("for wait on sub-agent tasks: the tasks still open (a sub-agent passes its own task_id)"),
  error: errorShapeSchema.optional(),
  warnings: z
    .array(runWarningSchema)
    .optional()
    .describe(
      "raised by this call: the run went on, but perhaps not as meant (e.g. a loop hit max_iterations)",
    ),
  hint: z.string().describe("what to do next"),
});

export type NextStepView = z.infer<typeof nextStepViewSchema>;

/** Steps that finish by themselves: never reported with workflow_step_complete. */
const SELF_FINISHING: ReadonlySet<string> = new Set(["user_message", "parallel_foreach"]);

export function nextStepView(
  workflowId: string,
  next: NextStep,
  taskId?: string,
  runStatus?: RunStatus,
): NextStepView {
  const base = {
    workflow_id: workflowId,
    ...(taskId === undefined ? {} : { task_id: taskId }),
    ...(runStatus === undefined ? {} : { run_status: runStatus }),
    ...(next.warnings === undefined || next.warnings.length === 0 ? {} : { warnings: next.warnings }),
  };
  const view = statusView(next, taskId, runStatus);
  const warned =
    base.warnings === undefined
      ? view.hint
      : `${view.hint} Warning: ${base.warnings.map((w) => w.message).join("; ")}.`;
  return { ...base, ...view, hint: warned };
}

type StatusView = Omit<NextStepView, "workflow_id" | "task_id" | "run_status" | "warnings">;

function statusView(
  next: NextStep,
  taskId: string | undefined,
  runStatus: RunStatus | undefined,
): StatusView {
  switch (next.status) {
    case "steps": {
      const steps = next.steps.map(viewOf);
      return { status: "steps", steps, hint: stepsHint(steps) };
    }
    case "wait":
      return {
        status: "wait",
        message: next.message,
        ...(next.retryAfterMs === undefined ? {} : { retry_after_ms: next.retryAfterMs }),
        ...waitUntilOf(next.until),
        ...(next.taskIds === undefined || next.taskIds.length === 0 ? {} : { task_ids: next.taskIds }),
        hint: `Nothing to do yet (message says why). Call workflow_get_next_step again ${whenText(next.retryAfterMs)}.`,
      };
    case "ready":
      return { status: "ready", hint: "Work is waiting for you: call workflow_get_next_step to receive it." };
    case "completed":
      return {
        status: "completed",
        hint:
          taskId === undefined
            ? "Done: nothing more to do. workflow_get_status shows the final state."
            : `Your task ${taskId} is done: nothing more to do for it.`,
      };
    case "failed":
      return { status: "failed", error: next.error, hint: failedHint(next.error.code, taskId, runStatus) };
    case "cancelled":
      return { status: "cancelled", hint: "The run was cancelled; it takes no more steps." };
  }
}

function viewOf(step: ClientInstruction): NextStepView["steps"] extends (infer T)[] | undefined ? T : never {
  return { ...step, needs_completion: !SELF_FINISHING.has(step.type) };
}

/** The wake time as an ISO date, when it is one (a date past what `Date` holds is left out). */
function waitUntilOf(until: number | undefined): { wait_until?: string } {
  if (until === undefined) return {};
  const date = new Date(until);
  return Number.isNaN(date.getTime()) ? {} : { wait_until: date.toISOString() };
}

function whenText(retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined) return "in a few seconds";
  if (retryAfterMs <= 0) return "now";
  return `in about ${Math.ceil(retryAfterMs / 1000)} s`;
}

/** A task's failure is the task's: the run may well go on (its parallel_foreach decides). */
function failedHint(code: string, taskId: string | undefined, runStatus: RunStatus | undefined): string {
  const where = "workflow_get_status shows where (the error is in `error`).";
  if (taskId === undefined || runStatus === "failed") return `The run failed (${code}). ${where}`;
  const run =
    runStatus === undefined
      ? "This does not by itself end the run"
      : `The run itself is ${runStatus}; it goes on without this task`;
  return `Your task ${taskId} failed (${code}) and takes no more steps. ${run}: stop here. ${where}`;
}

function stepsHint(steps: NonNullable<NextStepView["steps"]>): string {
  const toComplete = steps.filter((step) => step.needs_completion).map((step) => step.id);
  const parts = ["Carry out these steps in order."];
  const again = steps.filter((step) => typeof step.definition.previous_error === "string");
  for (const step of again) {
    parts.push(
      `Step "${step.id}" is handed out again (attempt ${step.attempt}): the last try failed or its answer was ` +
        "refused; definition.previous_error says why.",
    );
  }
  if (steps.some((step) => step.type === "user_message")) {
    parts.push("user_message steps only need showing to the user: they count as done on your next call.");
  }
  if (toComplete.length > 0) {
    parts.push(
      `Then call workflow_step_complete for ${toComplete.map((id) => `"${id}"`).join(", ")} ` +
        "(status success or failed, and a result when the step asks for one), passing back its task_id and " +
        "claim when it has them; then call workflow_get_next_step again.",
    );
  }
  if (steps.some((step) => step.type === "parallel_foreach")) {
    parts.push(
      "parallel_foreach is not completed: start one sub-agent per task; each calls workflow_get_next_step with the " +
        "workflow_id and its own task_id until its task completes, while you keep calling workflow_get_next_step " +
        "without a task_id.",
    );
  }
  if (steps.some((step) => typeof step.definition.response_instructions === "string")) {
    parts.push("A step with example_response wants a JSON result of that shape, not prose.");
  }
  return parts.join(" ");
}
