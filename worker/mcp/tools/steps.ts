/**
 * @module
 * The agent's loop: `workflow_get_next_step` hands out client steps, `workflow_step_complete`
 * reports one back. Both work for the main agent or, with `task_id`, for a sub-agent's task or a
 * dependency-graph task (whose steps carry a `claim` to send back).
 */
import { z } from "zod";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { existingRunStub } from "../existing-run.ts";
import { nextStepView, nextStepViewSchema } from "../next-step-view.ts";
import { anyJson, runIdArg, runStatusSchema, taskIdArg } from "../schemas.ts";
import { defineTool } from "../tool-kit.ts";

export const workflowGetNextStep = defineTool({
  name: "workflow_get_next_step",
  title: "Get next steps",
  description:
    "Returns what the agent must do next in a run. status=steps lists steps to carry out in order (templates already " +
    "filled in); consecutive user_message steps come together and count as done on your next call. For each other step, " +
    "call workflow_step_complete. status=wait means come back later; completed/failed/cancelled mean the run is over. " +
    "Sub-agents pass their task_id to drive their own task. While a dependency graph runs, each call hands out the step " +
    "of a different graph task (its task_id and claim are on the step), so several agents can work at once.",
  input: z.strictObject({ workflow_id: runIdArg, task_id: taskIdArg.optional() }),
  output: nextStepViewSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run({ workflow_id, task_id }, { env, tenant, audit }) {
    const event = { kind: "next" as const, ...(task_id === undefined ? {} : { taskId: task_id }) };
    const stub = await existingRunStub(env, tenant, workflow_id);
    const { run, next } = await unwrap(stub.apply(tenant, workflow_id, event, audit.actor));
    return nextStepView(workflow_id, next, task_id, run.status);
  },
});

export const workflowStepComplete = defineTool({
  name: "workflow_step_complete",
  title: "Complete a step",
  description:
    "Reports that you finished a step workflow_get_next_step gave you. status=success with `result` (the tool output, " +
    "the user's answer, your response object; for shell_command the output text or {stdout, stderr, exit_code}); or status=failed with " +
    "`error` (the step's error_handling decides: retry, continue, fallback or fail the run). The step's state updates " +
    "apply here. For a dependency-graph task pass the step's task_id and claim; a result {add_tasks, add_edges} adds " +
    "tasks to the graph. Next: call workflow_get_next_step.",
  input: z.strictObject({
    workflow_id: runIdArg,
    step_id: z.string().min(1).max(300).describe("the id of the step, as workflow_get_next_step returned it"),
    status: z.enum(["success", "failed"]).default("success"),
    result: anyJson
      .optional()
      .describe(
        "the step's result (any JSON value). A string is text for shell_command (its stdout) and user_input (the answer); " +
          "for mcp_call, agent_prompt and agent_response a string holding a JSON object or array is parsed",
      ),
    error: z.string().max(10_000).optional().describe("what went wrong, when status is failed"),
    task_id: taskIdArg.optional(),
    claim: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "a dependency-graph task's claim, as on the step: an answer on a claim that expired is refused (graph.stale_claim)",
      ),
  }),
  output: z.object({
    workflow_id: z.string(),
    step_id: z.string(),
    run_status: runStatusSchema,
    next: nextStepViewSchema,
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run({ workflow_id, step_id, status, result, error, task_id, claim }, { env, tenant, audit }) {
    const event = {
      kind: "complete" as const,
      stepId: step_id,
      status,
      ...(result === undefined ? {} : { result }),
      ...(error === undefined ? {} : { error }),
      ...(task_id === undefined ? {} : { taskId: task_id }),
      ...(claim === undefined ? {} : { claim }),
    };
    const stub = await existingRunStub(env, tenant, workflow_id);
    const { run, next } = await unwrap(stub.apply(tenant, workflow_id, event, audit.actor));
    return {
      workflow_id,
      step_id,
      run_status: run.status,
      next: nextStepView(workflow_id, next, task_id, run.status),
    };
  },
});
