/**
 * @module
 * The plugin half of `workflow_validate` and `workflow_publish`: `uses:` resolved against the
 * catalog, services found, methods, roles, static params and configuration checked
 * (engine/loader/check-plugins.ts). The tenant's registered services are read from its TenantDO
 * only when a step names a service the file does not define, so most checks cost the DO nothing.
 */
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import type { WorkflowDefinition } from "../../engine/dialect/index.ts";
import { checkPluginUses, type LocatedPluginCheck } from "../../engine/loader/index.ts";
import type { PluginCatalog, ResolvedService } from "../../engine/plugins/descriptor.ts";
import { undefinedServiceNames } from "../../engine/plugins/publish-check.ts";
import type { Env } from "../env.ts";

export async function checkUses(
  yaml: string,
  definition: WorkflowDefinition,
  scope: { env: Env; tenant: string; plugins: PluginCatalog },
): Promise<LocatedPluginCheck> {
  const tenantServices = new Map<string, ResolvedService>();
  if (undefinedServiceNames(definition).length > 0) {
    const registered = await unwrap(tenantStub(scope.env, scope.tenant).listServices(scope.tenant));
    for (const service of registered) tenantServices.set(service.name, service);
  }
  return checkPluginUses(definition, yaml, { catalog: scope.plugins, tenantServices });
}
