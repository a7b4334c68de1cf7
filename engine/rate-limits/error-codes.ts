/**
 * @module
 * Codes of rate limits (docs/operations.md, "Rate limits"). Part of the closed set of error codes
 * (`ErrorCode` in engine/error-codes.ts); worker/errors/codes.ts classifies each one.
 */

export const RATE_LIMIT_CODES = ["ratelimit.exceeded", "ratelimit.batch_too_large"] as const;

export type RateLimitCode = (typeof RATE_LIMIT_CODES)[number];
