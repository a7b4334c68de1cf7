/**
 * @module
 * A rate-limit verdict as HTTP header fields, in the syntax of the IETF httpapi draft "RateLimit
 * header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers-11): `RateLimit-Policy:
 * "<policy>";q=<limit>;w=<window s>` and `RateLimit: "<policy>";r=<left>;t=<s to reset>`, plus
 * `Retry-After` (seconds) on a refusal. Pure.
 */
import type { RateLimitVerdict } from "../../engine/rate-limits/rate-limited-error.ts";

export function rateLimitHeaders(verdict: RateLimitVerdict): Record<string, string> {
  const resetSeconds = Math.max(1, Math.ceil(verdict.resetMs / 1000));
  const headers: Record<string, string> = {
    "ratelimit-policy": `"${verdict.policy}";q=${verdict.limit};w=${verdict.windowSeconds}`,
    ratelimit: `"${verdict.policy}";r=${verdict.remaining};t=${resetSeconds}`,
  };
  if (!verdict.admitted) headers["retry-after"] = String(resetSeconds);
  return headers;
}
