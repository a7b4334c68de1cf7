/**
 * @module
 * The worker's fetch handler: the OAuth provider of the request's origin in front of the Hono
 * app (worker/oauth/provider.ts), or the app alone where OAuth is not offered (a plain-http,
 * non-loopback origin, or no `OAUTH_KV` binding). A request to `/mcp` without a bearer
 * credential (and its CORS preflight) goes straight to the app, which answers `auth.missing_key`
 * with the discovery challenge (worker/oauth/challenge.ts), so every `/mcp` error keeps the
 * app's shape, request id and CORS headers. Before the provider: the limits on anonymous
 * requests (worker/oauth/anonymous-limits.ts) and refresh-token reuse detection
 * (worker/oauth/refresh-reuse.ts).
 */
import { getOAuthApi } from "@cloudflare/workers-oauth-provider";
import type { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import type { Env } from "../env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { bearerToken } from "../middleware/bearer.ts";
import { errorResponse } from "../middleware/errors.ts";
import { anonymousLimitsRefusal } from "./anonymous-limits.ts";
import { providerFor, providerOptions } from "./provider.ts";
import { refusedRefreshReuse } from "./refresh-reuse.ts";
import { isMcpPath, protectedResourceOf } from "./resource.ts";

export type FetchHandler = (request: Request, env: Env, ctx: ExecutionContext) => Promise<Response>;

export function createFetchHandler(app: Hono<AppEnv>): FetchHandler {
  const appHandler = {
    fetch: (request: Request, env: Env, ctx: ExecutionContext) => app.fetch(request, env, ctx),
  };
  return async (request, env, ctx) => {
    const url = new URL(request.url);
    // The provider puts its helpers (bound to its own resource) into `env` when they are missing,
    // and `env` is shared by every request of the isolate: each request gets its own copy, or the
    // first origin's helpers would serve every later origin (and reach origins without OAuth).
    const requestEnv: Env = { ...env, OAUTH_PROVIDER: undefined };
    const resource = env.OAUTH_KV === undefined ? null : protectedResourceOf(url);
    const withoutCredential =
      isMcpPath(url) && bearerToken(request.headers.get("authorization") ?? undefined) === null;
    if (resource === null || withoutCredential) return app.fetch(request, requestEnv, ctx);
    try {
      const refused =
        (await anonymousLimitsRefusal(request, requestEnv)) ??
        (await refusedRefreshReuse(request, requestEnv, () =>
          getOAuthApi(providerOptions(resource, appHandler), requestEnv),
        ));
      if (refused !== null) return refused;
      return await providerFor(resource, appHandler).fetch(request, requestEnv, ctx);
    } catch (thrown) {
      console.error(`oauth: unexpected error on ${request.method} ${url.pathname}`, thrown);
      return errorResponse(500, {
        code: RuntimeCodes.internal,
        message: "Internal error; the worker's log has the details.",
      });
    }
  };
}
