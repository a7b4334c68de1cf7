/**
 * @module
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, read as whole seconds from
 * `now`. Pure: `now` comes in. A value that is neither, or a date in the past, gives 0 or
 * undefined as documented below; an absurd delay is capped so a target cannot park a step for days.
 */

/** The longest wait a `Retry-After` may ask for (one hour); longer values are cut to this. */
export const MAX_RETRY_AFTER_SECONDS = 3600;

/** Seconds to wait, or undefined when the header is absent or unreadable. A past date is 0. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Math.min(Number(text), MAX_RETRY_AFTER_SECONDS);
  // An HTTP-date always names a weekday and GMT; Date.parse alone accepts far too much.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, Math.ceil((at - nowMs) / 1000)), MAX_RETRY_AFTER_SECONDS);
}
