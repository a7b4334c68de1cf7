/**
 * @module
 * Refresh-token reuse detection in front of the provider's `/token` (docs/auth.md, "Refresh
 * tokens"). The provider rotates the refresh token on every use but keeps accepting the one just
 * replaced (the "previous" one, for a client whose answer was lost), and a use of the previous one
 * makes it the previous one again, so a stolen superseded token kept minting tokens. The rule here:
 * - the current token: accepted (the provider rotates it);
 * - the previous token: accepted once (a retry); presented again, the grant is revoked;
 * - any other token naming an existing grant (an older, superseded one, such as the client's own
 *   token after a thief refreshed first): the grant is revoked, with all its tokens.
 * Tokens are compared by the provider's own id, the SHA-256 of the token, stored in the grant
 * (`grant:<user>:<grant>` in OAUTH_KV). The one-retry mark is our own key in OAUTH_KV.
 */
import type { OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import type { Env } from "../env.ts";
import { hashApiKey } from "../keys/api-key.ts";
import { OAUTH_ENDPOINTS, REFRESH_TOKEN_TTL_SECONDS } from "./provider.ts";

interface StoredGrant {
  refreshTokenId?: string;
  previousRefreshTokenId?: string;
}

const RETRIED_PREFIX = "edgeflow-refresh-retried:";

const REUSE_DESCRIPTION =
  "This refresh token was already replaced: it was used twice, so the grant is revoked. Sign in again.";

/**
 * `null` to let the provider answer; otherwise the refusal (after revoking the grant). Reads a
 * clone of the request, so the provider still gets the body.
 */
export async function refusedRefreshReuse(
  request: Request,
  env: Env,
  helpers: () => OAuthHelpers,
): Promise<Response | null> {
  const kv = env.OAUTH_KV;
  if (kv === undefined || request.method !== "POST") return null;
  if (new URL(request.url).pathname !== OAUTH_ENDPOINTS.token) return null;
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) return null;
  let form: URLSearchParams;
  try {
    form = new URLSearchParams(new TextDecoder().decode(await request.clone().arrayBuffer()));
  } catch {
    return null;
  }
  if (form.get("grant_type") !== "refresh_token") return null;
  const token = form.get("refresh_token") ?? "";
  const [userId, grantId, secret, ...rest] = token.split(":");
  if (userId === undefined || grantId === undefined || secret === undefined || rest.length > 0) return null;
  const grant = await kv.get<StoredGrant>(`grant:${userId}:${grantId}`, { type: "json" });
  if (grant === null) return null;
  const presented = await hashApiKey(token);
  if (presented === grant.refreshTokenId) return null;
  if (presented === grant.previousRefreshTokenId) {
    const retriedKey = `${RETRIED_PREFIX}${userId}:${grantId}:${presented}`;
    if ((await kv.get(retriedKey)) === null) {
      await kv.put(retriedKey, "1", { expirationTtl: REFRESH_TOKEN_TTL_SECONDS });
      return null;
    }
  }
  await helpers().revokeGrant(grantId, userId);
  console.warn(`oauth: refresh token reused, grant ${grantId} revoked`);
  return Response.json(
    { error: "invalid_grant", error_description: REUSE_DESCRIPTION },
    { status: 400, headers: { "cache-control": "no-store" } },
  );
}
