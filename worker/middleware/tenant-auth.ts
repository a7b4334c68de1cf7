/**
 * @module
 * Who is calling a tenant route, and for which tenant. Two ways in (docs/auth.md):
 * - an API key `efk_...` as `Authorization: Bearer`: the key names its tenant, whose TenantDO
 *   checks the key's SHA-256 hash (strongly consistent, so a revoked key fails on the next
 *   request). A key naming a tenant that is not in the registry is refused before any DO is
 *   reached. An API key holds every scope.
 * - on `/mcp`, an OAuth access token the provider (worker/oauth/provider.ts) already validated,
 *   whose grant props arrive in `ctx.props`. The grant is checked again on every request: its
 *   tenant must still be registered and, for a grant approved with an API key, that key must not
 *   be revoked. Its scopes are the token's.
 * CORS preflights pass through unauthenticated, as browsers send them without credentials.
 */
import type { Context, MiddlewareHandler } from "hono";
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import { EngineError, isEngineError } from "../../engine/errors.ts";
import type { AppEnv } from "../app-env.ts";
import type { Env } from "../env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { hashApiKey, parseApiKey } from "../keys/api-key.ts";
import { type ProviderContext, providedCallerOf } from "../oauth/grant-props.ts";
import { ALL_SCOPES } from "../oauth/scopes.ts";
import { isRegisteredTenant } from "../tenancy/tenant-registry.ts";
import { bearerToken } from "./bearer.ts";

export const INVALID_KEY_MESSAGE =
  "The API key is not valid (unknown or revoked). Check the key your client sends (`efk_<tenant>_<id>_<secret>`, " +
  "all of it); an admin issues a new one with POST /admin/tenants/:id/keys. Clients that add edgeflow by URL " +
  "need no key: remove the Authorization header and they sign in with OAuth.";

export interface VerifiedApiKey {
  tenant: string;
  keyId: string;
  /** SHA-256 of the key: what the TenantDO compares; never the key itself */
  keyHash: string;
}

/** Checks a presented API key; `auth.invalid_key` unless it is a live key of a registered tenant. */
export async function verifyApiKey(env: Env, presented: string): Promise<VerifiedApiKey> {
  const parsed = parseApiKey(presented);
  // A tenant the admin never created has no DO; reaching one would create it (tenant-registry.ts).
  if (parsed === null || !(await isRegisteredTenant(env, parsed.tenant))) {
    throw new EngineError(RuntimeCodes.authInvalidKey, INVALID_KEY_MESSAGE);
  }
  const keyHash = await hashApiKey(presented);
  try {
    const { tenant } = await unwrap(
      tenantStub(env, parsed.tenant).authenticate(parsed.tenant, parsed.keyId, keyHash),
    );
    return { tenant, keyId: parsed.keyId, keyHash };
  } catch (thrown) {
    if (isEngineError(thrown) && thrown.code === RuntimeCodes.authInvalidKey) {
      throw new EngineError(RuntimeCodes.authInvalidKey, INVALID_KEY_MESSAGE);
    }
    throw thrown;
  }
}

export const requireTenantKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === "OPTIONS") return next();
  const provided = await providedCallerOf(c.env, executionContextOf(c));
  if (provided !== null) {
    c.set("tenant", provided.tenant);
    c.set("keyId", provided.keyId);
    c.set("scopes", provided.scopes);
    return next();
  }
  const presented = bearerToken(c.req.header("authorization"));
  if (presented === null) {
    throw new EngineError(
      RuntimeCodes.authMissingKey,
      "Send the tenant API key as `Authorization: Bearer efk_...` (an admin creates keys with POST /admin/tenants/:id/keys), " +
        "or add edgeflow to a client that signs in with OAuth (docs/auth.md).",
    );
  }
  const { tenant, keyId } = await verifyApiKey(c.env, presented);
  c.set("tenant", tenant);
  c.set("keyId", keyId);
  c.set("scopes", [...ALL_SCOPES]);
  await next();
};

function executionContextOf(c: Context<AppEnv>): ProviderContext | undefined {
  try {
    return c.executionCtx as ProviderContext;
  } catch {
    return undefined; // app.request() in a test: no ExecutionContext
  }
}
