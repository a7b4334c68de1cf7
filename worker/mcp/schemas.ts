/**
 * @module
 * Argument and result pieces shared by several tools. Naming follows AroMCP: `workflow` is a
 * definition's name, `workflow_id` is one run of it.
 */
import { z } from "zod";
import { RUN_ID_PATTERN } from "../../durable-objects/bindings.ts";

export const workflowNameArg = z
  .string()
  .min(1)
  .max(200)
  .describe('Name of a published workflow definition, e.g. "code:review" (see workflow_list)');

export const versionArg = z
  .string()
  .min(1)
  .max(100)
  .describe("A published semver version; omit for the highest published version");

export const runIdArg = z
  .string()
  .regex(RUN_ID_PATTERN, "must be a run id like wf_0123456789abcdef01234567, as returned by workflow_start")
  .describe("The run id (wf_...) that workflow_start returned");

export const taskIdArg = z
  .string()
  .min(1)
  .max(300)
  .describe(
    "A sub-agent task id (e.g. process_file.item0) when a sub-agent drives its own task; omit for the main agent",
  );

export const runStatusSchema = z.enum(["running", "waiting", "completed", "failed", "cancelled"]);

export const errorShapeSchema = z.object({
  code: z.string(),
  message: z.string(),
  path: z.string().optional(),
  line: z.number().optional(),
  column: z.number().optional(),
});

export const diagnosticSchema = errorShapeSchema.extend({ severity: z.enum(["error", "warning"]) });

/** JSON-compatible data of any shape (state values, step definitions). */
export const anyJson = z.unknown();

export const runSummarySchema = z.object({
  workflow_id: z.string(),
  workflow: z.string(),
  version: z.string(),
  status: runStatusSchema,
  created_at: z.string(),
  updated_at: z.string(),
});

export const stateTiersSchema = z
  .object({
    inputs: z.record(z.string(), anyJson),
    state: z.record(z.string(), anyJson),
    global: z.record(z.string(), anyJson),
    computed: z.record(z.string(), anyJson),
  })
  .describe("Readable state tiers: inputs.*, this.* (state), global.*, computed fields");

/** A run warning (engine/machine/warnings.ts): e.g. a while_loop stopped by its max_iterations. */
export const runWarningSchema = z.object({
  code: z.string(),
  message: z.string(),
  step_id: z.string().optional(),
  task_id: z.string().optional(),
  at: z.number().describe("epoch milliseconds"),
});

export const runSnapshotSchema = z.object({
  workflow_id: z.string(),
  workflow: z.string(),
  version: z.string(),
  status: runStatusSchema,
  created_at: z.string(),
  updated_at: z.string(),
  completed_at: z.string().optional(),
  error: errorShapeSchema.optional(),
  state: stateTiersSchema,
  pending_steps: z.array(z.string()).describe("client steps handed out and not yet completed"),
  waiting_for: z.record(z.string(), anyJson).optional(),
  warnings: z
    .array(runWarningSchema)
    .optional()
    .describe("what the run did that did not stop it but may not be what you meant (the last 20)"),
  tasks: z.record(
    z.string(),
    z.object({ status: z.string(), state: stateTiersSchema, error: errorShapeSchema.optional() }),
  ),
});

/** A JSON object, or the same object sent as a JSON string (some clients send strings). */
export function objectOrJsonString(description: string) {
  return z
    .union([z.record(z.string(), anyJson), z.string().describe("the same object, as a JSON string")])
    .describe(description);
}
