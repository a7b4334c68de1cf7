/**
 * @module
 * Extracts the token from an `Authorization: Bearer <token>` header. The same pattern as
 * `@cloudflare/workers-oauth-provider`'s own check (one token, no `,` or whitespace in it), so a
 * header one accepts the other accepts too, and a refused one gets edgeflow's error shape.
 */

const BEARER = /^Bearer[\t ]+([^\s,]+)$/i;

export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  return BEARER.exec(header)?.[1] ?? null;
}
