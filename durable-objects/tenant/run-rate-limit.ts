/**
 * @module
 * A per-tenant ceiling on runs started by events: at most `limit` per minute (a fixed window),
 * so an event storm or a runaway sender cannot start unbounded runs. Matches over the limit are
 * logged `rate_limited` instead of starting a run. The count lives in the TenantDO's memory: an
 * eviction resets the window, which errs on the side of starting runs. Events are still stored.
 */

/** Default runs per minute per tenant; the tenant setting `max_event_runs_per_minute` overrides it. */
export const DEFAULT_EVENT_RUNS_PER_MINUTE = 6_000;
const WINDOW_MS = 60_000;

export class RunRateLimit {
  #windowStart = 0;
  #count = 0;

  /** Takes one run from the current window; false when the window is full. */
  take(now: number, limit: number): boolean {
    if (now - this.#windowStart >= WINDOW_MS || now < this.#windowStart) {
      this.#windowStart = now;
      this.#count = 0;
    }
    if (this.#count >= limit) return false;
    this.#count += 1;
    return true;
  }
}

/** The tenant's limit from its settings (0 stops runs from events), or the default when unset or not a whole number ≥ 0. */
export function runsPerMinuteOf(settings: Readonly<Record<string, unknown>>): number {
  const value = settings.max_event_runs_per_minute;
  return typeof value === "number" && Number.isInteger(value) && value >= 0
    ? value
    : DEFAULT_EVENT_RUNS_PER_MINUTE;
}
