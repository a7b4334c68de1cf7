/**
 * @module
 * The admin surface's rate limit: every `/admin/tenants/:id/...` request (after the admin token
 * is checked) is charged to the `admin` limit of the tenant it names, in that tenant's DO
 * (default 1,200 per minute, setting `rate_limit_admin_per_minute`): a runaway admin script is
 * stopped per tenant and cannot slow other tenants' DOs. Creating a tenant names none and is not
 * limited; a tenant id that is not registered is left to the route (`tenant.not_found`), so no DO
 * is created here. The lifecycle calls and revocations are never limited (`NEVER_LIMITED`). One extra DO round trip per admin call: admin traffic is rare.
 */
import type { MiddlewareHandler } from "hono";
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import type { AppEnv } from "../app-env.ts";
import { isTenantId } from "../tenancy/tenant-id.ts";
import { isRegisteredTenant } from "../tenancy/tenant-registry.ts";

const TENANT_PATH = /^\/admin\/tenants\/([^/]+)(\/.*)?$/;

/**
 * Calls an operator must always be able to make, even past the limit: deleting (and finishing an
 * interrupted deletion of) a tenant, suspending and resuming it, revoking a key or the OAuth grants.
 * A deletion also cannot be charged once the tenant's DO is erased (its registry entry goes last).
 */
const NEVER_LIMITED: readonly { method: string; rest: RegExp }[] = [
  { method: "DELETE", rest: /^$/ },
  { method: "POST", rest: /^\/(suspend|resume)$/ },
  { method: "DELETE", rest: /^\/keys\/[^/]+$/ },
  { method: "DELETE", rest: /^\/grants$/ },
];

export const limitAdminRequests: MiddlewareHandler<AppEnv> = async (c, next) => {
  const match = TENANT_PATH.exec(new URL(c.req.url).pathname);
  // the id as the route reads it (hono decodes path parameters): `%61cme` is `acme`
  const id = match?.[1] === undefined ? undefined : decodedSegment(match[1]);
  const rest = match?.[2] ?? "";
  const exempt = NEVER_LIMITED.some((call) => call.method === c.req.method && call.rest.test(rest));
  if (!exempt && id !== undefined && isTenantId(id) && (await isRegisteredTenant(c.env, id))) {
    await unwrap(tenantStub(c.env, id).admitAdmin(id));
  }
  await next();
};

function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // not a path the routes accept either
  }
}
