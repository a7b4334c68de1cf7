/**
 * @module
 * `workflow_quota`: the tenant's usage against each of its quotas (docs/operations.md "Quotas"),
 * counted from the tenant's storage. Read-only.
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { defineTool } from "../tool-kit.ts";

const quotaUsageSchema = z.object({
  quota: z.string().describe("the quota's name, also the tenant setting that changes it"),
  limit: z.number().int(),
  usage: z.number().int().nullable().describe("null for a per-run limit, checked at each write of each run"),
  default: z.number().int(),
  counts: z.string().describe("what is counted"),
});

export const workflowQuota = defineTool({
  name: "workflow_quota",
  title: "Quota usage",
  description:
    "Shows your tenant's usage against each quota: workflows and versions, active runs (and the policy past it: " +
    "refuse or queue), runs started today (UTC), stored runs, state bytes per run, stored event payload bytes, " +
    "subscriptions, secrets, services and the plugins they use. A call past a quota fails with quota.exceeded " +
    "(or the older secrets/subscription/service .limit_reached, quota.stored_runs) whose path names the quota; " +
    "only the tenant's admin can change a limit.",
  input: z.strictObject({}),
  output: z.object({
    quotas: z.array(quotaUsageSchema),
    active_runs_policy: z.enum(["refuse", "queue"]),
    queued_starts: z
      .number()
      .int()
      .describe("run starts from events or schedules waiting for an active-run slot"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(_input, { env, tenant }) {
    return unwrap(tenantStub(env, tenant).quotaUsage(tenant));
  },
});
