/**
 * @module
 * `workflow_audit`: the tenant's audit log over MCP, read-only. Every change to the tenant (keys,
 * secrets, settings, publishes, subscriptions, services, cancels, state updates) is an entry with
 * who made it, the request id and SHA-256 digests of what changed, hash-chained
 * (engine/audit/audit-chain.ts). Pages newest or oldest first, filtered by action and time.
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { AUDIT_ACTIONS, auditEntrySchema } from "../../../engine/audit/audit-entry.ts";
import { defineTool } from "../tool-kit.ts";

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

export const workflowAudit = defineTool({
  name: "workflow_audit",
  title: "Read the audit log",
  description:
    "Lists your tenant's audit log: one entry per change (workflow_publish, subscriptions, services, cancels, " +
    "state updates, and the operator's key, secret and settings changes), each with `at`, `actor` (key:<key id>, " +
    "oauth:<grant id> or admin; never a key or token), `action`, `object` {type, id}, `request_id`, `changes` (SHA-256 digests of what changed; " +
    'a secret only as "changed") and its place in the hash chain (`prev_hash`, `hash`). Newest first by default; ' +
    "`order: oldest_first` gives chain order. Filter by `action` and by time (`since` inclusive, `until` exclusive, " +
    "ISO 8601). Pass `next_cursor` back as `cursor` for the next page.",
  input: z.strictObject({
    order: z.enum(["newest_first", "oldest_first"]).optional().describe("default newest_first"),
    cursor: z.string().max(32).optional().describe("next_cursor of the previous page"),
    limit: z
      .number()
      .int()
      .min(1)
      .max(MAX_LIMIT)
      .optional()
      .describe(`entries per page (default ${DEFAULT_LIMIT})`),
    action: z.enum(AUDIT_ACTIONS).optional().describe("only entries of this action"),
    since: z.iso.datetime({ offset: true }).optional().describe("entries at or after this time"),
    until: z.iso.datetime({ offset: true }).optional().describe("entries before this time"),
  }),
  output: z.object({
    entries: z.array(auditEntrySchema),
    next_cursor: z.string().optional().describe("absent when nothing is left"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { env, tenant }) {
    const query = {
      order: args.order === "oldest_first" ? ("oldest" as const) : ("newest" as const),
      limit: args.limit ?? DEFAULT_LIMIT,
      ...(args.cursor === undefined ? {} : { cursor: args.cursor }),
      ...(args.action === undefined ? {} : { action: args.action }),
      ...(args.since === undefined ? {} : { since: Date.parse(args.since) }),
      ...(args.until === undefined ? {} : { until: Date.parse(args.until) }),
    };
    const page = await unwrap(tenantStub(env, tenant).listAudit(tenant, query));
    return page.next_cursor === undefined
      ? { entries: page.entries }
      : { entries: page.entries, next_cursor: page.next_cursor };
  },
});
