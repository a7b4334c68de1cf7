/**
 * @module
 * Phase 6 version metadata: what changed incompatibly, what is deprecated, and how runs of
 * an older version migrate.
 */
import { z } from "zod";

export const migrationSchema = z
  .union([
    z.string().describe("A migration described in words or the name of a script"),
    z.strictObject({
      from: z.string().describe("Version (or semver range) the migration starts from"),
      to: z.string().describe("Version the migration produces"),
      script: z.string().describe("JavaScript over `state`, returning the migrated state"),
      description: z.string().optional(),
    }),
  ])
  .describe("A migration");
export type Migration = z.output<typeof migrationSchema>;

export const versionMetadataShape = {
  breaking_changes: z.array(z.string()).optional().describe("Incompatible changes in this version (phase 6)"),
  deprecated_features: z
    .array(z.string())
    .optional()
    .describe("Features deprecated in this version (phase 6)"),
  migrations: z
    .array(migrationSchema)
    .optional()
    .describe("Migrations for runs of earlier versions (phase 6)"),
};
