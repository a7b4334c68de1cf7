/**
 * @module
 * A tenant's OAuth grants, for the admin (`GET`/`DELETE /admin/tenants/:id/grants`, docs/auth.md).
 * The provider files grants under a user id, which it writes in plain text into every token
 * (`userId:grantId:secret`), so a tenant's user id is an opaque digest of its id (no `:`), the
 * same for every grant of the tenant: the admin can list and revoke them without a lookup table.
 */
import type { OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import { EngineError } from "../../engine/errors.ts";
import type { Env } from "../env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { hashApiKey } from "../keys/api-key.ts";
import { registeredTenantStub } from "../tenancy/tenant-registry.ts";

/** `u` and 32 hex digits of SHA-256 over the tenant id. */
export async function opaqueUserIdOf(tenant: string): Promise<string> {
  return `u${(await hashApiKey(`edgeflow-oauth-user:${tenant}`)).slice(0, 32)}`;
}

export interface GrantView {
  id: string;
  client_id: string;
  scope: string[];
  created_at: string;
  expires_at?: string;
  signed_in_with?: unknown;
}

export async function listTenantGrants(env: Env, tenant: string): Promise<GrantView[]> {
  const oauth = await helpersFor(env, tenant);
  const userId = await opaqueUserIdOf(tenant);
  const views: GrantView[] = [];
  let cursor: string | undefined;
  do {
    const page = await oauth.listUserGrants(userId, cursor === undefined ? {} : { cursor });
    for (const grant of page.items) {
      views.push({
        id: grant.id,
        client_id: grant.clientId,
        scope: grant.scope,
        created_at: new Date(grant.createdAt * 1000).toISOString(),
        ...(grant.expiresAt === undefined
          ? {}
          : { expires_at: new Date(grant.expiresAt * 1000).toISOString() }),
        signed_in_with: (grant.metadata as { signed_in_with?: unknown } | null)?.signed_in_with,
      });
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return views;
}

/** Revokes every grant of the tenant, with its access and refresh tokens: the next request with one is 401. */
export async function revokeTenantGrants(env: Env, tenant: string): Promise<number> {
  const oauth = await helpersFor(env, tenant);
  const userId = await opaqueUserIdOf(tenant);
  const grants = await listTenantGrants(env, tenant);
  for (const grant of grants) await oauth.revokeGrant(grant.id, userId);
  return grants.length;
}

async function helpersFor(env: Env, tenant: string): Promise<OAuthHelpers> {
  await registeredTenantStub(env, tenant);
  if (env.OAUTH_PROVIDER === undefined) {
    throw new EngineError(
      RuntimeCodes.routeNotFound,
      "OAuth grants are managed on an origin that offers OAuth (https, or http on localhost/127.0.0.1, with OAUTH_KV).",
    );
  }
  return env.OAUTH_PROVIDER;
}
