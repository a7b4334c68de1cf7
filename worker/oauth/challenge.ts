/**
 * @module
 * The `WWW-Authenticate` challenge on `/mcp`'s 401s (RFC 6750 §3, RFC 9728 §5.1): where the
 * resource's metadata is (so an MCP client can start OAuth discovery) and, when credentials were
 * sent but refused, `error="invalid_token"` with a description a person can act on. Without
 * credentials the challenge names no error, as RFC 6750 asks.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { bearerToken } from "../middleware/bearer.ts";
import { protectedResourceOf, resourceMetadataUrlOf } from "./resource.ts";

export interface ChallengeOptions {
  /** the resource's metadata URL; omitted where OAuth is not offered */
  resourceMetadata?: string;
  /** set when a credential was presented and refused */
  description?: string;
}

export function bearerChallenge(options: ChallengeOptions): string {
  const parts = ['Bearer realm="edgeflow"'];
  if (options.description !== undefined) {
    parts.push('error="invalid_token"', `error_description="${quotable(options.description)}"`);
  }
  if (options.resourceMetadata !== undefined) parts.push(`resource_metadata="${options.resourceMetadata}"`);
  return parts.join(", ");
}

/** A quoted-string's content: printable ASCII without `"` and `\`, at most 300 characters. */
function quotable(text: string): string {
  return text
    .replace(/[^\x20-\x7e]/g, " ")
    .replace(/["\\]/g, "'")
    .slice(0, 300);
}

/** On a 401 from `/mcp`, replaces the plain challenge with one that says why and where to sign in. */
export const mcpChallenge: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.res.status !== 401) return;
  const resource = c.env.OAUTH_KV === undefined ? null : protectedResourceOf(new URL(c.req.url));
  const presented = bearerToken(c.req.header("authorization")) !== null;
  const description = presented ? await errorMessageOf(c.res) : undefined;
  c.res.headers.set(
    "www-authenticate",
    bearerChallenge({
      ...(resource === null ? {} : { resourceMetadata: resourceMetadataUrlOf(resource) }),
      ...(description === undefined ? {} : { description }),
    }),
  );
};

async function errorMessageOf(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.clone().json()) as { error?: { message?: unknown } };
    return typeof body.error?.message === "string" ? body.error.message : undefined;
  } catch {
    return undefined;
  }
}
