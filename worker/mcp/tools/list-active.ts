/**
 * @module
 * `workflow_list_active`: the tenant's runs that are still running or waiting, from the run index.
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { runSummarySchema } from "../schemas.ts";
import { defineTool } from "../tool-kit.ts";

export const workflowListActive = defineTool({
  name: "workflow_list_active",
  title: "List active runs",
  description:
    "Lists your tenant's runs that have not finished (status running or waiting), newest first, at most 200. " +
    "Each has a workflow_id: continue one with workflow_get_next_step, inspect it with workflow_get_status, " +
    "or stop it with workflow_cancel.",
  input: z.strictObject({}),
  output: z.object({ workflows: z.array(runSummarySchema), count: z.number().int() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(_args, { env, tenant }) {
    const workflows = await unwrap(tenantStub(env, tenant).listRuns(tenant, { activeOnly: true }));
    return { workflows, count: workflows.length };
  },
});
