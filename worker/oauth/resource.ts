/**
 * @module
 * The protected resource (`/mcp`) a request's origin serves, per RFC 9728 and the MCP
 * authorization spec. It is derived from each request's own origin, so `http://127.0.0.1:8787`
 * and `http://localhost:8787` each get tokens for themselves (a token's audience must match the
 * URL the client uses exactly). OAuth needs https, or plain http on a loopback host
 * (`wrangler dev`); any other origin serves `/mcp` with API keys only. Pure functions.
 */

export const MCP_PATH = "/mcp";
const METADATA_PREFIX = "/.well-known/oauth-protected-resource";

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** `https://host/mcp` for this request's origin, or `null` when OAuth cannot be offered on it. */
export function protectedResourceOf(url: URL): string | null {
  const secure = url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.test(url.hostname));
  return secure ? `${url.origin}${MCP_PATH}` : null;
}

/** Where the resource's RFC 9728 metadata lives: the well-known prefix, then the resource's path. */
export function resourceMetadataUrlOf(resource: string): string {
  const url = new URL(resource);
  return `${url.origin}${METADATA_PREFIX}${url.pathname}`;
}

export function isMcpPath(url: URL): boolean {
  return url.pathname === MCP_PATH;
}
