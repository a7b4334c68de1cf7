/**
 * @module
 * The TenantDO's side of moving runs to another version of their workflow: it resolves the target
 * version among the tenant's published ones, asks each run's RunDO (which plans, and applies in
 * one transaction: durable-objects/run/run-migration.ts) and records every applied change in the
 * audit log first (an intent, then `<action>_failed` if the run refused). A bulk migration walks
 * the run index one bounded page at a time: a run that cannot move is left as it is and listed
 * with its reasons; the others move.
 */
import { EngineError, isEngineError } from "../../engine/errors.ts";
import { withoutResolved } from "../../engine/plugins/published.ts";
import { type DurableObjectBindings, runStub } from "../bindings.ts";
import { unwrap } from "../outcome.ts";
import type {
  BulkMigrationAnswer,
  BulkMigrationRequest,
  BulkRunOutcome,
  MigrationTarget,
  RunMigrationAnswer,
  RunRollbackAnswer,
} from "../run/migration-contracts.ts";
import { type AuditContext, type AuditRecord, MAX_RUNS_PER_MIGRATION_CALL } from "./contracts.ts";
import { hasPendingStart } from "./pending-starts.ts";
import { activeRunsOfVersion, indexedRunOf } from "./run-index.ts";
import { assertStartable } from "./workflow-release.ts";
import { getVersion } from "./workflow-store.ts";

/** RunDOs asked at once during a bulk call. */
const PARALLEL_RUNS = 8;
/** Problems listed per refused run in a bulk answer (`workflow_migrate` dry run lists them all). */
const MAX_PROBLEMS_PER_RUN = 10;

export interface MigrationScope {
  sql: SqlStorage;
  env: DurableObjectBindings;
  tenant: string;
  audit: AuditContext;
  /** appends an entry to the tenant's audit log */
  record: (entry: AuditRecord) => void;
}

/** One run to `toVersion` (a published version of its workflow); an applied move the run refuses is an error. */
export async function migrateRun(
  scope: MigrationScope,
  runId: string,
  toVersion: string,
  dryRun: boolean,
): Promise<RunMigrationAnswer> {
  const indexed = requireIndexedRun(scope.sql, runId);
  const target = targetOf(scope.sql, indexed.workflow, toVersion);
  const answer = await askRun(scope, runId, target, dryRun);
  if (!answer.possible && !dryRun) {
    const reasons = answer.problems.map((problem) => `${problem.message} (${problem.code})`).join("; ");
    throw new EngineError(
      "migrate.not_possible",
      `Run ${runId} cannot move to version ${toVersion}, it is unchanged: ${reasons}. Call with dry_run: true for the full plan.`,
      { path: "to_version" },
    );
  }
  return answer;
}

/** Restores the run as it was before its last migration (RunDO `rollbackMigration`). */
export async function rollbackRun(scope: MigrationScope, runId: string): Promise<RunRollbackAnswer> {
  requireIndexedRun(scope.sql, runId);
  const object = { type: "run", id: runId };
  return audited(scope, { action: "run.migrate_rollback", object }, () =>
    unwrap(runStub(scope.env, scope.tenant, runId).rollbackMigration(scope.tenant, runId, scope.audit.actor)),
  );
}

/** One page of the active runs of `fromVersion`, each migrated (or planned) on its own. */
export async function migrateRunPage(
  scope: MigrationScope,
  request: BulkMigrationRequest,
): Promise<BulkMigrationAnswer> {
  const { workflow, fromVersion, toVersion, dryRun } = request;
  if (fromVersion === toVersion) {
    throw new EngineError("migrate.same_version", `from_version and to_version are both ${toVersion}.`, {
      path: "to_version",
    });
  }
  getVersion(scope.sql, workflow, fromVersion);
  const target = targetOf(scope.sql, workflow, toVersion);
  const limit = Math.min(request.limit ?? MAX_RUNS_PER_MIGRATION_CALL, MAX_RUNS_PER_MIGRATION_CALL);
  const page = activeRunsOfVersion(scope.sql, {
    workflow,
    version: fromVersion,
    afterId: request.cursor ?? "",
    limit: limit + 1,
  });
  const ids = page.slice(0, limit);
  const runs: BulkRunOutcome[] = [];
  for (let at = 0; at < ids.length; at += PARALLEL_RUNS) {
    const slice = ids.slice(at, at + PARALLEL_RUNS);
    runs.push(...(await Promise.all(slice.map((id) => outcomeOf(scope, id, target, dryRun)))));
  }
  const count = (outcome: BulkRunOutcome["outcome"]) => runs.filter((run) => run.outcome === outcome).length;
  const totals = {
    visited: runs.length,
    would_migrate: count("would_migrate"),
    migrated: count("migrated"),
    refused: count("refused"),
  };
  const answer = {
    workflow,
    from_version: fromVersion,
    to_version: toVersion,
    dry_run: dryRun,
    runs,
    totals,
  };
  const last = ids.at(-1);
  return page.length > limit && last !== undefined ? { ...answer, next_cursor: last } : answer;
}

/** A run's outcome in a bulk call: a refusal (or a failure to reach it) is listed, not thrown. */
async function outcomeOf(
  scope: MigrationScope,
  runId: string,
  target: MigrationTarget,
  dryRun: boolean,
): Promise<BulkRunOutcome> {
  try {
    const answer = await askRun(scope, runId, target, dryRun);
    if (!answer.possible) {
      const { problems } = answer;
      const shown = problems.slice(0, MAX_PROBLEMS_PER_RUN);
      const more = problems.length - shown.length;
      return {
        workflow_id: runId,
        outcome: "refused",
        problems: shown,
        ...(more > 0 ? { problems_not_shown: more } : {}),
      };
    }
    return { workflow_id: runId, outcome: dryRun ? "would_migrate" : "migrated", problems: [] };
  } catch (error) {
    const problem = isEngineError(error)
      ? { code: error.code, message: error.message }
      : {
          code: "internal.error" as const,
          message: "The run could not be reached; it is unchanged. Try again.",
        };
    if (!isEngineError(error)) console.error(`run ${runId}: migration not asked`, String(error));
    return { workflow_id: runId, outcome: "refused", problems: [problem] };
  }
}

/** Asks the RunDO; an applied move is audited first (and `run.migrate_failed` follows a refusal). */
async function askRun(
  scope: MigrationScope,
  runId: string,
  target: MigrationTarget,
  dryRun: boolean,
): Promise<RunMigrationAnswer> {
  const ask = () =>
    unwrap(
      runStub(scope.env, scope.tenant, runId).migrate(scope.tenant, runId, target, dryRun, scope.audit.actor),
    );
  if (dryRun) return ask();
  const intent: AuditRecord = {
    action: "run.migrate",
    object: { type: "run", id: runId },
    hashed: { to_version: target.version },
  };
  const answer = await audited(scope, intent, ask);
  if (!answer.possible) scope.record({ ...intent, action: "run.migrate_failed" });
  return answer;
}

async function audited<T>(scope: MigrationScope, intent: AuditRecord, apply: () => Promise<T>): Promise<T> {
  scope.record(intent);
  try {
    return await apply();
  } catch (error) {
    scope.record({ ...intent, action: `${intent.action}_failed` as AuditRecord["action"] });
    throw error;
  }
}

function targetOf(sql: SqlStorage, workflow: string, version: string): MigrationTarget {
  const stored = getVersion(sql, workflow, version);
  // a yanked version takes no new runs, and no migrated ones either
  assertStartable(sql, stored.name, stored.version);
  return { version: stored.version, definition: withoutResolved(stored.definition) };
}

function requireIndexedRun(sql: SqlStorage, runId: string): { workflow: string } {
  const indexed = indexedRunOf(sql, runId);
  if (indexed !== null) return indexed;
  const starting = hasPendingStart(sql, runId) ? " It is still starting; try again in a moment." : "";
  throw new EngineError(
    "run.not_found",
    `No run "${runId}" for this tenant; workflow_list_active lists the runs still going.${starting}`,
    { path: "workflow_id" },
  );
}
