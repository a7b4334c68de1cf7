/**
 * @module
 * A request refused by a rate limit, with what the caller needs to come back at the right time:
 * the verdict (policy, limit, window, what is left, when the window resets). The tenant's Durable
 * Object decides; this error carries the decision across RPC (`durable-objects/outcome.ts`) to the
 * edge, which answers HTTP 429 with `Retry-After`, `RateLimit-Policy` and `RateLimit`, or a coded
 * MCP tool error with `retry_after_ms`. Data only: no clock, no I/O.
 */
import { EngineError, type ErrorShape } from "../errors.ts";

/** A rate-limit decision: admitted or not, and the numbers for the IETF RateLimit headers. */
export interface RateLimitVerdict {
  admitted: boolean;
  /** the policy the headers describe: the refusing one, else the one with the least left */
  policy: string;
  /** units per window (the headers' `q`) */
  limit: number;
  windowSeconds: number;
  /** units left in the window (`r`) */
  remaining: number;
  /** milliseconds until the window resets (`t`; `Retry-After` when refused) */
  resetMs: number;
}

export class RateLimitedError extends EngineError {
  readonly verdict: RateLimitVerdict;

  constructor(verdict: RateLimitVerdict) {
    super(
      "ratelimit.exceeded",
      `Rate limit "${verdict.policy}" reached: ${verdict.limit} per ${verdict.windowSeconds} s. Retry in ${Math.ceil(verdict.resetMs / 1000)} s.`,
      { retryable: true, retryAfterSeconds: Math.ceil(verdict.resetMs / 1000) },
    );
    this.verdict = verdict;
  }

  /** The wire shape, with `retry_after_ms`: when the window resets. */
  override toJSON(): ErrorShape {
    return { ...super.toJSON(), retry_after_ms: this.verdict.resetMs };
  }
}
