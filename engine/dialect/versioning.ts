/**
 * @module
 * Phase 6 version metadata: what changed incompatibly, what is deprecated, and how runs of
 * an older version migrate (`migrations:`, run by engine/versions/; docs/versioning.md,
 * `## Migrations`).
 */
import { z } from "zod";

/** The most `migrations:` entries one version may hold. */
export const MAX_MIGRATIONS = 100;
/** The most entries `breaking_changes` and `deprecated_features` may each hold. */
export const MAX_VERSION_NOTES = 100;
/** The longest entry of `breaking_changes` or `deprecated_features`, in characters (after trimming). */
export const MAX_VERSION_NOTE_LENGTH = 200;

/** An entry: trimmed when loaded (padding never reaches a warning), then at most 200 characters. */
const versionNote = z.string().trim().max(MAX_VERSION_NOTE_LENGTH);

/** The most declarative operations one migration may hold. */
export const MAX_MIGRATION_OPERATIONS = 100;

const statePath = z
  .string()
  .min(1)
  .max(256)
  .describe("A path into the run's state fields, dot separated (`a.b`); no scope prefix");

/**
 * A declarative change of the run's state fields: `rename` a field, `move` a value from one
 * path to another, `set_default` a path that is absent, `delete` a path.
 */
export const migrationOperationSchema = z
  .union([
    z.strictObject({
      rename: z
        .strictObject({ from: statePath, to: statePath })
        .describe("Renames a field: its value moves to `to`; nothing happens when `from` is absent"),
    }),
    z.strictObject({
      move: z
        .strictObject({ from: statePath, to: statePath })
        .describe("Moves the value at path `from` to path `to` (creating objects on the way)"),
    }),
    z.strictObject({
      set_default: z
        .strictObject({ path: statePath, value: z.unknown() })
        .describe("Sets `path` to `value` only when it is absent"),
    }),
    z.strictObject({ delete: statePath.describe("Deletes the field or path") }),
  ])
  .describe("A declarative migration operation");
export type MigrationOperation = z.output<typeof migrationOperationSchema>;

export const migrationSchema = z
  .union([
    z.string().describe("A migration described in words (not run)"),
    z.strictObject({
      from: z.string().describe("Semver range of the run's version the migration applies to"),
      to: z.string().describe("Version the run has after the migration"),
      description: z.string().optional(),
      operations: z
        .array(migrationOperationSchema)
        .max(MAX_MIGRATION_OPERATIONS)
        .optional()
        .describe("Declarative operations, run in order before `script`"),
      script: z
        .string()
        .optional()
        .describe(
          "One `{{ expression }}` over `state`, `globals`, `from_version`, `to_version` that returns the new state fields",
        ),
    }),
  ])
  .describe("A migration");
export type Migration = z.output<typeof migrationSchema>;
/** A migration that runs (the object form). */
export type MigrationStep = Exclude<Migration, string>;

export const versionMetadataShape = {
  breaking_changes: z
    .array(versionNote)
    .max(MAX_VERSION_NOTES)
    .optional()
    .describe("Incompatible changes in this version, at most 100 entries of 200 characters (phase 6)"),
  deprecated_features: z
    .array(versionNote)
    .max(MAX_VERSION_NOTES)
    .optional()
    .describe("Features deprecated in this version, at most 100 entries of 200 characters (phase 6)"),
  migrations: z
    .array(migrationSchema)
    .max(MAX_MIGRATIONS)
    .optional()
    .describe("Migrations for runs of earlier versions, run in order (phase 6)"),
};
