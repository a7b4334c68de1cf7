/**
 * @module
 * The replay window for signed timestamps: a delivery is accepted when its signed time is within
 * the tolerance of `now`, in both directions (a sender's clock may run ahead). Times outside it
 * are `webhook.stale_timestamp` or `webhook.future_timestamp`.
 */
import { rejected, type WebhookRejected } from "./verification-result.ts";

/** Standard Webhooks' and Stripe's default: 5 minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * How long the runtime remembers a verified delivery's dedup key (`webhook-dedup.ts`): 4 days,
 * which covers Stripe's retries of one event for up to 3 days.
 */
export const DEDUP_WINDOW_SECONDS = 4 * 24 * 3600;

/**
 * The widest `tolerance_seconds`: 1 day. A delivery signed at `t` is accepted from `t - tol` (a
 * sender's clock ahead) to `t + tol`; the first acceptance keeps its dedup row for the dedup
 * window, so a replay is either deduplicated or refused as stale only while `2 * tol` is below
 * the window. Verification also clamps a larger stored value to this one.
 */
export const MAX_TOLERANCE_SECONDS = 24 * 3600;

/** Unix seconds as senders write them: digits only, at most 12 of them (the year 33658). */
const SECONDS_PATTERN = /^\d{1,12}$/;

export function parseUnixSeconds(text: string): number | undefined {
  return SECONDS_PATTERN.test(text) ? Number(text) : undefined;
}

/** Undefined when `seconds` is within `toleranceSeconds` of `now` (ms), else the rejection. */
export function checkTimestamp(
  seconds: number,
  now: number,
  toleranceSeconds: number,
): WebhookRejected | undefined {
  const ageSeconds = now / 1000 - seconds;
  if (!Number.isFinite(ageSeconds)) {
    // Fail closed: a receiver clock that is not a number must not disable the window.
    return rejected(
      "webhook.stale_timestamp",
      "the signed timestamp cannot be checked against the receiver's clock",
    );
  }
  if (ageSeconds > toleranceSeconds) {
    return rejected(
      "webhook.stale_timestamp",
      `the signed timestamp is ${Math.round(ageSeconds)} s old; deliveries older than ${toleranceSeconds} s are refused as replays`,
    );
  }
  if (-ageSeconds > toleranceSeconds) {
    return rejected(
      "webhook.future_timestamp",
      `the signed timestamp is ${Math.round(-ageSeconds)} s in the future; more than ${toleranceSeconds} s ahead is refused (check the sender's clock)`,
    );
  }
  return undefined;
}
