/**
 * @module
 * Event bodies: the stored `TriggerEvent` of each accepted event (its payload, webhook headers
 * and envelope) lives in `event_bodies`, apart from the event log's rows, so listing the log
 * never reads a payload. Two bounds, both explicit:
 * - one body is at most `MAX_EVENT_BODY_BYTES` of JSON; a larger one is refused with 413
 *   `events.too_large` inside the intake transaction, so nothing of it is stored;
 * - a tenant's bodies together are at most its budget (setting `max_event_payload_bytes`,
 *   default `DEFAULT_EVENT_BODY_BUDGET_BYTES`). Past it, the oldest bodies are deleted and their
 *   events marked `body_pruned_at`: the event, its matches and its runs stay in the log, only
 *   the payload copy goes. A body a pending start still needs (to re-drive its run) is kept.
 * The total is kept in `event_body_usage` by SQLite triggers (migration 3), so checking the
 * budget costs one row read.
 */
import { EngineError } from "../../engine/errors.ts";
import type { TriggerEvent } from "../../engine/events/index.ts";
import { settingOf } from "./run-limits.ts";

/** The largest stored event: 1.5 MiB of JSON (the 1 MiB request limit applies first; a body that grows when parsed, such as a form, can reach this). */
export const MAX_EVENT_BODY_BYTES = 1.5 * 1024 * 1024;

/** Stored payload bytes per tenant when the setting `max_event_payload_bytes` is unset: 64 MiB. */
export const DEFAULT_EVENT_BODY_BUDGET_BYTES = 64 * 1024 * 1024;

export const EVENT_TOO_LARGE_CODE = "events.too_large";

export interface SerializedBody {
  json: string;
  bytes: number;
}

const encoder = new TextEncoder();

/** The event as stored, with its size in UTF-8 bytes; `events.too_large` past the per-event cap. */
export function serializeEventBody(event: TriggerEvent): SerializedBody {
  const json = JSON.stringify(event);
  const bytes = encoder.encode(json).length;
  if (bytes > MAX_EVENT_BODY_BYTES) {
    throw new EngineError(
      EVENT_TOO_LARGE_CODE,
      `The event takes ${bytes} bytes stored (payload and headers), over the limit of ${MAX_EVENT_BODY_BYTES}; send a smaller payload, or a reference (a URL, an R2 key) to the data.`,
    );
  }
  return { json, bytes };
}

export function insertEventBody(
  sql: SqlStorage,
  eventId: string,
  receivedAt: number,
  body: SerializedBody,
): void {
  sql.exec(
    "INSERT INTO event_bodies (event_id, received_at, bytes, body) VALUES (?, ?, ?, ?)",
    eventId,
    receivedAt,
    body.bytes,
    body.json,
  );
}

/** The stored events of `ids` that still have their body. */
export function readEventBodies(sql: SqlStorage, ids: readonly string[]): Map<string, TriggerEvent> {
  const bodies = new Map<string, TriggerEvent>();
  if (ids.length === 0) return bodies;
  const rows = sql.exec<{ event_id: string; body: string }>(
    "SELECT event_id, body FROM event_bodies WHERE event_id IN (SELECT value FROM json_each(?))",
    JSON.stringify(ids),
  );
  for (const row of rows) bodies.set(row.event_id, JSON.parse(row.body) as TriggerEvent);
  return bodies;
}

/** Bytes of all stored bodies of the tenant. */
export function storedBodyBytes(sql: SqlStorage): number {
  return sql.exec<{ bytes: number }>("SELECT bytes FROM event_body_usage WHERE id = 1").one().bytes;
}

/**
 * Deletes the oldest bodies until the total is within `budget`, marking their events pruned at
 * `now`; bodies of events with pending starts are kept. Returns how many were deleted.
 */
export function trimEventBodies(sql: SqlStorage, budget: number, now: number): number {
  let excess = storedBodyBytes(sql) - budget;
  if (excess <= 0) return 0;
  const doomed: string[] = [];
  const oldest = sql.exec<{ event_id: string; bytes: number }>(
    `SELECT event_id, bytes FROM event_bodies
     WHERE event_id NOT IN (SELECT event_id FROM pending_starts)
     ORDER BY received_at, event_id`,
  );
  for (const row of oldest) {
    doomed.push(row.event_id);
    excess -= row.bytes;
    if (excess <= 0) break;
  }
  const ids = JSON.stringify(doomed);
  sql.exec("DELETE FROM event_bodies WHERE event_id IN (SELECT value FROM json_each(?))", ids);
  sql.exec("UPDATE events SET body_pruned_at = ? WHERE id IN (SELECT value FROM json_each(?))", now, ids);
  return doomed.length;
}

/** The tenant's budget from its settings, or the default. */
export function eventBodyBudgetOf(settings: Readonly<Record<string, unknown>>): number {
  return settingOf(settings, "max_event_payload_bytes", DEFAULT_EVENT_BODY_BUDGET_BYTES);
}
