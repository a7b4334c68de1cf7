/**
 * @module
 * Tools over a run's life: `workflow_start`, `workflow_get_status` (with a dependency graph: task
 * counts per status and the critical path), `workflow_cancel`.
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { applyAuditedRunChange, existingRunStub, runObject } from "../existing-run.ts";
import { jsonArgument } from "../json-argument.ts";
import { nextStepView, nextStepViewSchema } from "../next-step-view.ts";
import {
  objectOrJsonString,
  runIdArg,
  runSnapshotSchema,
  runStatusSchema,
  stateTiersSchema,
  versionArg,
  workflowNameArg,
} from "../schemas.ts";
import { defineTool } from "../tool-kit.ts";
import { criticalPathSchema } from "./graph.ts";

const graphStatusSchema = z
  .object({
    step_id: z.string().describe("the dependency_flow step running the graph"),
    status: z.enum(["running", "finished"]),
    total: z.number().int().describe("task records, for_each branches included"),
    counts: z
      .record(z.string(), z.number().int())
      .describe("tasks per status: waiting, ready, running, success, failed, skipped, upstream_failed"),
    threads: z.number().int().describe("tasks running their steps now"),
    with_agents: z.number().int().describe("of those, tasks with a step out with an agent"),
    started_at: z.string(),
    finished_at: z.string().optional(),
    critical_path: criticalPathSchema.optional(),
  })
  .describe("the run's dependency graph (workflow_graph draws it)");

export const workflowStart = defineTool({
  name: "workflow_start",
  title: "Start a run",
  description:
    "Starts a run of a published workflow with the given inputs (workflow_get_info lists them; missing required " +
    "inputs are an error). Server-side steps run at once, up to a work slice: longer server-side work goes on by " +
    "itself (status running, next: wait). Returns the run id as workflow_id and the initial state. " +
    "Next: call workflow_get_next_step with that workflow_id to receive your first steps.",
  input: z.strictObject({
    workflow: workflowNameArg,
    inputs: objectOrJsonString('Input values by name, e.g. {"name": "Ada"}').optional(),
    version: versionArg.optional(),
  }),
  output: z.object({
    workflow_id: z.string().describe("the run id: pass it to every other run tool"),
    workflow: z.string(),
    version: z.string(),
    status: runStatusSchema,
    state: stateTiersSchema,
    next: nextStepViewSchema,
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run({ workflow, inputs, version }, { env, tenant, audit }) {
    const request = {
      workflow,
      inputs: jsonArgument(inputs, "inputs") ?? {},
      ...(version === undefined ? {} : { version }),
    };
    const { run, next } = await unwrap(tenantStub(env, tenant).startRun(tenant, request, audit));
    return {
      workflow_id: run.workflow_id,
      workflow: run.workflow,
      version: run.version,
      status: run.status,
      state: run.state,
      next: nextStepView(run.workflow_id, next),
    };
  },
});

export const workflowGetStatus = defineTool({
  name: "workflow_get_status",
  title: "Run status",
  description:
    "Shows one run: status (running, waiting, completed, failed, cancelled), error if any, the state " +
    "(inputs, this/state, global, computed), client steps handed out but not completed, " +
    "what it waits for, every sub-agent task and, when it runs a dependency graph, how many tasks are in each state " +
    "and the critical path (workflow_graph draws the graph). Read-only; to continue the run call workflow_get_next_step.",
  input: z.strictObject({ workflow_id: runIdArg }),
  output: runSnapshotSchema.extend({ graph: graphStatusSchema.optional() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ workflow_id }, { env, tenant }) {
    const stub = await existingRunStub(env, tenant, workflow_id);
    return unwrap(stub.snapshot(tenant, workflow_id));
  },
});

export const workflowCancel = defineTool({
  name: "workflow_cancel",
  title: "Cancel a run",
  description:
    "Cancels a run that has not finished: it takes no more steps and its timers are dropped. " +
    "Cancelling a finished run is an error (run.not_running). workflow_list_active shows what is still running.",
  input: z.strictObject({
    workflow_id: runIdArg,
    reason: z.string().max(1000).optional().describe("why, kept in the run's error"),
  }),
  output: z.object({ workflow_id: z.string(), status: runStatusSchema }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ workflow_id, reason }, { env, tenant, audit }) {
    const event = { kind: "cancel" as const, ...(reason === undefined ? {} : { reason }) };
    const stub = await existingRunStub(env, tenant, workflow_id);
    const hashed = reason === undefined ? {} : { reason };
    const { run } = await applyAuditedRunChange(
      env,
      tenant,
      { action: "run.cancel", object: runObject(workflow_id), hashed },
      audit,
      () => unwrap(stub.apply(tenant, workflow_id, event, audit.actor)),
    );
    return { workflow_id: run.workflow_id, status: run.status };
  },
});
