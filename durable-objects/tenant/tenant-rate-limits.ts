/**
 * @module
 * The tenant's rate limits as its Durable Object applies them: which buckets a request on a
 * surface is charged to (from the tenant's settings, cached until `settingsChanged`), and the
 * durable counters (`rate-limiter.ts`). `admit` answers a verdict (the caller decides how to refuse,
 * e.g. `authenticate` hands it to the edge); `require` throws `RateLimitedError` when refused.
 */
import { EngineError } from "../../engine/errors.ts";
import { RateLimitedError, type RateLimitVerdict } from "../../engine/rate-limits/rate-limited-error.ts";
import { type Admission, type LeasedVerdict, MAX_LEASE_UNITS } from "./contracts.ts";
import {
  bucketsFor,
  MAX_RATE_LIMIT_PER_MINUTE,
  type RateLimitSurface,
  tenantLimitOf,
  windowStartOf,
} from "./rate-limit-policy.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { readSettings } from "./settings.ts";

export class TenantRateLimits {
  readonly #sql: () => SqlStorage;
  readonly #limiter: RateLimiter;
  #settings: Readonly<Record<string, unknown>> | undefined;

  /** told of every refusal (the `edgeflow_rate_limit_rejections_total` metric) */
  readonly #onRefused: ((surface: RateLimitSurface) => void) | undefined;

  constructor(sql: () => SqlStorage, onRefused?: (surface: RateLimitSurface) => void) {
    this.#sql = sql;
    this.#onRefused = onRefused;
    this.#limiter = new RateLimiter(sql);
  }

  /** A tenant setting changed: read the limits again. */
  settingsChanged(): void {
    this.#settings = undefined;
  }

  /** Charges `cost` units on `surface` to the tenant (and to `keyId` when it has a per-key limit). */
  admit(surface: RateLimitSurface, cost: number, now: number, keyId?: string): RateLimitVerdict {
    const verdict = this.#limiter.admit(bucketsFor(surface, this.#current(), keyId), cost, now);
    if (!verdict.admitted) this.#onRefused?.(surface);
    return verdict;
  }

  /**
   * Judges an `/mcp` admission from the edge: gives back the `refund` of an earlier lease (only in
   * its window), judges `cost` as `admit` does and, when admitted, charges ahead the `lease` the
   * edge asked for (at most {@link MAX_LEASE_UNITS} and half of what is left), which the edge may
   * then admit from its memo without asking: what the memo admits is always already counted here.
   */
  admitLeasing(surface: RateLimitSurface, admission: Admission, now: number, keyId?: string): LeasedVerdict {
    const buckets = bucketsFor(surface, this.#current(), keyId);
    const refund = admission.refund;
    if (refund !== undefined) this.#limiter.refund(buckets, wholeUnits(refund.units), refund.window, now);
    const verdict = this.admit(surface, admission.cost, now, keyId);
    const wanted = Math.min(wholeUnits(admission.lease), MAX_LEASE_UNITS);
    const units = verdict.admitted ? Math.min(wanted, Math.floor(verdict.remaining / 2)) : 0;
    if (units <= 0) return verdict;
    this.#limiter.charge(buckets, units, now);
    return { ...verdict, lease: { units, window: windowStartOf(now) } };
  }

  /**
   * The most units one request may cost on `surface` (the smallest of its per-minute limits): a
   * larger one could never be admitted, so it is refused as `ratelimit.batch_too_large`, without
   * `Retry-After`, and charges nothing.
   */
  requireWithinLimit(surface: RateLimitSurface, cost: number, keyId?: string): void {
    const largest = Math.min(...bucketsFor(surface, this.#current(), keyId).map((bucket) => bucket.limit));
    if (cost > largest) {
      throw new EngineError(
        "ratelimit.batch_too_large",
        `This request holds ${cost} units of the ${surface} rate limit, which allows ${largest} per minute: no retry ` +
          `can succeed. Send at most ${largest} at once.`,
        { path: surface },
      );
    }
  }

  /** As `admit`, throwing `ratelimit.exceeded` (with the verdict) when refused. */
  require(surface: RateLimitSurface, cost: number, now: number, keyId?: string): RateLimitVerdict {
    const verdict = this.admit(surface, cost, now, keyId);
    if (!verdict.admitted) throw new RateLimitedError(verdict);
    return verdict;
  }

  /** Asks, per run an event would start at `now`, whether the tenant's runs-per-minute limit allows it. */
  allowEventRun(now: number): () => boolean {
    const limit = tenantLimitOf("event_runs", this.#current());
    const bucket = { key: "event_runs", policy: "event_runs", limit };
    return () => {
      const allowed = limit > 0 && this.#limiter.take(bucket, now);
      if (!allowed) this.#onRefused?.("event_runs");
      return allowed;
    };
  }

  #current(): Readonly<Record<string, unknown>> {
    this.#settings ??= readSettings(this.#sql());
    return this.#settings;
  }
}

/** A unit count from the edge as a whole number in [0, MAX_RATE_LIMIT_PER_MINUTE]. */
function wholeUnits(units: number | undefined): number {
  return Math.min(Math.max(0, Math.floor(units ?? 0)), MAX_RATE_LIMIT_PER_MINUTE) || 0;
}
