/**
 * @module
 * The OAuth 2.1 authorization server and protected resource in front of the worker
 * (`@cloudflare/workers-oauth-provider`, docs/auth.md). One provider per origin, because the
 * resource (`<origin>/mcp`) must be the URL the client uses. The provider serves the metadata
 * (`/.well-known/oauth-authorization-server`, `/.well-known/oauth-protected-resource/mcp`),
 * `/register` (dynamic client registration), `/token` (code and refresh grants, RFC 7009
 * revocation) and checks bearer tokens on `/mcp`; everything else, `/authorize` included, goes to
 * the Hono app unchanged. API keys keep working on `/mcp` through `resolveExternalToken`.
 */
import {
  ExternalTokenError,
  OAuthProvider,
  type OAuthProviderOptions,
} from "@cloudflare/workers-oauth-provider";
import { type ErrorCode, isEngineError } from "../../engine/errors.ts";
import type { Env } from "../env.ts";
import { classifyCode, httpStatusOf, RuntimeCodes } from "../errors/codes.ts";
import { keyPrecheckOn, presentedApiKey } from "../keys/presented-key.ts";
import { errorResponse } from "../middleware/errors.ts";
import { verifyApiKey } from "../middleware/tenant-auth.ts";
import { bearerChallenge } from "./challenge.ts";
import { refusedRegistration } from "./client-registration.ts";
import type { ApiKeyProps } from "./grant-props.ts";
import { resourceMetadataUrlOf } from "./resource.ts";
import { ALL_SCOPES } from "./scopes.ts";

/** An access token lives an hour; a client refreshes it with its refresh token. */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
/** A grant (its refresh tokens) ends 30 days after the person approved it, however often it is refreshed. */
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
/** A dynamically registered client unused this long is forgotten (renewed while in use). */
export const CLIENT_REGISTRATION_TTL_SECONDS = 90 * 24 * 3600;

export const OAUTH_ENDPOINTS = {
  authorize: "/authorize",
  token: "/token",
  register: "/register",
} as const;

const INVALID_TOKEN_MESSAGE =
  "The access token is not valid (unknown, expired or revoked). Your MCP client signs in again by itself; if it " +
  "does not, remove the connector and add it again, or send an API key as `Authorization: Bearer efk_...`.";

/** A refused API key, carrying edgeflow's code to `onError` (the library converts only its own error class). */
class ApiKeyRefused extends ExternalTokenError {
  readonly edgeflowCode: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super("invalid_token", { description: message, statusCode: 401 });
    this.edgeflowCode = code;
  }
}

type AppHandler = ExportedHandler<Env> & Required<Pick<ExportedHandler<Env>, "fetch">>;

export function providerOptions(resource: string, app: AppHandler): OAuthProviderOptions<Env> {
  const resourceMetadata = resourceMetadataUrlOf(resource);
  return {
    apiRoute: "/mcp",
    apiHandler: app,
    defaultHandler: app,
    authorizeEndpoint: OAUTH_ENDPOINTS.authorize,
    tokenEndpoint: OAUTH_ENDPOINTS.token,
    clientRegistrationEndpoint: OAUTH_ENDPOINTS.register,
    scopesSupported: [...ALL_SCOPES],
    accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTTL: REFRESH_TOKEN_TTL_SECONDS,
    clientRegistrationTTL: CLIENT_REGISTRATION_TTL_SECONDS,
    clientRegistrationCallback: ({ clientMetadata }) => refusedRegistration(clientMetadata),
    resourceMetadata: { resource, resource_name: "edgeflow", bearer_methods_supported: ["header"] },
    resolveExternalToken: async ({ token, env }) => {
      try {
        // the key is checked where the caller is admitted (grant-props.ts): one TenantDO call
        const props: ApiKeyProps = keyPrecheckOn(env)
          ? { kind: "api_key", ...keyIdentity(await verifyApiKey(env, token)) }
          : { kind: "api_key", ...(await presentedApiKey(env, token)) };
        return { props, audience: resource };
      } catch (thrown) {
        if (isEngineError(thrown)) throw new ApiKeyRefused(thrown.code, thrown.message);
        throw thrown;
      }
    },
    onError: (error) => {
      if (error.internal.category !== "protected-resource") {
        console.warn(
          `oauth: ${error.status} ${error.code} (${error.internal.category}/${error.internal.reason})`,
        );
        return undefined;
      }
      const refusedKey = error.internal.detail instanceof ApiKeyRefused ? error.internal.detail : null;
      const code: ErrorCode = refusedKey?.edgeflowCode ?? RuntimeCodes.authInvalidToken;
      const message = refusedKey?.description ?? INVALID_TOKEN_MESSAGE;
      // a refused API key keeps its own status (a suspended tenant's key is 403 `tenant.suspended`)
      const status = refusedKey === null ? error.status : httpStatusOf(classifyCode(code));
      const response = errorResponse(status, { code, message });
      if (status === 401) {
        response.headers.set("www-authenticate", bearerChallenge({ resourceMetadata, description: message }));
      }
      response.headers.set("cache-control", "no-store");
      return response;
    },
  };
}

function keyIdentity({ tenant, keyId }: { tenant: string; keyId: string }) {
  return { tenant, keyId };
}

/** Bound to keep a flood of Host headers from growing the map; providers are cheap to build again. */
const MAX_CACHED_PROVIDERS = 16;
const providers = new Map<string, OAuthProvider<Env>>();

/** The provider for `resource`, built once per isolate and origin. */
export function providerFor(resource: string, app: AppHandler): OAuthProvider<Env> {
  const known = providers.get(resource);
  if (known !== undefined) return known;
  if (providers.size >= MAX_CACHED_PROVIDERS) providers.clear();
  const provider = new OAuthProvider<Env>(providerOptions(resource, app));
  providers.set(resource, provider);
  return provider;
}
