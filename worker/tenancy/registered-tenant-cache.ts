/**
 * @module
 * A short-lived, per-isolate memory of tenants the registry (`tenant-registry.ts`) said exist, for
 * the webhook route, where a KV read per delivery is a round trip as costly as the delivery's own
 * call to the TenantDO. Only "registered" is remembered, never "unknown": a made-up tenant still
 * costs a KV read and never reaches a Durable Object. A tenant deleted within the last
 * `REGISTERED_TENANT_TTL_MS` may still be looked up in its (erased) TenantDO, which answers the
 * same `unknownEndpoint` the registry would have caused and stores nothing (the DO reads its
 * tenant row first). Bounded: at most `MAX_REMEMBERED_TENANTS` entries, forgotten all at once when
 * full. `EDGEFLOW_INTAKE_REGISTRY_CACHE=off` turns it off (the benchmark measures it on and off).
 */
import { isRegisteredTenant } from "./tenant-registry.ts";

/** How long a "registered" answer is reused without reading KV again. */
export const REGISTERED_TENANT_TTL_MS = 10_000;
/** The most tenants one isolate remembers. */
export const MAX_REMEMBERED_TENANTS = 10_000;

const remembered = new Map<string, number>();

interface CacheEnv {
  TENANTS: KVNamespace;
  EDGEFLOW_INTAKE_REGISTRY_CACHE?: string;
}

/** `isRegisteredTenant`, with a positive answer reused for `REGISTERED_TENANT_TTL_MS`. */
export async function isRecentlyRegisteredTenant(env: CacheEnv, id: string, now: number): Promise<boolean> {
  if (env.EDGEFLOW_INTAKE_REGISTRY_CACHE === "off") return isRegisteredTenant(env, id);
  const until = remembered.get(id);
  if (until !== undefined && until > now) return true;
  if (!(await isRegisteredTenant(env, id))) {
    remembered.delete(id);
    return false;
  }
  if (remembered.size >= MAX_REMEMBERED_TENANTS) remembered.clear();
  remembered.set(id, now + REGISTERED_TENANT_TTL_MS);
  return true;
}
