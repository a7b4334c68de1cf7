/**
 * @module
 * What a workflow or service may name as an HTTP header: a token (RFC 9110), and none of the
 * headers the platform sets itself. Shared by `auth.header` (steps and services) and an http
 * service's `headers`, checked at publish and again when the header is set. Data only.
 */

export const HEADER_NAME_PATTERN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;

/** The header names a configuration may not set: the platform owns them. */
const PLATFORM_HEADERS = new Set([
  "host",
  "content-length",
  "idempotency-key",
  "transfer-encoding",
  "connection",
]);

export function isPlatformHeader(name: string): boolean {
  return PLATFORM_HEADERS.has(name.toLowerCase());
}

export const PLATFORM_HEADER_MESSAGE = "this header is set by the platform";

/**
 * The headers a request keeps when a redirect sends it to another origin
 * (durable-objects/tenant/guarded-fetch.ts): everything else, credentials above all, is dropped.
 */
export const CROSS_ORIGIN_HEADERS: ReadonlySet<string> = new Set([
  "accept",
  "accept-language",
  "content-language",
  "content-type",
  "user-agent",
  "idempotency-key",
  "x-edgeflow-idempotency-key",
]);

/**
 * Whether `auth.header` may name this header: not one the platform sets, and not one a
 * cross-origin redirect keeps (a credential in it would follow the redirect).
 */
export function isCredentialHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return !PLATFORM_HEADERS.has(lower) && !CROSS_ORIGIN_HEADERS.has(lower);
}

export const CREDENTIAL_HEADER_MESSAGE =
  "a credential cannot go in a header the platform sets or one a redirect keeps (Accept, Content-Type, User-Agent, ...)";
