/**
 * @module
 * Codes of moving a run from one version of its workflow to another (`plan-migration.ts`) and of
 * the `migrations:` entries that do it (checked at load and publish). Part of the closed set of
 * error codes (`ErrorCode` in engine/error-codes.ts): a code not listed here or in a sibling list
 * does not compile, and worker/errors/codes.ts must classify each one. Documented in
 * docs/versioning.md, `## Migrations`.
 */

export const MIGRATION_CODES = [
  "migrate.bad_operation",
  "migrate.bad_range",
  "migrate.bad_script",
  "migrate.computed_failed",
  "migrate.graph_running",
  "migrate.input_missing",
  "migrate.operation_failed",
  "migrate.run_finished",
  "migrate.scope_changed",
  "migrate.script_failed",
  "migrate.script_result",
  "migrate.state_too_large",
  "migrate.step_changed",
  "migrate.step_missing",
  "migrate.step_moved",
  "migrate.type_mismatch",
  "migrate.workflow_mismatch",
] as const;

export type MigrationCode = (typeof MIGRATION_CODES)[number];
