/**
 * @module
 * A workflow's release controls: `workflow_set_default` (which version new runs and triggers get;
 * a rollback in one call), `workflow_yank` and `workflow_unyank`. The rules live in the TenantDO
 * (durable-objects/tenant/workflow-release.ts); docs/versioning.md, "Default version and yanking".
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { FOLLOW_LATEST, MAX_YANK_REASON } from "../../../engine/release/release-change.ts";
import { versionArg, workflowNameArg } from "../schemas.ts";
import { defineTool } from "../tool-kit.ts";

const publishedVersion = versionArg.describe("A published version of the workflow");

/** What every release tool answers. */
export const releaseStateSchema = z.object({
  workflow: z.string(),
  default_version: z.string().describe("the version new runs and triggers get"),
  default_pinned: z
    .boolean()
    .describe("true: pinned by workflow_set_default; false: follows the highest non-yanked version"),
  yanked: z.array(z.object({ version: z.string(), reason: z.string().optional(), yanked_at: z.string() })),
  changed: z.boolean().describe("false when the workflow already was in that state"),
});

const annotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: false,
} as const;

export const workflowSetDefault = defineTool({
  name: "workflow_set_default",
  title: "Set a workflow's default version",
  description:
    "Sets the version that workflow_start without `version` and the workflow's triggers (webhooks, schedules, " +
    "events, files) start: a rollback of a bad release in one call, no republish. The pin stays when newer " +
    `versions are published; \`version: "${FOLLOW_LATEST}"\` drops it so the default follows the highest ` +
    "non-yanked version again. That version's triggers replace the workflow's. Runs already going keep their " +
    "version. A yanked version cannot be the default (workflow.version_yanked).",
  input: z.strictObject({
    workflow: workflowNameArg,
    version: z.union([z.literal(FOLLOW_LATEST), publishedVersion]),
  }),
  output: releaseStateSchema,
  annotations,
  async run({ workflow, version }, { env, tenant, audit }) {
    return unwrap(
      tenantStub(env, tenant).changeRelease(tenant, { action: "set_default", workflow, version }, audit),
    );
  },
});

export const workflowYank = defineTool({
  name: "workflow_yank",
  title: "Yank a workflow version",
  description:
    "Withdraws a published version: it can no longer be started (workflow.version_yanked), be the default, " +
    "or be started by a trigger; runs already on it go on to the end. If it was the default, the default " +
    "moves to the highest version left. Refused (workflow.yank_refused) for the pinned default and for the " +
    "last version not yanked. workflow_unyank undoes it.",
  input: z.strictObject({
    workflow: workflowNameArg,
    version: publishedVersion,
    reason: z.string().max(MAX_YANK_REASON).optional().describe("why, shown by workflow_get_info"),
  }),
  output: releaseStateSchema,
  annotations,
  async run({ workflow, version, reason }, { env, tenant, audit }) {
    const change = {
      action: "yank" as const,
      workflow,
      version,
      ...(reason === undefined ? {} : { reason }),
    };
    return unwrap(tenantStub(env, tenant).changeRelease(tenant, change, audit));
  },
});

export const workflowUnyank = defineTool({
  name: "workflow_unyank",
  title: "Restore a yanked workflow version",
  description:
    "Undoes workflow_yank: the version can be started again and, unless the default is pinned, becomes the " +
    "default again when it is the highest.",
  input: z.strictObject({ workflow: workflowNameArg, version: publishedVersion }),
  output: releaseStateSchema,
  annotations,
  async run({ workflow, version }, { env, tenant, audit }) {
    return unwrap(
      tenantStub(env, tenant).changeRelease(tenant, { action: "unyank", workflow, version }, audit),
    );
  },
});
