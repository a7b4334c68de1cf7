/**
 * @module
 * Tenant secrets administration, as used by `/admin/tenants/:id/secrets/*`: values go in and are
 * encrypted by the tenant's DO; only names and dates ever come back out.
 */
import { unwrap } from "../../durable-objects/outcome.ts";
import type { AuditContext, SecretInfo } from "../../durable-objects/tenant/contracts.ts";
import { EngineError } from "../../engine/errors.ts";
import type { Env } from "../env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { assertTenantId } from "./tenant-id.ts";
import { registeredTenantStub } from "./tenant-registry.ts";

export async function putSecret(
  env: Env,
  tenant: string,
  name: string,
  value: string,
  audit: AuditContext,
): Promise<{ name: string; created: boolean }> {
  assertTenantId(tenant);
  if (env.SECRETS_KEY === undefined || env.SECRETS_KEY === "") {
    throw new EngineError(
      RuntimeCodes.secretsNotConfigured,
      "Tenant secrets need the platform secret SECRETS_KEY. Locally, `npm start` writes one to .dev.vars; when deployed, run `wrangler secret put SECRETS_KEY`.",
    );
  }
  return unwrap((await registeredTenantStub(env, tenant)).setSecret(tenant, name, value, audit));
}

export async function removeSecret(
  env: Env,
  tenant: string,
  name: string,
  audit: AuditContext,
): Promise<{ name: string; deleted: true }> {
  assertTenantId(tenant);
  return unwrap((await registeredTenantStub(env, tenant)).deleteSecret(tenant, name, audit));
}

export async function listSecretNames(env: Env, tenant: string): Promise<SecretInfo[]> {
  assertTenantId(tenant);
  return unwrap((await registeredTenantStub(env, tenant)).listSecrets(tenant));
}
