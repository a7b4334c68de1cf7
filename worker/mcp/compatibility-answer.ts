/**
 * @module
 * What `workflow_publish` and `workflow_validate` add about versions (docs/versioning.md,
 * "Compatibility"): the comparison with the tenant's previous version of the workflow. Validate
 * asks the TenantDO to apply publish's own rule (tenant/publish-compatibility.ts) without storing
 * anything, so it refuses what publish refuses.
 */
import { z } from "zod";
import { tenantStub } from "../../durable-objects/bindings.ts";
import type { Diagnostic } from "../../engine/loader/index.ts";
import type { PublishedDefinition } from "../../engine/plugins/published.ts";
import { CHANGE_KINDS } from "../../engine/versions/compatibility-change.ts";
import type { CompatibilityReport } from "../../engine/versions/compatibility-rule.ts";
import type { TenantScope } from "./tool-kit.ts";

export const compatibilitySchema = z
  .object({
    against: z.string().describe("the published version compared with"),
    changes: z.array(
      z.object({
        kind: z.enum(CHANGE_KINDS),
        path: z.string(),
        breaking: z
          .boolean()
          .describe("a run in flight, a caller or a trigger of the previous version may fail"),
        message: z.string(),
      }),
    ),
    omitted: z.number().int().optional().describe("differences left out past the first 100"),
  })
  .describe("differences from the previous published version (absent for the first version)");

/** For validate: the report against the version publish would compare with, and the refusal as an error. */
export async function validateCompatibility(
  definition: PublishedDefinition,
  { env, tenant }: TenantScope,
): Promise<{ report?: CompatibilityReport; error?: Diagnostic }> {
  const judged = await tenantStub(env, tenant).judgeCompatibility(tenant, definition);
  if (!judged.ok) return {};
  const { report, refusal } = judged.value;
  return {
    ...(report === undefined ? {} : { report }),
    ...(refusal === undefined
      ? {}
      : { error: { code: "publish.breaking_change", message: refusal, severity: "error", path: "version" } }),
  };
}
