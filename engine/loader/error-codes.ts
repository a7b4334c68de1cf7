/**
 * @module
 * The loader's diagnostic codes: problems in a workflow file found before it is accepted (YAML, shape, references).
 * Part of the closed set of error codes (`ErrorCode` in engine/error-codes.ts): a code not listed
 * here or in a sibling list does not compile, and worker/errors/codes.ts must classify each one.
 */

export const LOADER_CODES = [
  "loader.alias_limit",
  "loader.bad_version",
  "loader.break_outside_loop",
  "loader.computed_cycle",
  "loader.dependency_cycle",
  "loader.duplicate_key",
  "loader.duplicate_step_id",
  "loader.internal_error",
  "loader.invalid_path",
  "loader.invalid_type",
  "loader.invalid_value",
  "loader.missing_field",
  "loader.multiple_documents",
  "loader.not_a_mapping",
  "loader.read_only_path",
  "loader.too_deep",
  "loader.too_large",
  "loader.unknown_dependency",
  "loader.unknown_key",
  "loader.unknown_step_type",
  "loader.unknown_sub_agent_task",
  "loader.upgrade_failed",
  "loader.yaml_syntax",
  "loader.yaml_warning",
] as const;

/**
 * Warnings of the schema_version 1 upgrade, one per deprecated feature found (docs/dialect.md,
 * "Upgrading from schema_version 1"); the file still loads.
 */
export const DEPRECATION_CODES = [
  "deprecated.schema_version",
  "deprecated.raw_tier",
  "deprecated.state_update_step",
  "deprecated.batch_state_update",
  "deprecated.missing_step_id",
  "deprecated.then_else",
  "deprecated.while_type",
  "deprecated.loop_steps",
  "deprecated.legacy_path",
  "deprecated.shell_output_value",
  "deprecated.output_format",
  "deprecated.missing_version",
  "deprecated.break_outside_loop",
] as const;

/**
 * The static checks of a loaded file (engine/loader/static-checks.ts; docs/dialect.md, "Static
 * checks"): mostly warnings, errors where no run could succeed.
 */
export const CHECK_CODES = [
  "check.unresolved_name",
  "check.loop_outside_loop",
  "check.loop_condition_constant",
  "check.unreachable_step",
  "check.missing_secret",
  "check.truncated",
  "check.skipped",
] as const;

export type LoaderCode =
  | (typeof LOADER_CODES)[number]
  | (typeof DEPRECATION_CODES)[number]
  | (typeof CHECK_CODES)[number];
export type DeprecationCode = (typeof DEPRECATION_CODES)[number];

const LOADER_CODE_SET: ReadonlySet<string> = new Set([...LOADER_CODES, ...DEPRECATION_CODES, ...CHECK_CODES]);

/** Whether a value (such as a zod issue's `params.loaderCode`) is one of the loader's codes. */
export function isLoaderCode(value: unknown): value is LoaderCode {
  return typeof value === "string" && LOADER_CODE_SET.has(value);
}
