/**
 * @module
 * The admin surface's rate limit: every `/admin/tenants/:id/...` request (after the admin token
 * is checked) is charged to the `admin` limit of the tenant it names, in that tenant's DO
 * (default 1,200 per minute, setting `rate_limit_admin_per_minute`): a runaway admin script is
 * stopped per tenant and cannot slow other tenants' DOs. Creating a tenant names none and is not
 * limited; a tenant id that is not registered is left to the route (`tenant.not_found`), so no DO
 * is created here. One extra DO round trip per admin call: admin traffic is rare.
 */
import type { MiddlewareHandler } from "hono";
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import type { AppEnv } from "../app-env.ts";
import { isTenantId } from "../tenancy/tenant-id.ts";
import { isRegisteredTenant } from "../tenancy/tenant-registry.ts";

const TENANT_PATH = /^\/admin\/tenants\/([^/]+)/;

export const limitAdminRequests: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = TENANT_PATH.exec(new URL(c.req.url).pathname)?.[1];
  if (id !== undefined && isTenantId(id) && (await isRegisteredTenant(c.env, id))) {
    await unwrap(tenantStub(c.env, id).admitAdmin(id));
  }
  await next();
};
