/**
 * @module
 * `workflow_export` and `workflow_import` (docs/versioning.md, "Export and import"): a published
 * workflow read back as its YAML byte for byte, as its parsed definition, or as a package of every
 * version (checksummed, signed when the deployment has a key), and a package published back into
 * the caller's tenant, all versions or none. Both only ever see the caller's tenant.
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { withoutResolved } from "../../../engine/plugins/published.ts";
import { exportPackage } from "../../packages/package-export.ts";
import { importPackage } from "../../packages/package-import.ts";
import { versionArg, workflowNameArg } from "../schemas.ts";
import { defineTool } from "../tool-kit.ts";

export const workflowExport = defineTool({
  name: "workflow_export",
  title: "Export a workflow",
  description:
    'Reads a published workflow back. format "yaml" (default): the YAML exactly as published; "json": the parsed ' +
    'definition; both for `version` or the highest. format "package": every version with its migrations, the plugin ' +
    "versions it pins and SHA-256 checksums, signed with the deployment's Ed25519 key when one is configured: give " +
    "`package` to workflow_import (here, in another tenant or another deployment) to publish the same versions there.",
  input: z.strictObject({
    workflow: workflowNameArg,
    format: z.enum(["yaml", "json", "package"]).default("yaml"),
    version: versionArg
      .optional()
      .describe('A published version for "yaml" and "json"; a package holds them all'),
  }),
  output: z.object({
    workflow: z.string(),
    format: z.enum(["yaml", "json", "package"]),
    version: z.string().optional(),
    yaml: z.string().optional(),
    definition: z.record(z.string(), z.unknown()).optional(),
    package: z.record(z.string(), z.unknown()).optional(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ workflow, format, version }, scope) {
    if (format === "package") return { workflow, format, package: await exportPackage(scope, workflow) };
    const found = await unwrap(
      tenantStub(scope.env, scope.tenant).getWorkflow(scope.tenant, workflow, version),
    );
    const stored = found.workflow;
    return format === "yaml"
      ? { workflow: stored.name, format, version: stored.version, yaml: stored.yaml }
      : {
          workflow: stored.name,
          format,
          version: stored.version,
          definition: withoutResolved(stored.definition),
        };
  },
});

export const workflowImport = defineTool({
  name: "workflow_import",
  title: "Import a workflow package",
  description:
    'Publishes a package from workflow_export (format "package"), unchanged, into your tenant: it is verified first ' +
    "(size, checksums, signature against the deployment's trusted keys), then every version goes through the " +
    "workflow_publish checks with the plugin versions it pins, and only if all pass are they published, lowest " +
    "version first. A version already published with the same YAML is kept (created=false); one published with " +
    "other YAML refuses the whole import (workflow.version_exists).",
  input: z.strictObject({
    package: z
      .record(z.string(), z.unknown())
      .describe("The `package` object workflow_export answered, as is"),
  }),
  output: z.object({
    workflow: z.string(),
    versions: z.array(z.object({ version: z.string(), created: z.boolean() })),
    signed_by: z
      .string()
      .optional()
      .describe("key id of the signature that verified; absent for an unsigned package"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ package: pkg }, scope) => importPackage(scope, pkg),
});
