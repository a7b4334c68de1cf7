/**
 * @module
 * A tenant's OAuth grants, for the admin (`GET`/`DELETE /admin/tenants/:id/grants`, docs/auth.md).
 * The provider files grants under a user id, which it writes in plain text into every token
 * (`userId:grantId:secret`), so a tenant's user id is an HMAC of its id keyed with `SECRETS_KEY`
 * (no `:`; a token's holder cannot confirm a guessed tenant id), the same for every grant of the
 * tenant: the admin can list and revoke them without a lookup table.
 *
 * `revokeTenantGrants` also withdraws the tenant's unused sign-in links. Deleting a tenant must
 * call it before the registry key goes (docs/auth.md, "Revoking"): otherwise its grants would
 * come back to life if the id were registered again.
 */
import { getOAuthApi, type OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import { unwrap } from "../../durable-objects/outcome.ts";
import type { AuditContext } from "../../durable-objects/tenant/contracts.ts";
import { EngineError } from "../../engine/errors.ts";
import type { Env } from "../env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { registeredTenantStub } from "../tenancy/tenant-registry.ts";
import { providerOptions } from "./provider.ts";
import { withdrawSignInLinks } from "./sign-in-links.ts";

/** `u` and 32 hex digits of HMAC-SHA-256 over the tenant id, keyed with `SECRETS_KEY`. */
export async function opaqueUserIdOf(env: Env, tenant: string): Promise<string> {
  const secret = env.SECRETS_KEY;
  if (secret === undefined || secret === "") {
    throw new EngineError(
      RuntimeCodes.secretsNotConfigured,
      "OAuth sign-in needs the platform secret SECRETS_KEY. Locally, `npm start` writes one to .dev.vars; when deployed, run `wrangler secret put SECRETS_KEY`.",
    );
  }
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`edgeflow-oauth-user:${tenant}`)),
  );
  const hex = Array.from(mac, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `u${hex.slice(0, 32)}`;
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
  const userId = await opaqueUserIdOf(env, tenant);
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

export interface RevokedSignIns {
  /** grants revoked, with their access and refresh tokens */
  grants: number;
  /** unused sign-in links withdrawn */
  signInLinks: number;
}

/**
 * Revokes every grant of the tenant (with its access and refresh tokens) and withdraws its unused
 * sign-in links. Tenant deletion calls it first; it works on any origin, and on a deployment
 * without OAuth it only withdraws the links. The links go at once (TenantDO); the grants'
 * KV entries are deleted now and stop working within about 60 s at other locations (KV is
 * eventually consistent).
 */
export async function revokeTenantGrants(
  env: Env,
  tenant: string,
  audit: AuditContext,
): Promise<RevokedSignIns> {
  const stub = await registeredTenantStub(env, tenant);
  const signInLinks = await withdrawSignInLinks(env, tenant);
  let grants = 0;
  // without OAUTH_KV or SECRETS_KEY no grant can have been made (Allow needs both)
  if (env.OAUTH_KV !== undefined && env.SECRETS_KEY !== undefined && env.SECRETS_KEY !== "") {
    const oauth = await helpersFor(env, tenant);
    const userId = await opaqueUserIdOf(env, tenant);
    const listed = await listTenantGrants(env, tenant);
    for (const grant of listed) await oauth.revokeGrant(grant.id, userId);
    grants = listed.length;
  }
  // the grants live in OAUTH_KV, not in the tenant's DO: the entry follows the revocation
  const record = { action: "grant.revoke" as const, object: { type: "tenant", id: tenant } };
  await unwrap(stub.recordAudit(tenant, record, audit));
  return { grants, signInLinks };
}

/**
 * The provider's helpers: those of this request's origin, or (on an origin without OAuth, such as
 * a tenant deletion over plain http) helpers over the same OAUTH_KV; grants are filed by user,
 * not by origin, so any resource URL serves.
 */
async function helpersFor(env: Env, tenant: string): Promise<OAuthHelpers> {
  await registeredTenantStub(env, tenant);
  if (env.OAUTH_PROVIDER !== undefined) return env.OAUTH_PROVIDER;
  if (env.OAUTH_KV === undefined) {
    throw new EngineError(
      RuntimeCodes.routeNotFound,
      "OAuth grants live in the OAUTH_KV binding, which this deployment does not have.",
    );
  }
  return getOAuthApi(providerOptions(ANY_RESOURCE, NO_APP), env);
}

const ANY_RESOURCE = "https://edgeflow.invalid/mcp";
const NO_APP = { fetch: async () => new Response(null, { status: 404 }) };
