/**
 * @module
 * `workflow_list_runs` (the tenant's runs of every status, filtered, newest first, paged) and
 * `workflow_run_history` (one run's timeline from its transition log). Both read only; a run of
 * another tenant, or one retention deleted, is the same `run.not_found` as for every run tool.
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { HISTORY_PAGE } from "../../../durable-objects/run/contracts.ts";
import { RUNS_PAGE } from "../../../durable-objects/tenant/contracts.ts";
import { existingRunStub } from "../existing-run.ts";
import { runIdArg, runStatusSchema, versionArg, workflowNameArg } from "../schemas.ts";
import { defineTool } from "../tool-kit.ts";

const isoTime = z.iso.datetime({ offset: true });

const listedRunSchema = z.object({
  workflow_id: z.string(),
  workflow: z.string(),
  version: z.string(),
  status: runStatusSchema,
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().optional(),
});

export const workflowListRuns = defineTool({
  name: "workflow_list_runs",
  title: "List runs",
  description:
    "Lists your tenant's runs of every status (running, waiting, completed, failed, cancelled), newest first. " +
    "Filter by workflow, version, status (one or several) and time ranges on when runs were created or finished " +
    `(ISO 8601). At most limit runs per page (default ${RUNS_PAGE.default}, max ${RUNS_PAGE.max}); pass next_cursor ` +
    "as cursor for the next page. Finished runs are kept for the tenant's run retention, then deleted. " +
    "workflow_run_history shows what one run did, step by step.",
  input: z.strictObject({
    workflow: workflowNameArg.optional(),
    version: versionArg.optional(),
    status: z.union([runStatusSchema, z.array(runStatusSchema).min(1).max(5)]).optional(),
    created_since: isoTime.optional().describe("created at or after"),
    created_before: isoTime.optional().describe("created strictly before"),
    finished_since: isoTime.optional().describe("finished at or after (finished runs only)"),
    finished_before: isoTime.optional().describe("finished strictly before (finished runs only)"),
    cursor: z.string().max(200).optional().describe("a next_cursor from the previous page"),
    limit: z.number().int().min(1).max(RUNS_PAGE.max).optional(),
  }),
  output: z.object({
    runs: z.array(listedRunSchema),
    count: z.number().int(),
    next_cursor: z.string().optional(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { env, tenant }) {
    const ms = (value: string | undefined) => (value === undefined ? undefined : Date.parse(value));
    const query = {
      ...(args.workflow === undefined ? {} : { workflow: args.workflow }),
      ...(args.version === undefined ? {} : { version: args.version }),
      ...(args.status === undefined ? {} : { statuses: [args.status].flat() }),
      ...(args.created_since === undefined ? {} : { createdSince: ms(args.created_since) }),
      ...(args.created_before === undefined ? {} : { createdBefore: ms(args.created_before) }),
      ...(args.finished_since === undefined ? {} : { finishedSince: ms(args.finished_since) }),
      ...(args.finished_before === undefined ? {} : { finishedBefore: ms(args.finished_before) }),
      ...(args.cursor === undefined ? {} : { cursor: args.cursor }),
      ...(args.limit === undefined ? {} : { limit: args.limit }),
    };
    const page = await unwrap(tenantStub(env, tenant).listRunPage(tenant, query));
    return { ...page, count: page.runs.length };
  },
});

const stepMarkSchema = z.object({
  step_id: z.string(),
  task_id: z.string().optional(),
  type: z.string().optional(),
  attempt: z.number().int().optional(),
});

const detailSchema = z.object({
  handed_out: z.array(stepMarkSchema).optional(),
  completed: z.array(stepMarkSchema).optional(),
  failed: z
    .array(stepMarkSchema.extend({ error: z.object({ code: z.string().optional(), message: z.string() }) }))
    .optional(),
  retries: z.array(stepMarkSchema.extend({ until: z.number().optional() })).optional(),
  waits: z
    .array(
      z.object({
        step_id: z.string(),
        task_id: z.string().optional(),
        kind: z.string(),
        until: z.number().optional(),
      }),
    )
    .optional(),
  effect: z
    .object({
      step_id: z.string(),
      service: z.string(),
      method: z.string(),
      attempt: z.number().int(),
      ok: z.boolean(),
      code: z.string().optional(),
    })
    .optional(),
  cancel: z.object({ reason: z.string().optional() }).optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  more: z.record(z.string(), z.number().int()).optional(),
});

export const workflowRunHistory = defineTool({
  name: "workflow_run_history",
  title: "Run history",
  description:
    "The timeline of one run (workflow_id), oldest first: every transition with its time, who made it (actor: " +
    "key:<key id>, admin, event, schedule or system), the run's status after it, and what it did: steps handed out, " +
    "completed or failed (step id, task id, attempt, error), retries and waits (with until, epoch ms), the effect it " +
    `answered, the error that ended the run. No state values. At most limit entries per page (default ${HISTORY_PAGE.default}, ` +
    `max ${HISTORY_PAGE.max}); pass next_cursor as cursor for the next page. A run keeps its start and last 1,000 ` +
    "entries (dropped counts the older ones), for as long as the tenant's run retention keeps the run.",
  input: z.strictObject({
    workflow_id: runIdArg,
    cursor: z.number().int().min(0).optional().describe("a next_cursor from the previous page"),
    limit: z.number().int().min(1).max(HISTORY_PAGE.max).optional(),
  }),
  output: z.object({
    workflow_id: z.string(),
    workflow: z.string(),
    version: z.string(),
    status: runStatusSchema,
    entries: z.array(
      z.object({
        seq: z.number().int(),
        event: z.string(),
        status: z.string(),
        at: z.string(),
        actor: z.string().nullable(),
        detail: detailSchema.nullable(),
      }),
    ),
    next_cursor: z.number().int().optional(),
    dropped: z.number().int(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ workflow_id, cursor, limit }, { env, tenant }) {
    const stub = await existingRunStub(env, tenant, workflow_id);
    const page = await unwrap(
      stub.history(tenant, workflow_id, {
        ...(cursor === undefined ? {} : { afterSeq: cursor }),
        ...(limit === undefined ? {} : { limit }),
      }),
    );
    return { ...page, status: runStatusSchema.parse(page.status) };
  },
});
