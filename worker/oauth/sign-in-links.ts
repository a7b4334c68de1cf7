/**
 * @module
 * One-time sign-in links (docs/auth.md, "Signing in"): an admin issues one for a tenant
 * (`POST /admin/tenants/:id/sign-in-links`) and gives the URL to a person who has no API key.
 * Opening it (`GET /sign-in/<code>`) only names its tenant; Continue (`POST /sign-in/<code>`, from
 * this origin's page only) keeps the code in a cookie for this browser; approving a client on the consent page uses it up, so it signs in exactly once. The
 * code `efs_<tenant>_<secret>` names its tenant; its TenantDO keeps only the SHA-256 hash
 * (durable-objects/tenant/sign-in-links.ts), strongly consistent, so a second use is refused.
 */
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import type { AuditContext } from "../../durable-objects/tenant/contracts.ts";
import { EngineError } from "../../engine/errors.ts";
import type { Env } from "../env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { hashApiKey } from "../keys/api-key.ts";
import { isTenantId } from "../tenancy/tenant-id.ts";
import { isRegisteredTenant, registeredTenantStub } from "../tenancy/tenant-registry.ts";

/** A link works for 15 minutes after it is issued, and once. */
export const SIGN_IN_LINK_TTL_MS = 15 * 60 * 1000;
export const SIGN_IN_COOKIE = "__Host-edgeflow-sign-in";

const SECRET_BYTES = 32;
const CODE_PATTERN = /^efs_([a-z0-9-]{1,63})_([A-Za-z0-9_-]{43})$/;

export interface IssuedSignInLink {
  url: string;
  expires_at: string;
}

export async function issueSignInLink(
  env: Env,
  tenant: string,
  origin: string,
  now: number,
  audit: AuditContext,
): Promise<IssuedSignInLink> {
  const stub = await registeredTenantStub(env, tenant);
  if (env.OAUTH_PROVIDER === undefined) {
    // the link would lead to a consent page this origin does not serve
    throw new EngineError(
      RuntimeCodes.routeNotFound,
      "Sign-in links are issued on an origin that offers OAuth (https, or http on localhost/127.0.0.1, with OAUTH_KV): call this route there.",
    );
  }
  const code = `efs_${tenant}_${randomSecret()}`;
  const expiresAt = now + SIGN_IN_LINK_TTL_MS;
  await unwrap(stub.issueSignInLink(tenant, await hashApiKey(code), expiresAt, audit));
  return { url: `${origin}/sign-in/${code}`, expires_at: new Date(expiresAt).toISOString() };
}

/** The tenant a code signs in to while it is still usable (not used, not expired); `null` otherwise. */
export async function peekSignInLink(
  env: Env,
  code: string,
): Promise<{ tenant: string; expiresAt: number } | null> {
  const tenant = tenantOfCode(code);
  if (tenant === null || !(await isRegisteredTenant(env, tenant))) return null;
  const { expiresAt } = await unwrap(tenantStub(env, tenant).peekSignInLink(tenant, await hashApiKey(code)));
  return expiresAt === null ? null : { tenant, expiresAt };
}

/** Uses the code up: its tenant the first time, `null` ever after (or for a code that never worked). */
export async function redeemSignInLink(env: Env, code: string): Promise<string | null> {
  const tenant = tenantOfCode(code);
  if (tenant === null || !(await isRegisteredTenant(env, tenant))) return null;
  const { redeemed } = await unwrap(tenantStub(env, tenant).redeemSignInLink(tenant, await hashApiKey(code)));
  return redeemed ? tenant : null;
}

/** Withdraws the tenant's unused links (with its grants, worker/oauth/tenant-grants.ts): how many were usable. */
export async function withdrawSignInLinks(env: Env, tenant: string): Promise<number> {
  const { withdrawn } = await unwrap(tenantStub(env, tenant).withdrawSignInLinks(tenant));
  return withdrawn;
}

export function signInCookie(code: string, maxAgeSeconds: number): string {
  return `${SIGN_IN_COOKIE}=${code}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
}

export function clearSignInCookie(): string {
  return `${SIGN_IN_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`;
}

function tenantOfCode(code: string): string | null {
  const match = CODE_PATTERN.exec(code);
  const tenant = match?.[1];
  return tenant !== undefined && isTenantId(tenant) ? tenant : null;
}

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
