/**
 * @module
 * The webhook dedup window: every accepted delivery leaves a row keyed by (endpoint, dedup key,
 * derived from signed data by `verifyWebhook`) holding the answer it got. A delivery whose key
 * has a live row starts nothing and gets that same answer, so a sender's retry after a lost
 * response never starts a second run. Rows live `DEDUP_WINDOW_MS` (GitHub's, keyed on the body's
 * signature, `GITHUB_DEDUP_WINDOW_MS`); the alarm deletes expired ones.
 */
import { DEDUP_WINDOW_SECONDS } from "../../engine/events/index.ts";
import type { EventAnswer } from "./contracts.ts";

/** 4 days: covers Stripe's retries of one event for up to 3 days; signed timestamps are capped below half of it. */
export const DEDUP_WINDOW_MS = DEDUP_WINDOW_SECONDS * 1000;

/**
 * 30 days for GitHub deliveries. GitHub signs no timestamp, so this window is all that stands
 * between a captured signed body and its replay; past it, a replayed body is accepted again
 * (docs/events.md, "Replay protection", says how a workflow defends itself).
 */
export const GITHUB_DEDUP_WINDOW_MS = 30 * 24 * 3600 * 1000;

/** How long a dedup key is remembered: by its scheme prefix (`github:…`, see `verifyWebhook`). */
export function dedupWindowOf(dedupKey: string): number {
  return dedupKey.startsWith("github:") ? GITHUB_DEDUP_WINDOW_MS : DEDUP_WINDOW_MS;
}

/** The stored answer of an earlier delivery with this key, when still inside the window. */
export function findDelivery(
  sql: SqlStorage,
  endpoint: string,
  dedupKey: string,
  now: number,
): EventAnswer | null {
  const row = sql
    .exec<{ response: string }>(
      "SELECT response FROM webhook_dedup WHERE endpoint = ? AND dedup_key = ? AND expires_at > ?",
      endpoint,
      dedupKey,
      now,
    )
    .toArray()[0];
  return row === undefined ? null : (JSON.parse(row.response) as EventAnswer);
}

/** Remembers a delivery's answer for the dedup window. Call in the event's transaction. */
export function rememberDelivery(
  sql: SqlStorage,
  endpoint: string,
  dedupKey: string,
  answer: EventAnswer,
  now: number,
): void {
  sql.exec(
    `INSERT INTO webhook_dedup (endpoint, dedup_key, event_id, response, expires_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (endpoint, dedup_key) DO UPDATE SET event_id = excluded.event_id,
       response = excluded.response, expires_at = excluded.expires_at`,
    endpoint,
    dedupKey,
    answer.event_id,
    JSON.stringify(answer),
    now + dedupWindowOf(dedupKey),
  );
}

export function pruneDeliveries(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM webhook_dedup WHERE expires_at <= ?", now);
}

/** When the next dedup row expires, for the alarm. */
export function nextDeliveryExpiry(sql: SqlStorage): number | null {
  return sql.exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM webhook_dedup").one().at;
}
