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
