/**
 * @module
 * What the `/mcp` entry (the OAuth provider's `resolveExternalToken`) checks of an API key before
 * the request goes on: that it has our shape and names a registered tenant, and its SHA-256 hash.
 * No Durable Object is reached here: the key itself is checked once, by the TenantDO, in the same
 * call that refuses a suspended tenant and charges the rate limits (oauth/grant-props.ts), whose
 * positive answer the isolate remembers for less than a second (admitted-callers.ts), so a revoked
 * key fails within that second (docs/runtime.md, "The MCP hot path").
 */
import { isRecentlyRegisteredTenant } from "../tenancy/tenant-registry.ts";
import { hashApiKey, parseApiKey } from "./api-key.ts";
import { invalidKeyError } from "./invalid-key.ts";

export interface PresentedApiKey {
  tenant: string;
  keyId: string;
  /** SHA-256 of the key, what the TenantDO compares; never the key itself */
  keyHash: string;
  /**
   * set when the key names a tenant that is not registered: the app refuses it (`auth.invalid_key`,
   * oauth/grant-props.ts) without reaching any Durable Object, with the same answer, headers
   * included, as a wrong key of a registered tenant, so the refusal does not tell the two apart
   */
  unregistered?: true;
}

/** `auth.invalid_key` unless `presented` is shaped like a key; an unknown tenant is marked, not refused here. */
export async function presentedApiKey(
  env: { TENANTS: KVNamespace },
  presented: string,
): Promise<PresentedApiKey> {
  const parsed = parseApiKey(presented);
  if (parsed === null) throw invalidKeyError();
  const keyHash = await hashApiKey(presented);
  // A tenant the admin never created has no DO; reaching one would create it (tenant-registry.ts).
  if (!(await isRecentlyRegisteredTenant(env, parsed.tenant)))
    return { ...parsed, keyHash, unregistered: true };
  return { ...parsed, keyHash };
}

/**
 * `EDGEFLOW_MCP_KEY_PRECHECK=1` brings back the earlier path (the key checked by the TenantDO at
 * the entry, then the caller admitted in a second call): a switch for the benchmark's same-run
 * comparison, not a setting to deploy.
 */
export function keyPrecheckOn(env: { EDGEFLOW_MCP_KEY_PRECHECK?: string }): boolean {
  return env.EDGEFLOW_MCP_KEY_PRECHECK === "1";
}
