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
