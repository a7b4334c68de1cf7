/**
 * @module
 * What publish stores about plugins with a workflow version: the exact version every service,
 * inline step service and `external_state` resolved to, as `ResolvedService` entries under the
 * stored definition's `resolved` key (a key the dialect does not have, so no file can set it). A
 * later plugin release changes nothing for a stored version until it is published again. Tenant
 * services are not copied here: they are pinned in the tenant's registry when registered, and a
 * name this list lacks is looked up there at call time (durable-objects/tenant/service-lookup.ts).
 */
import { z } from "zod";
import type { WorkflowDefinition } from "../dialect/workflow.ts";
import { isPlainRecord } from "../loader/step-walk.ts";
import type { ResolvedService } from "./descriptor.ts";

/** The name `external_state`'s resolved backend is stored under. */
export const EXTERNAL_STATE_SERVICE = "external_state";

export interface PublishedPlugins {
  /** the `services:` block and inline step services (`uses:` with no block entry), by name */
  services: ResolvedService[];
  /** the `external_state` backend, named `external_state` */
  external_state?: ResolvedService;
}

const resolvedServiceSchema = z.object({
  name: z.string(),
  plugin: z.string(),
  version: z.string(),
  config: z.record(z.string(), z.unknown()),
});

/** The shape of `resolved` as storage holds it (read back by durable-objects/storage/stored-definition.ts). */
export const publishedPluginsSchema: z.ZodType<PublishedPlugins> = z.object({
  services: z.array(resolvedServiceSchema),
  external_state: resolvedServiceSchema.optional(),
});

/** A definition as stored at publish: the file's definition plus what its `uses:` resolved to. */
export type PublishedDefinition = WorkflowDefinition & { resolved?: PublishedPlugins };

export function withResolved(
  definition: WorkflowDefinition,
  resolved: PublishedPlugins,
): PublishedDefinition {
  return { ...definition, resolved };
}

/** The file's own definition, without what publish added: what a run keeps (its services stay with the tenant). */
export function withoutResolved(definition: PublishedDefinition): WorkflowDefinition {
  const { resolved: _resolved, ...dialect } = definition;
  return dialect;
}

/** The services a stored definition pinned at publish (none for a version stored before them). */
export function publishedServices(definition: unknown): readonly ResolvedService[] {
  return resolvedOf(definition)?.services ?? [];
}

/** The `external_state` backend a stored definition pinned at publish. */
export function publishedExternalState(definition: unknown): ResolvedService | undefined {
  return resolvedOf(definition)?.external_state;
}

/** A stored definition's `resolved` (stored data is read as `unknown` across the RPC boundary). */
function resolvedOf(definition: unknown): PublishedPlugins | undefined {
  if (!isPlainRecord(definition) || !isPlainRecord(definition.resolved)) return undefined;
  const { services, external_state } = definition.resolved;
  if (!Array.isArray(services)) return undefined;
  const published: PublishedPlugins = { services: services.filter(isResolvedService) };
  return isResolvedService(external_state) ? { ...published, external_state } : published;
}

function isResolvedService(value: unknown): value is ResolvedService {
  return (
    isPlainRecord(value) &&
    typeof value.name === "string" &&
    typeof value.plugin === "string" &&
    typeof value.version === "string" &&
    isPlainRecord(value.config)
  );
}
