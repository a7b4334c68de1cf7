/**
 * @module
 * Codes of `workflow_migrate`, `workflow_migrate_runs` and `workflow_migrate_rollback`: why a run
 * is not moved to another version of its workflow, or not moved back. Part of the closed set of
 * error codes (`ErrorCode` in engine/error-codes.ts); worker/errors/codes.ts classifies each one
 * and docs/versioning.md ("Migrating runs") documents it.
 */

export const MIGRATE_CODES = [
  "migrate.run_finished",
  "migrate.same_version",
  "migrate.not_possible",
  "migrate.nothing_to_roll_back",
  "migrate.run_moved",
] as const;

export type MigrateCode = (typeof MIGRATE_CODES)[number];
