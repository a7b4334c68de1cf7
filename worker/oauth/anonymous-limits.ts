/**
 * @module
 * What an anonymous caller may cost (docs/auth.md, "Limits"): `POST /register` and `GET
 * /authorize` store something in OAUTH_KV for nobody in particular (a client record, a consent
 * transaction), so each is limited per client address (`cf-connecting-ip`) with the Workers Rate
 * Limiting binding `OAUTH_RATE_LIMITER` (wrangler.toml), and a registration body over 8 KiB is
 * refused before it is read. Without the binding or the address header, nothing is counted.
 */
import type { Env } from "../env.ts";
import { MAX_REGISTRATION_BODY_BYTES } from "./client-registration.ts";
import { OAUTH_ENDPOINTS } from "./provider.ts";

/** The refusal for an anonymous request over its limits; `null` to go on. */
export async function anonymousLimitsRefusal(request: Request, env: Env): Promise<Response | null> {
  const { pathname } = new URL(request.url);
  const register = request.method === "POST" && pathname === OAUTH_ENDPOINTS.register;
  const authorize = request.method === "GET" && pathname === OAUTH_ENDPOINTS.authorize;
  if (!register && !authorize) return null;
  if (register && Number(request.headers.get("content-length") ?? "0") > MAX_REGISTRATION_BODY_BYTES) {
    return oauthError(
      400,
      "invalid_client_metadata",
      `The registration is larger than ${MAX_REGISTRATION_BODY_BYTES} bytes.`,
    );
  }
  const address = request.headers.get("cf-connecting-ip");
  if (env.OAUTH_RATE_LIMITER === undefined || address === null) return null;
  const { success } = await env.OAUTH_RATE_LIMITER.limit({ key: `${pathname}:${address}` });
  if (success) return null;
  const response = oauthError(
    429,
    "temporarily_unavailable",
    "Too many requests from this address; try again in a minute.",
  );
  response.headers.set("retry-after", "60");
  return response;
}

function oauthError(status: number, error: string, description: string): Response {
  return Response.json(
    { error, error_description: description },
    { status, headers: { "cache-control": "no-store" } },
  );
}
