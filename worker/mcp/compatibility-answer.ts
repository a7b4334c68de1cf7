/**
 * @module
 * What `workflow_publish` and `workflow_validate` add about versions (docs/versioning.md,
 * "Compatibility"): the comparison with the tenant's previous version of the workflow. Validate
 * reads the versions publish would compare with (the newest published version below the file's,
 * and the lowest above it when the file goes in between), so it refuses what publish refuses.
 */
import { z } from "zod";
import { tenantStub } from "../../durable-objects/bindings.ts";
import type { Diagnostic } from "../../engine/loader/index.ts";
import type { PublishedDefinition } from "../../engine/plugins/published.ts";
import { CHANGE_KINDS } from "../../engine/versions/compatibility-change.ts";
import {
  type CompatibilityReport,
  describeRefusal,
  describeRefusalAbove,
  judgeCompatibility,
  nextPublishedVersion,
  previousVersion,
  refusedAbove,
} from "../../engine/versions/compatibility-rule.ts";
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
  scope: TenantScope,
): Promise<{ report?: CompatibilityReport; error?: Diagnostic }> {
  const stub = tenantStub(scope.env, scope.tenant);
  const { tenant } = scope;
  const newest = await stub.getWorkflow(tenant, definition.name);
  if (!newest.ok) return {};
  const published = newest.value.versions;
  const aboveError = published.includes(definition.version)
    ? undefined
    : await refusalAbove(definition, published, scope);
  const found = await againstPrevious(definition, newest.value.workflow, published, scope);
  if (aboveError === undefined) return found;
  return { report: found.report, error: found.error ?? aboveError };
}

/** The refusal when the file goes in between and the published version above it breaks against it. */
async function refusalAbove(
  definition: PublishedDefinition,
  published: readonly string[],
  { env, tenant }: TenantScope,
): Promise<Diagnostic | undefined> {
  const above = nextPublishedVersion(published, definition.version);
  if (above === undefined) return undefined;
  const found = await tenantStub(env, tenant).getWorkflow(tenant, definition.name, above);
  if (!found.ok) return undefined;
  const refused = refusedAbove(definition, found.value.workflow.definition);
  if (refused.length === 0) return undefined;
  const message = describeRefusalAbove(above, definition.version, refused);
  return { code: "publish.breaking_change", message, severity: "error", path: "version" };
}

async function againstPrevious(
  definition: PublishedDefinition,
  newestWorkflow: { version: string; definition: PublishedDefinition },
  published: readonly string[],
  { env, tenant }: TenantScope,
): Promise<{ report?: CompatibilityReport; error?: Diagnostic }> {
  const stub = tenantStub(env, tenant);
  const against = previousVersion(published, definition.version);
  if (against === undefined) return {};
  let previous = newestWorkflow;
  if (against !== previous.version) {
    const found = await stub.getWorkflow(tenant, definition.name, against);
    if (!found.ok) return {};
    previous = found.value.workflow;
  }
  const verdict = judgeCompatibility(previous.definition, definition);
  if (verdict.refused.length === 0 || published.includes(definition.version))
    return { report: verdict.report };
  const message = describeRefusal(against, definition.version, verdict.refused);
  return {
    report: verdict.report,
    error: { code: "publish.breaking_change", message, severity: "error", path: "version" },
  };
}
