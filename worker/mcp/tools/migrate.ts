/**
 * @module
 * Moving runs to another version of their workflow: `workflow_migrate` (one run, dry run by
 * default), `workflow_migrate_runs` (every active run of one version, a bounded page per call) and
 * `workflow_migrate_rollback` (the last migration undone, byte for byte). The TenantDO resolves the
 * target among the tenant's published versions; each RunDO plans and applies
 * (docs/versioning.md, "Migrating runs").
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { MAX_RUNS_PER_MIGRATION_CALL } from "../../../durable-objects/tenant/contracts.ts";
import { anyJson, runIdArg, runSnapshotSchema, workflowNameArg } from "../schemas.ts";
import { defineTool } from "../tool-kit.ts";

const targetVersionArg = z
  .string()
  .min(1)
  .max(100)
  .describe("The published version to move to (workflow_get_info lists them)");

const dryRunArg = z
  .boolean()
  .default(true)
  .describe("true (the default): answer what would change and change nothing; false: apply it");

const positionSchema = z.object({
  thread_id: z.string().describe("main, or a sub-agent task's id"),
  from_step_id: z.string().nullable().describe("the step it stands at now; null at the end of its list"),
  step_id: z.string().nullable().describe("the step it continues at in the new version"),
  list: z.array(z.string()).describe("its step list in the new version, by step ids"),
  pending: z.array(z.string()).describe("steps handed out to an agent, kept by id"),
});

const stateChangeSchema = z.object({
  path: z.string().describe("inputs.<name>, state.<name>, global.<name> or computed.<name>"),
  before: anyJson.optional(),
  after: anyJson.optional(),
});

const appliedMigrationSchema = z.object({
  index: z.number().int().describe("its place in the new version's migrations"),
  from: z.string(),
  to: z.string(),
  applied_to: z.string().describe("the run's version it ran on"),
  description: z.string().optional(),
  operations: z.number().int(),
  script: z.boolean(),
});

const problemSchema = z.object({
  code: z.string(),
  message: z.string(),
  step_id: z.string().optional(),
  path: z.string().optional(),
  task_id: z.string().optional(),
});

export const workflowMigrate = defineTool({
  name: "workflow_migrate",
  title: "Migrate a run to another version",
  description:
    "Moves one running or waiting run to another published version of its workflow. With dry_run true (the " +
    "default) it only answers what would change: the step each thread would continue at (positions), each state " +
    "change, the migration scripts that would run, and the coded problems that prevent it; nothing is written. " +
    "With dry_run false it applies that plan at once, in one step: the run keeps its previous version and state, " +
    "and workflow_migrate_rollback restores them exactly. A run that cannot move is an error (migrate.not_possible) " +
    "and stays as it was. workflow_migrate_runs moves every run of a version.",
  input: z.strictObject({ workflow_id: runIdArg, to_version: targetVersionArg, dry_run: dryRunArg }),
  output: z.object({
    workflow_id: z.string(),
    workflow: z.string(),
    from_version: z.string(),
    to_version: z.string(),
    dry_run: z.boolean(),
    possible: z.boolean().describe("whether the run can move (dry run) or moved"),
    migrated: z.boolean().describe("true only when applied"),
    positions: z.array(positionSchema).describe("where each thread continues in the new version"),
    state_changes: z.array(stateChangeSchema),
    migrations: z
      .array(appliedMigrationSchema)
      .describe("the new version's migrations entries that run, in order"),
    warnings: z.array(z.string()),
    problems: z.array(problemSchema).describe("why it cannot move; empty when it can"),
    run: runSnapshotSchema.optional().describe("the run after the move (or as it would be)"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ workflow_id, to_version, dry_run }, { env, tenant, audit }) {
    return unwrap(tenantStub(env, tenant).migrateRun(tenant, workflow_id, to_version, dry_run, audit));
  },
});

export const workflowMigrateRuns = defineTool({
  name: "workflow_migrate_runs",
  title: "Migrate all runs of a version",
  description:
    "Moves every running or waiting run of one version of a workflow to another published version, " +
    `at most ${MAX_RUNS_PER_MIGRATION_CALL} runs per call: pass next_cursor back as cursor for the next page. ` +
    "Call with dry_run true (the default) first: each run is planned and nothing changes. With dry_run false, " +
    "each run that can move moves (each in one step, rollback with workflow_migrate_rollback); a run that cannot " +
    "is left as it was and listed as refused with its problems. Answers per-run outcomes and totals.",
  input: z.strictObject({
    workflow: workflowNameArg,
    from_version: z.string().min(1).max(100).describe("The version whose active runs move"),
    to_version: targetVersionArg,
    dry_run: dryRunArg,
    cursor: z.string().min(1).max(200).optional().describe("next_cursor of the previous call"),
    limit: z
      .number()
      .int()
      .min(1)
      .max(MAX_RUNS_PER_MIGRATION_CALL)
      .optional()
      .describe(`most runs this call visits (default and maximum ${MAX_RUNS_PER_MIGRATION_CALL})`),
  }),
  output: z.object({
    workflow: z.string(),
    from_version: z.string(),
    to_version: z.string(),
    dry_run: z.boolean(),
    runs: z.array(
      z.object({
        workflow_id: z.string(),
        outcome: z.enum(["would_migrate", "migrated", "refused"]),
        problems: z.array(problemSchema).describe("at most 10: workflow_migrate's dry run lists them all"),
        problems_not_shown: z.number().int().optional(),
      }),
    ),
    totals: z.object({
      visited: z.number().int(),
      would_migrate: z.number().int(),
      migrated: z.number().int(),
      refused: z.number().int(),
    }),
    next_cursor: z.string().optional().describe("more runs follow: pass it as cursor"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ workflow, from_version, to_version, dry_run, cursor, limit }, { env, tenant, audit }) {
    const request = {
      workflow,
      fromVersion: from_version,
      toVersion: to_version,
      dryRun: dry_run,
      ...(cursor === undefined ? {} : { cursor }),
      ...(limit === undefined ? {} : { limit }),
    };
    return unwrap(tenantStub(env, tenant).migrateRuns(tenant, request, audit));
  },
});

export const workflowMigrateRollback = defineTool({
  name: "workflow_migrate_rollback",
  title: "Undo a run's last migration",
  description:
    "Puts a run back exactly as it was before its last workflow_migrate: its version, definition, state and " +
    "position, byte for byte. Only while the run has not moved since (else migrate.run_moved: call " +
    "workflow_migrate with the old version as to_version to plan a move back instead). Repeated calls undo " +
    "earlier migrations in turn (the last 10 are kept).",
  input: z.strictObject({ workflow_id: runIdArg }),
  output: z.object({
    workflow_id: z.string(),
    workflow: z.string(),
    from_version: z.string().describe("the version the run was on"),
    restored_version: z.string().describe("the version it is back on"),
    run: runSnapshotSchema,
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run({ workflow_id }, { env, tenant, audit }) {
    return unwrap(tenantStub(env, tenant).rollbackRunMigration(tenant, workflow_id, audit));
  },
});
