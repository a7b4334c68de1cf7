/**
 * @module
 * Turns the engine's `NextStep` into what `workflow_get_next_step` and friends answer: the same
 * data, flattened, with a `hint` telling an agent reading it cold what to call next. Pure.
 */
import { z } from "zod";
import type { NextStep } from "../../engine/machine/run-model.ts";
import { anyJson, errorShapeSchema } from "./schemas.ts";

export const instructionSchema = z.object({
  id: z.string().describe("step id: pass it to workflow_step_complete"),
  type: z
    .string()
    .describe(
      "user_message, mcp_call, shell_command, user_input, agent_prompt, agent_response, parallel_foreach, ...",
    ),
  definition: z
    .record(z.string(), anyJson)
    .describe("the step's fields with every {{ template }} already evaluated"),
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
      "steps: work for you; wait: come back later; ready: call get_next_step; completed/failed/cancelled: the end",
    ),
  steps: z.array(instructionSchema).optional(),
  message: z.string().optional(),
  retry_after_ms: z.number().optional(),
  error: errorShapeSchema.optional(),
  hint: z.string().describe("what to do next"),
});

export type NextStepView = z.infer<typeof nextStepViewSchema>;

export function nextStepView(workflowId: string, next: NextStep, taskId?: string): NextStepView {
  const base = { workflow_id: workflowId, ...(taskId === undefined ? {} : { task_id: taskId }) };
  switch (next.status) {
    case "steps":
      return {
        ...base,
        status: "steps",
        steps: next.steps,
        hint: stepsHint(next.steps.map((step) => step.type)),
      };
    case "wait":
      return {
        ...base,
        status: "wait",
        message: next.message,
        ...(next.retryAfterMs === undefined ? {} : { retry_after_ms: next.retryAfterMs }),
        hint: `Nothing to do yet (${next.message}). Call workflow_get_next_step again${
          next.retryAfterMs === undefined ? " later" : ` in about ${Math.ceil(next.retryAfterMs / 1000)} s`
        }.`,
      };
    case "ready":
      return {
        ...base,
        status: "ready",
        hint: "Work is waiting for you: call workflow_get_next_step to receive it.",
      };
    case "completed":
      return {
        ...base,
        status: "completed",
        hint: "Done: nothing more to do. workflow_get_status shows the final state.",
      };
    case "failed":
      return {
        ...base,
        status: "failed",
        error: next.error,
        hint: `The run failed (${next.error.code}: ${next.error.message}). workflow_get_status shows where.`,
      };
    case "cancelled":
      return { ...base, status: "cancelled", hint: "The run was cancelled; it takes no more steps." };
  }
}

function stepsHint(types: string[]): string {
  const parts = [
    "Carry out these steps in order.",
    "user_message steps only need showing to the user.",
    "For every other step, call workflow_step_complete with its id (status success or failed, and a result when the step asks for one), passing back its task_id and claim when it has them; then call workflow_get_next_step again.",
  ];
  if (types.includes("parallel_foreach")) {
    parts.push(
      "For parallel_foreach, start one sub-agent per task: each calls workflow_get_next_step with the workflow_id and its task_id until its task completes.",
    );
  }
  return parts.join(" ");
}
