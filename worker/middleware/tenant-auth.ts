/**
 * @module
 * Resolves a tenant API key to its tenant: the key names its tenant, whose TenantDO checks the
 * key's SHA-256 hash (strongly consistent, so a revoked key fails on the next request). A key
 * naming a tenant that is not in the registry is refused before any DO is reached. CORS
 * preflights pass through unauthenticated, as browsers send them without credentials.
 */
import type { MiddlewareHandler } from "hono";
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import { EngineError } from "../../engine/errors.ts";
import type { AppEnv } from "../app-env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { hashApiKey, parseApiKey } from "../keys/api-key.ts";
import { isRegisteredTenant } from "../tenancy/tenant-registry.ts";
import { bearerToken } from "./bearer.ts";

export const requireTenantKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === "OPTIONS") return next();
  const presented = bearerToken(c.req.header("authorization"));
  if (presented === null) {
    throw new EngineError(
      RuntimeCodes.authMissingKey,
      "Send the tenant API key as `Authorization: Bearer efk_...`; an admin creates keys with POST /admin/tenants/:id/keys.",
    );
  }
  const parsed = parseApiKey(presented);
  if (parsed === null) {
    throw new EngineError(RuntimeCodes.authInvalidKey, "The API key is not valid (unknown or revoked).");
  }
  // A tenant the admin never created has no DO; reaching one would create it (tenant-registry.ts).
  if (!(await isRegisteredTenant(c.env, parsed.tenant))) {
    throw new EngineError(RuntimeCodes.authInvalidKey, "The API key is not valid (unknown or revoked).");
  }
  const hash = await hashApiKey(presented);
  // A request priced for the rate limits (`admission`) is charged in the same call.
  const { tenant, rateLimit } = await unwrap(
    tenantStub(c.env, parsed.tenant).authenticate(parsed.tenant, parsed.keyId, hash, c.get("admission")),
  );
  c.set("rateLimit", rateLimit);
  c.set("tenant", tenant);
  c.set("keyId", parsed.keyId);
  await next();
};
