/**
 * @module
 * The error for an answer outside 2xx: `external.http_status`, retryable for 408, 425, 429 and
 * 5xx, with `retryAfterSeconds` (EngineError) read from `Retry-After` on 429 and 503. The message
 * names the plugin, the status and the verb, never the URL's query or a header value.
 */
import { EngineError } from "../../engine/errors.ts";
import { parseRetryAfter } from "./retry-after.ts";

const RETRYABLE_CLIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429]);
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || RETRYABLE_CLIENT_STATUSES.has(status);
}

/** Throws nothing: builds the error for a non-2xx `response`; the caller throws it. */
export function httpStatusError(response: Response, label: string, nowMs: number): EngineError {
  const retryAfterSeconds = RETRY_AFTER_STATUSES.has(response.status)
    ? parseRetryAfter(response.headers.get("retry-after"), nowMs)
    : undefined;
  const wait = retryAfterSeconds === undefined ? "" : ` (Retry-After: ${retryAfterSeconds} s)`;
  return new EngineError("external.http_status", `${label} answered HTTP ${response.status}${wait}`, {
    retryable: isRetryableStatus(response.status),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}
