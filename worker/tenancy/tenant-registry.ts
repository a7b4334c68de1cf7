/**
 * @module
 * The tenant registry: a KV key `tenant:<id>` for every tenant the admin created. The worker reads
 * it before it reaches a tenant's Durable Object, so a request for a tenant that does not exist
 * (a forged API key, a webhook to a made-up tenant, a queued file event under an unknown prefix)
 * is refused without creating that object: reaching a DO is what allocates its storage.
 * The admin writes the key before it creates the TenantDO, so a crash between the two leaves at
 * worst a registered tenant whose DO is not created yet (the admin's retry creates it), never a
 * tenant that exists but cannot be reached. Reading never writes. KV is eventually consistent:
 * see docs/decisions/0004-storage-only-for-what-exists.md for what that means for a new tenant.
 */
import { type DurableObjectBindings, type TenantRpc, tenantStub } from "../../durable-objects/bindings.ts";
import { EngineError } from "../../engine/errors.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { forgetRegistered, recentlyRegistered, rememberRegistered } from "./registry-memo.ts";

interface RegistryEnv {
  TENANTS: KVNamespace;
}

const PREFIX = "tenant:";

/** Records that the admin created (or is creating) the tenant. Idempotent. */
export async function registerTenant(env: RegistryEnv, id: string, now: number): Promise<void> {
  await env.TENANTS.put(`${PREFIX}${id}`, JSON.stringify({ registered_at: new Date(now).toISOString() }));
}

/** Whether the admin created this tenant. A read: never creates anything. */
export async function isRegisteredTenant(env: RegistryEnv, id: string): Promise<boolean> {
  return (await env.TENANTS.get(`${PREFIX}${id}`)) !== null;
}

/** The tenant's DO, for the admin routes: `tenant.not_found` when the admin never created it. */
export async function registeredTenantStub(
  env: RegistryEnv & DurableObjectBindings,
  id: string,
): Promise<TenantRpc> {
  if (!(await isRegisteredTenant(env, id))) {
    throw new EngineError(RuntimeCodes.tenantNotFound, `Tenant "${id}" does not exist.`);
  }
  return tenantStub(env, id);
}

/**
 * {@link isRegisteredTenant} for the `/mcp` hot path: a "registered" answer is remembered by the
 * isolate for at most a second (registry-memo.ts), so a burst of calls reads KV once.
 */
export async function isRecentlyRegisteredTenant(env: RegistryEnv, id: string): Promise<boolean> {
  const now = Date.now();
  if (recentlyRegistered(id, now)) return true;
  const registered = await isRegisteredTenant(env, id);
  if (registered) rememberRegistered(id, now);
  return registered;
}

/** Forgets the tenant (the last step of its deletion): its id is unknown from then on. Idempotent. */
export async function unregisterTenant(env: RegistryEnv, id: string): Promise<void> {
  forgetRegistered(id);
  await env.TENANTS.delete(`${PREFIX}${id}`);
}
