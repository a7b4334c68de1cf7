/**
 * @module
 * Tenant and key administration, as used by `/admin/*`: validates ids, makes keys, and asks the
 * tenant's DO to store their hashes. The full key is returned once, here, and nowhere else. Only
 * tenants in the registry are reached (`tenant.not_found` otherwise), so no admin call creates a
 * TenantDO except `createTenant`.
 */

import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import type {
  AuditContext,
  KeyInfo,
  TenantInfo,
  TenantSettings,
  TenantUsage,
} from "../../durable-objects/tenant/contracts.ts";
import { EngineError } from "../../engine/errors.ts";
import type { Env } from "../env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { admittedCallers } from "../keys/admitted-callers.ts";
import { generateApiKey } from "../keys/api-key.ts";
import { isTenantId, TENANT_ID_PATTERN } from "./tenant-id.ts";
import { registeredTenantStub, registerTenant } from "./tenant-registry.ts";

export interface IssuedKey {
  tenant: TenantInfo;
  key: KeyInfo;
  /** the full API key: shown once, stored only as a SHA-256 hash */
  apiKey: string;
}

/**
 * Registers the tenant, then creates its DO with the first key. Registering first is what keeps a
 * crash in between harmless (tenant-registry.ts); it also registers a tenant created before the
 * registry existed, which then answers `tenant.exists`.
 */
export async function createTenant(
  env: Env,
  id: string,
  label: string | undefined,
  audit: AuditContext,
): Promise<IssuedKey> {
  assertTenantId(id);
  const issued = await generateApiKey(id);
  await registerTenant(env, id, Date.now());
  const created = await unwrap(
    tenantStub(env, id).createTenant(
      id,
      { keyId: issued.keyId, hash: issued.hash, ...labelOf(label) },
      audit,
    ),
  );
  return { ...created, apiKey: issued.key };
}

export async function issueKey(
  env: Env,
  id: string,
  label: string | undefined,
  audit: AuditContext,
): Promise<IssuedKey> {
  assertTenantId(id);
  const issued = await generateApiKey(id);
  const stub = await registeredTenantStub(env, id);
  const key = await unwrap(
    stub.addKey(id, { keyId: issued.keyId, hash: issued.hash, ...labelOf(label) }, audit),
  );
  const { tenant } = await unwrap(stub.describeTenant(id));
  return { tenant, key, apiKey: issued.key };
}

export async function revokeKey(env: Env, id: string, keyId: string, audit: AuditContext): Promise<KeyInfo> {
  assertTenantId(id);
  const revoked = await unwrap((await registeredTenantStub(env, id)).revokeKey(id, keyId, audit));
  admittedCallers.forgetTenant(id); // this isolate learns it at once; others within a second
  return revoked;
}

export async function describeTenant(
  env: Env,
  id: string,
): Promise<{ tenant: TenantInfo; keys: KeyInfo[]; settings: TenantSettings }> {
  assertTenantId(id);
  return unwrap((await registeredTenantStub(env, id)).describeTenant(id));
}

export async function updateSettings(
  env: Env,
  id: string,
  patch: Record<string, unknown>,
  audit: AuditContext,
): Promise<TenantSettings> {
  assertTenantId(id);
  const settings = await unwrap((await registeredTenantStub(env, id)).updateSettings(id, patch, audit));
  admittedCallers.forgetTenant(id); // new rate limits: this isolate asks again at once
  return settings;
}

/** The tenant's usage against every quota (`GET /admin/tenants/:id/usage`). */
export async function tenantUsage(env: Env, id: string): Promise<TenantUsage> {
  assertTenantId(id);
  return unwrap((await registeredTenantStub(env, id)).quotaUsage(id));
}

function assertTenantId(id: string): void {
  if (!isTenantId(id)) {
    throw new EngineError(
      RuntimeCodes.tenantInvalidId,
      `Tenant id "${id}" is not valid: use 1-63 lowercase letters, digits and inner hyphens (${TENANT_ID_PATTERN}).`,
      { path: "id" },
    );
  }
}

function labelOf(label: string | undefined): { label?: string } {
  return label === undefined ? {} : { label };
}
