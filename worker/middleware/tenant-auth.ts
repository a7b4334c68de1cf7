/**
 * @module
 * Who is calling a tenant route, and for which tenant. Two ways in (docs/auth.md):
 * - an API key `efk_...` as `Authorization: Bearer`: the key names its tenant, whose TenantDO
 *   checks the key's SHA-256 hash (strongly consistent: a revoked key fails on the next request;
 *   on `/mcp`, within a second, as the isolate remembers an admitted caller for less than that:
 *   keys/admitted-callers.ts). On `/mcp` the key arrives through the OAuth provider as `api_key` props and is
 *   checked in the admitting call (oauth/grant-props.ts). A key naming a tenant that is not in the registry is refused before any DO is
 *   reached. An API key holds every scope.
 * - on `/mcp`, an OAuth access token the provider (worker/oauth/provider.ts) already validated,
 *   whose grant props arrive in `ctx.props`. The grant is checked again on every request: its
 *   tenant must still be registered and, for a grant approved with an API key, that key must not
 *   be revoked. Its scopes are the token's.
 * Either way a suspended tenant is refused (`tenant.suspended`) and a `/mcp` request priced by
 * rate-limits/mcp-admission.ts (`admission`) is charged to the tenant's rate limits, in the same
 * call to its DO; the verdict is left in `rateLimit`. `actor` names the caller for the audit log.
 * CORS preflights pass through unauthenticated, as browsers send them without credentials.
 */
import type { Context, MiddlewareHandler } from "hono";
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import type { Admission } from "../../durable-objects/tenant/contracts.ts";
import { EngineError, isEngineError } from "../../engine/errors.ts";
import type { RateLimitVerdict } from "../../engine/rate-limits/rate-limited-error.ts";
import type { AppEnv } from "../app-env.ts";
import type { Env } from "../env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { admitThroughMemo } from "../keys/admit-through-memo.ts";
import { keyIdentityOf } from "../keys/admitted-callers.ts";
import { hashApiKey, type ParsedApiKey, parseApiKey } from "../keys/api-key.ts";
import { INVALID_KEY_MESSAGE } from "../keys/invalid-key.ts";
import { type ProviderContext, providedCallerOf } from "../oauth/grant-props.ts";
import { ALL_SCOPES } from "../oauth/scopes.ts";
import { isRegisteredTenant } from "../tenancy/tenant-registry.ts";
import { bearerToken } from "./bearer.ts";

export { INVALID_KEY_MESSAGE } from "../keys/invalid-key.ts";

export interface VerifiedApiKey {
  tenant: string;
  keyId: string;
  /** SHA-256 of the key: what the TenantDO compares; never the key itself */
  keyHash: string;
  /** the rate-limit verdict, when an `admission` was charged */
  rateLimit?: RateLimitVerdict;
}

/**
 * Checks a presented API key; `auth.invalid_key` unless it is a live key of a registered tenant,
 * `tenant.suspended` for a suspended tenant. With an `admission` (a `/mcp` request), the request is
 * charged to the tenant's rate limits in the same call to its DO, and a positive answer is
 * remembered by the isolate for less than a second (keys/admitted-callers.ts): within that bound
 * the key is admitted, and charged, without asking the DO again.
 */
export async function verifyApiKey(
  env: Env,
  presented: string,
  admission?: Admission,
): Promise<VerifiedApiKey> {
  const parsed = parseApiKey(presented);
  if (parsed === null) throw new EngineError(RuntimeCodes.authInvalidKey, INVALID_KEY_MESSAGE);
  const keyHash = await hashApiKey(presented);
  const check = (asked: Admission | undefined) => checkKeyInTenant(env, parsed, keyHash, asked);
  const { rateLimit } =
    admission === undefined
      ? await check(undefined)
      : await admitThroughMemo(env, parsed.tenant, keyIdentityOf(parsed.keyId, keyHash), admission, check);
  return {
    tenant: parsed.tenant,
    keyId: parsed.keyId,
    keyHash,
    ...(rateLimit === undefined ? {} : { rateLimit }),
  };
}

async function checkKeyInTenant(
  env: Env,
  parsed: ParsedApiKey,
  keyHash: string,
  admission: Admission | undefined,
): Promise<{ rateLimit?: RateLimitVerdict }> {
  // A tenant the admin never created has no DO; reaching one would create it (tenant-registry.ts).
  if (!(await isRegisteredTenant(env, parsed.tenant))) {
    throw new EngineError(RuntimeCodes.authInvalidKey, INVALID_KEY_MESSAGE);
  }
  try {
    const { rateLimit } = await unwrap(
      tenantStub(env, parsed.tenant).authenticate(parsed.tenant, parsed.keyId, keyHash, admission),
    );
    return rateLimit === undefined ? {} : { rateLimit };
  } catch (thrown) {
    if (isEngineError(thrown) && thrown.code === RuntimeCodes.authInvalidKey) {
      throw new EngineError(RuntimeCodes.authInvalidKey, INVALID_KEY_MESSAGE);
    }
    throw thrown;
  }
}

export const requireTenantKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === "OPTIONS") return next();
  const provided = await providedCallerOf(c.env, executionContextOf(c), c.get("admission"));
  if (provided !== null) {
    c.set("rateLimit", provided.rateLimit);
    c.set("tenant", provided.tenant);
    c.set("keyId", provided.keyId);
    c.set("actor", provided.actor);
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
  // A request priced for the rate limits (`admission`) is charged in the same call.
  const { tenant, keyId, rateLimit } = await verifyApiKey(c.env, presented, c.get("admission"));
  c.set("rateLimit", rateLimit);
  c.set("tenant", tenant);
  c.set("keyId", keyId);
  c.set("actor", `key:${keyId}`);
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
