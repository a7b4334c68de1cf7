/**
 * @module
 * Tenant services administration, as used by `/admin/tenants/:id/services/*`: the same
 * registration as the `service_register` tool (worker/plugins/service-registration.ts), for an
 * operator setting up a tenant. Configurations come back as registered, with their
 * `{{ env.NAME }}` references, never a secret value.
 */
import { unwrap } from "../../durable-objects/outcome.ts";
import type { AuditContext, TenantService } from "../../durable-objects/tenant/contracts.ts";
import type { Env } from "../env.ts";
import { installedPlugins } from "../plugins/installed-plugins.ts";
import { registerService, type ServiceRequest } from "../plugins/service-registration.ts";
import { assertTenantId } from "./tenant-id.ts";
import { registeredTenantStub } from "./tenant-registry.ts";

export async function putService(
  env: Env,
  tenant: string,
  request: ServiceRequest,
  audit: AuditContext,
): Promise<{ service: TenantService; created: boolean }> {
  assertTenantId(tenant);
  return registerService(await registeredTenantStub(env, tenant), tenant, installedPlugins(), request, audit);
}

export async function listTenantServices(env: Env, tenant: string): Promise<TenantService[]> {
  assertTenantId(tenant);
  return unwrap((await registeredTenantStub(env, tenant)).listServices(tenant, "admin"));
}

export async function removeService(
  env: Env,
  tenant: string,
  name: string,
  audit: AuditContext,
): Promise<{ name: string; deleted: true }> {
  assertTenantId(tenant);
  return unwrap((await registeredTenantStub(env, tenant)).deleteService(tenant, name, audit));
}
