/**
 * @module
 * The replay window for signed timestamps: a delivery is accepted when its signed time is within
 * the tolerance of `now`, in both directions (a sender's clock may run ahead). Times outside it
 * are `webhook.stale_timestamp` or `webhook.future_timestamp`.
 */
import { rejected, type WebhookRejected } from "./verification-result.ts";

/** Standard Webhooks' and Stripe's default: 5 minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

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
