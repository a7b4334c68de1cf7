/**
 * @module
 * Registering a tenant service (`service_register`, `PUT /admin/tenants/:id/services/:name`):
 * `uses:` resolved against the plugin catalog to one exact version, the configuration checked
 * as a workflow's `services:` entry is (secret fields take `{{ env.NAME }}`, nothing else is a
 * template, the static fields fit the plugin's schema), then stored by the tenant's DO with that
 * version pinned. The first problem is the error, with its path (`config.base_url`).
 */
import type { TenantRpc } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import type {
  AuditContext,
  NewTenantService,
  TenantService,
} from "../../durable-objects/tenant/contracts.ts";
import { EngineError } from "../../engine/errors.ts";
import { configProblems } from "../../engine/plugins/config-check.ts";
import type { PluginCatalog } from "../../engine/plugins/descriptor.ts";
import { resolveUses } from "../../engine/plugins/resolve.ts";
import { formatRelative } from "../../engine/plugins/static-check.ts";

/** The largest configuration a tenant service may hold, as JSON (UTF-16 code units). */
export const MAX_SERVICE_CONFIG_CHARS = 16 * 1024;

export interface ServiceRequest {
  name: string;
  uses: string;
  config?: Record<string, unknown> | undefined;
  description?: string | undefined;
}

/** The request resolved and checked, ready to store; throws the first problem. */
export function resolveServiceRequest(catalog: PluginCatalog, request: ServiceRequest): NewTenantService {
  const resolution = resolveUses(catalog, request.uses);
  if (!resolution.ok) throw new EngineError(resolution.code, resolution.message, { path: "uses" });
  const { plugin } = resolution;
  const config = request.config ?? {};
  const size = JSON.stringify(config).length;
  if (size > MAX_SERVICE_CONFIG_CHARS) {
    throw new EngineError(
      "service.invalid_config",
      `The configuration is ${size} characters of JSON; a tenant service's may be ${MAX_SERVICE_CONFIG_CHARS} at most.`,
      { path: "config" },
    );
  }
  const [problem] = configProblems(plugin, config);
  if (problem !== undefined) {
    const path = problem.path.length === 0 ? "config" : `config.${formatRelative(problem.path)}`;
    throw new EngineError(problem.code, problem.message, { path });
  }
  return {
    name: request.name,
    uses: request.uses,
    plugin: plugin.name,
    version: plugin.version,
    config,
    ...(request.description === undefined ? {} : { description: request.description }),
  };
}

export async function registerService(
  stub: TenantRpc,
  tenant: string,
  catalog: PluginCatalog,
  request: ServiceRequest,
  audit: AuditContext,
): Promise<{ service: TenantService; created: boolean }> {
  return unwrap(stub.registerService(tenant, resolveServiceRequest(catalog, request), audit));
}
