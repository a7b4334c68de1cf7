/**
 * @module
 * The shapes of a run's migration to another version of its workflow as they cross the RunDO's
 * RPC boundary (`migrate`, `rollbackMigration`) and the TenantDO's (`migrateRuns`). Types only.
 */
import type { WorkflowDefinition } from "../../engine/dialect/workflow.ts";
import type { ErrorCode } from "../../engine/error-codes.ts";
import type { RunSnapshot } from "../../engine/machine/index.ts";
import type {
  AppliedMigration,
  MigrationProblem,
  StateChange,
  ThreadPosition,
} from "../../engine/versions/migration-plan.ts";

/** The version a run is moved to: published in the run's tenant, its definition as a run keeps it. */
export interface MigrationTarget {
  version: string;
  definition: WorkflowDefinition;
}

/** What a migration of one run would do (dry run) or did (applied), or why it cannot. */
export interface RunMigrationAnswer {
  workflow_id: string;
  workflow: string;
  from_version: string;
  to_version: string;
  dry_run: boolean;
  /** whether the run can move (dry run) or moved (applied) */
  possible: boolean;
  /** true only when applied */
  migrated: boolean;
  /** the step each thread continues at */
  positions: ThreadPosition[];
  state_changes: StateChange[];
  /** the `migrations:` entries of the new version that run (or would run), in order */
  migrations: AppliedMigration[];
  warnings: string[];
  /** why it cannot move (empty when it can) */
  problems: MigrationProblem[];
  /** the run as it is after the migration, or as it would be after it (dry run) */
  run?: RunSnapshot;
}

/** What a rollback restored: the version (and exact bytes) the run had before its last migration. */
export interface RunRollbackAnswer {
  workflow_id: string;
  workflow: string;
  /** the version the run was on before the rollback */
  from_version: string;
  /** the version it is back on */
  restored_version: string;
  run: RunSnapshot;
}

/** One page of a bulk migration: the active runs of `workflow` at `fromVersion`, after `cursor`. */
export interface BulkMigrationRequest {
  workflow: string;
  fromVersion: string;
  toVersion: string;
  dryRun: boolean;
  /** the `next_cursor` of the previous page */
  cursor?: string;
  /** most runs this call visits (at most `MAX_RUNS_PER_MIGRATION_CALL`) */
  limit?: number;
}

/** Why a run in a bulk migration did not move: the planner's problems, or the RunDO's refusal. */
export type RunMigrationProblem = Omit<MigrationProblem, "code"> & { code: ErrorCode };

/** One run's outcome in a bulk migration. */
export interface BulkRunOutcome {
  workflow_id: string;
  outcome: "would_migrate" | "migrated" | "refused";
  /** at most 10; `workflow_migrate` with a dry run lists them all */
  problems: RunMigrationProblem[];
  /** problems left out of `problems` */
  problems_not_shown?: number;
}

export interface BulkMigrationAnswer {
  workflow: string;
  from_version: string;
  to_version: string;
  dry_run: boolean;
  runs: BulkRunOutcome[];
  totals: { visited: number; would_migrate: number; migrated: number; refused: number };
  /** pass it as `cursor` for the next page; absent when this page was the last */
  next_cursor?: string;
}
