/**
 * @module
 * Rate limits as data: the surfaces a tenant is limited on, their defaults, the tenant settings
 * that override them, and the fixed-window arithmetic. Pure: a settings map and `now` in, a
 * verdict out; no storage (that is `rate-limiter.ts`), no HTTP (the worker turns a verdict into
 * `RateLimit-Policy` / `RateLimit` / `Retry-After` headers).
 *
 * Windows are fixed one-minute windows aligned to the clock (`floor(now / 60 s)`): exact counts,
 * the headers' `t` is exactly the time to the window's end, and one row per bucket holds the
 * state. The known cost: across a window boundary a client may get up to twice its limit in a
 * short span (docs/operations.md, "Rate limits").
 */
import { z } from "zod";
import type { RateLimitVerdict } from "../../engine/rate-limits/rate-limited-error.ts";

export const RATE_LIMIT_WINDOW_MS = 60_000;

/** The surface classes a tenant is limited on (`event_runs`: runs started by events and schedules). */
export type RateLimitSurface = "mcp" | "events" | "webhooks" | "admin" | "event_runs";

/** Per-minute defaults per tenant; per-key limits have no default (only the tenant's limit applies). */
export const DEFAULT_RATE_LIMITS: Readonly<Record<RateLimitSurface, number>> = {
  mcp: 12_000,
  events: 120_000,
  webhooks: 60_000,
  admin: 1_200,
  event_runs: 6_000,
};

/** The largest per-minute limit a tenant may be given. */
export const MAX_RATE_LIMIT_PER_MINUTE = 1_000_000;

const perMinute = z.number().int().min(1).max(MAX_RATE_LIMIT_PER_MINUTE);
/** `max_event_runs_per_minute` predates the other settings and allows 0 (no runs from events). */
const eventRunsPerMinute = z.number().int().min(0).max(MAX_RATE_LIMIT_PER_MINUTE);

/** The rate-limit settings and what each may hold (checked by `checkSettingsPatch` in run-limits.ts). */
export const rateLimitSettings = {
  rate_limit_mcp_per_minute: perMinute,
  rate_limit_mcp_per_key_per_minute: perMinute,
  rate_limit_events_per_minute: perMinute,
  rate_limit_events_per_key_per_minute: perMinute,
  rate_limit_webhooks_per_minute: perMinute,
  rate_limit_admin_per_minute: perMinute,
} as const;

/** One counter to charge: its storage key, its limit, and the policy name the headers show. */
export interface RateLimitBucket {
  key: string;
  policy: string;
  limit: number;
}

/** The buckets a request on `surface` is charged to: the tenant's, and the key's when a per-key limit is set. */
export function bucketsFor(
  surface: RateLimitSurface,
  settings: Readonly<Record<string, unknown>>,
  keyId?: string,
): RateLimitBucket[] {
  const buckets: RateLimitBucket[] = [
    { key: surface, policy: surface, limit: tenantLimitOf(surface, settings) },
  ];
  const perKey = perKeySettingOf(surface);
  const keyLimit = perKey === undefined ? undefined : settings[perKey];
  if (keyId !== undefined && perMinute.safeParse(keyLimit).success) {
    buckets.push({ key: `${surface}:key:${keyId}`, policy: `${surface}-key`, limit: keyLimit as number });
  }
  return buckets;
}

/** The tenant-wide per-minute limit of `surface`: its setting when set and valid, else the default. */
export function tenantLimitOf(
  surface: RateLimitSurface,
  settings: Readonly<Record<string, unknown>>,
): number {
  const name = surface === "event_runs" ? "max_event_runs_per_minute" : `rate_limit_${surface}_per_minute`;
  const value = settings[name];
  // built once (issue 16): building a zod schema per call cost more than the rest of the check
  const parsed = (surface === "event_runs" ? eventRunsPerMinute : perMinute).safeParse(value);
  return parsed.success ? parsed.data : DEFAULT_RATE_LIMITS[surface];
}

function perKeySettingOf(surface: RateLimitSurface): string | undefined {
  return surface === "mcp" || surface === "events" ? `rate_limit_${surface}_per_key_per_minute` : undefined;
}

/** A bucket's count in the window that started at `start`. */
export interface WindowCount {
  start: number;
  used: number;
}

/** The start of the window `now` falls in. */
export function windowStartOf(now: number): number {
  return Math.floor(now / RATE_LIMIT_WINDOW_MS) * RATE_LIMIT_WINDOW_MS;
}

/**
 * The count to use at `now`: the stored one while its window lasts, else a fresh window. A stored
 * window newer than `now`'s is kept too: requests queued at a Durable Object may carry a clock
 * reading a little older than one already handled, and going back to the older window would
 * start a fresh count and overwrite the newer one.
 */
export function currentWindow(stored: WindowCount | undefined, now: number): WindowCount {
  const start = windowStartOf(now);
  return stored !== undefined && stored.start >= start ? stored : { start, used: 0 };
}

/** The verdict for `cost` units against `buckets` whose current counts are `counts` (same order). */
export function judge(
  buckets: readonly RateLimitBucket[],
  counts: readonly WindowCount[],
  cost: number,
  now: number,
): RateLimitVerdict {
  const windowStart = Math.max(windowStartOf(now), ...counts.map((count) => count.start));
  const resetMs = Math.max(0, windowStart + RATE_LIMIT_WINDOW_MS - now);
  const fits = buckets.map((bucket, index) => counts[index]!.used + cost <= bucket.limit);
  const admitted = fits.every(Boolean);
  const leftAfter = (index: number) => buckets[index]!.limit - counts[index]!.used - cost;
  let chosen = admitted ? 0 : fits.indexOf(false);
  if (admitted) {
    for (let index = 1; index < buckets.length; index += 1)
      if (leftAfter(index) < leftAfter(chosen)) chosen = index;
  }
  const bucket = buckets[chosen]!;
  const used = counts[chosen]!.used + (admitted ? cost : 0);
  return {
    admitted,
    policy: bucket.policy,
    limit: bucket.limit,
    windowSeconds: RATE_LIMIT_WINDOW_MS / 1000,
    remaining: Math.max(0, bucket.limit - used),
    resetMs,
  };
}
