/**
 * @module
 * Read-only tools over the tenant's published definitions: `workflow_list`, `workflow_get_info`.
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { versionArg, workflowNameArg } from "../schemas.ts";
import { defineTool } from "../tool-kit.ts";
import { releaseStateSchema } from "./release.ts";

const workflowSummarySchema = z.object({
  name: z.string(),
  description: z.string(),
  version: z.string().describe("highest published version"),
  versions: z.array(z.string()).describe("all published versions, highest first"),
  published_at: z.string(),
  default_version: z.string().describe("the version new runs and triggers get (workflow_set_default)"),
  yanked: z.array(z.string()).describe("yanked versions (workflow_yank), highest first"),
});

export const workflowList = defineTool({
  name: "workflow_list",
  title: "List workflows",
  description:
    "Lists the workflow definitions published for your tenant: name, description, highest version, all versions, " +
    "the default version (what workflow_start without a version and triggers get) and the yanked versions. " +
    "Call workflow_get_info with a name to see its inputs, then workflow_start to run it. " +
    "To add a definition, call workflow_publish with its YAML.",
  input: z.strictObject({}),
  output: z.object({ workflows: z.array(workflowSummarySchema), count: z.number().int() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(_args, { env, tenant }) {
    const workflows = await unwrap(tenantStub(env, tenant).listWorkflows(tenant));
    return { workflows, count: workflows.length };
  },
});

const inputInfoSchema = z.object({
  type: z.string(),
  description: z.string().optional(),
  required: z.boolean(),
  default: z.unknown().optional(),
});

export const workflowGetInfo = defineTool({
  name: "workflow_get_info",
  title: "Describe a workflow",
  description:
    "Describes one published workflow: description, version, the inputs workflow_start expects (type, required, default), " +
    "the number of top-level steps, every published version, the default version and the yanked ones. " +
    "Without `version` it describes the default version; pass `version` for another. " +
    "Next: call workflow_start with `workflow` and `inputs`.",
  input: z.strictObject({ workflow: workflowNameArg, version: versionArg.optional() }),
  output: z.object({
    name: z.string(),
    description: z.string(),
    version: z.string(),
    versions: z.array(z.string()),
    inputs: z.record(z.string(), inputInfoSchema),
    total_steps: z.number().int(),
    published_at: z.string(),
    warnings: z.array(z.unknown()).describe("diagnostics reported when this version was published"),
    default_version: z.string().describe("the version new runs and triggers get (workflow_set_default)"),
    default_pinned: z.boolean().describe("false: the default follows the highest non-yanked version"),
    yanked: releaseStateSchema.shape.yanked,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ workflow, version }, { env, tenant }) {
    const found = await unwrap(tenantStub(env, tenant).getWorkflow(tenant, workflow, version));
    const definition = found.workflow.definition;
    const inputs = Object.fromEntries(
      Object.entries(definition.inputs ?? {}).map(([name, spec]) => [
        name,
        {
          type: spec.type,
          required: spec.required ?? true,
          ...(spec.description === undefined ? {} : { description: spec.description }),
          ...(spec.default === undefined ? {} : { default: spec.default }),
        },
      ]),
    );
    return {
      name: found.workflow.name,
      description: found.workflow.description,
      version: found.workflow.version,
      versions: found.versions,
      inputs,
      total_steps: definition.steps.length,
      published_at: found.workflow.published_at,
      warnings: found.workflow.warnings,
      default_version: found.release.default_version,
      default_pinned: found.release.default_pinned,
      yanked: found.release.yanked,
    };
  },
});
