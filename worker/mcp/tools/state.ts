/**
 * @module
 * A run's state: `workflow_state_read` and `workflow_state_update` (main thread or one task).
 */
import { z } from "zod";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { EngineError } from "../../../engine/errors.ts";
import { parseInput } from "../../http/parse-input.ts";
import { applyAuditedRunChange, existingRunStub, runObject } from "../existing-run.ts";
import { jsonArgument } from "../json-argument.ts";
import { anyJson, runIdArg, stateTiersSchema, taskIdArg } from "../schemas.ts";
import { defineTool } from "../tool-kit.ts";

export const workflowStateRead = defineTool({
  name: "workflow_state_read",
  title: "Read run state",
  description:
    "Reads a run's state. Without `paths`: every tier (inputs, state = this.*, global, computed). " +
    'With `paths` such as ["this.counter", "inputs.name", "global.total"]: just those values. Pass task_id for a ' +
    "sub-agent task's own state. To change state use workflow_state_update.",
  input: z.strictObject({
    workflow_id: runIdArg,
    paths: z.array(z.string().min(1).max(500)).max(100).optional().describe("state paths to read"),
    task_id: taskIdArg.optional(),
  }),
  output: z.object({
    workflow_id: z.string(),
    task_id: z.string().optional(),
    state: stateTiersSchema.optional(),
    values: z.record(z.string(), anyJson).optional().describe("the value at each requested path"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ workflow_id, paths, task_id }, { env, tenant }) {
    const stub = await existingRunStub(env, tenant, workflow_id);
    const ids = { workflow_id, ...(task_id === undefined ? {} : { task_id }) };
    if (paths !== undefined)
      return { ...ids, values: await unwrap(stub.readState(tenant, workflow_id, paths, task_id)) };
    const snapshot = await unwrap(stub.snapshot(tenant, workflow_id));
    if (task_id === undefined) return { ...ids, state: snapshot.state };
    const task = Object.hasOwn(snapshot.tasks, task_id) ? snapshot.tasks[task_id] : undefined;
    if (task === undefined) {
      throw new EngineError("run.task_not_found", `Run ${workflow_id} has no task "${task_id}".`, {
        path: "task_id",
      });
    }
    return { ...ids, state: task.state };
  },
});

const updateSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .max(500)
    .describe("this.x, global.x or a nested path such as this.a.b; inputs and computed are read-only"),
  value: anyJson.describe("the value (for increment/decrement: the amount, default 1)"),
  operation: z
    .enum(["set", "increment", "decrement", "append", "multiply", "merge"])
    .optional()
    .describe("default set"),
});

const updateListSchema = z.array(updateSchema).min(1).max(100);

export const workflowStateUpdate = defineTool({
  name: "workflow_state_update",
  title: "Update run state",
  description:
    "Changes a run's state: a list of {path, value, operation} applied in order and atomically (all or none). " +
    "Writable: this.* (state fields) and global.*; inputs.* and computed.* are read-only (state.read_only). Computed " +
    "fields recompute. Pass task_id for a sub-agent task. Not needed after workflow_step_complete: it already stores " +
    "the step's result (store_result/store_response) and applies its state_update(s); use this only for changes " +
    "the workflow does not make itself.",
  input: z.strictObject({
    workflow_id: runIdArg,
    updates: z
      .union([updateListSchema, z.string().describe("the same list, as a JSON string")])
      .describe("the changes to apply"),
    task_id: taskIdArg.optional(),
  }),
  output: z.object({
    workflow_id: z.string(),
    task_id: z.string().optional(),
    updates_applied: z.number().int(),
    state: stateTiersSchema,
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run({ workflow_id, updates, task_id }, { env, tenant, audit }) {
    const list = parseInput(updateListSchema, jsonArgument(updates, "updates"), "updates");
    const event = {
      kind: "update_state" as const,
      updates: list,
      ...(task_id === undefined ? {} : { taskId: task_id }),
    };
    const stub = await existingRunStub(env, tenant, workflow_id);
    const object = runObject(workflow_id, task_id);
    const { run } = await applyAuditedRunChange(
      env,
      tenant,
      { action: "run.state_update", object, hashed: { updates: list } },
      audit,
      () => unwrap(stub.apply(tenant, workflow_id, event, audit.actor)),
    );
    const task = task_id !== undefined && Object.hasOwn(run.tasks, task_id) ? run.tasks[task_id] : undefined;
    const state = task?.state;
    return {
      workflow_id,
      ...(task_id === undefined ? {} : { task_id }),
      updates_applied: list.length,
      state: state ?? run.state,
    };
  },
});
