/**
 * @module
 * Codes of applying a migration in the RunDO (`workflow_migrate`, `workflow_migrate_runs`,
 * `workflow_migrate_rollback`): why a run is not moved, or not moved back. The planner's own
 * reasons are `MIGRATION_CODES` (error-codes.ts), `migrate.run_finished` among them. Part of the closed set of
 * error codes (`ErrorCode` in engine/error-codes.ts); worker/errors/codes.ts classifies each one
 * and docs/versioning.md ("Migrating runs") documents it.
 */

export const MIGRATE_CODES = [
  "migrate.same_version",
  "migrate.not_possible",
  "migrate.nothing_to_roll_back",
  "migrate.run_moved",
] as const;

export type MigrateCode = (typeof MIGRATE_CODES)[number];
