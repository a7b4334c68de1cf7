/**
 * @module
 * Versions of a workflow and the runs that move between them: `planMigration` says what moving a
 * run to another version would do (positions by step id, state changes, migrations that run) or
 * why it cannot. Pure: no clock, no I/O. The RunDO applies a plan; nothing here stores anything.
 */
export { MIGRATION_CODES, type MigrationCode } from "./error-codes.ts";
export type {
  AppliedMigration,
  MigrationInput,
  MigrationPlan,
  MigrationProblem,
  StateChange,
  ThreadPosition,
  WorkflowVersion,
} from "./migration-plan.ts";
export { planMigration } from "./plan-migration.ts";
export { scriptSource } from "./run-migrations.ts";
