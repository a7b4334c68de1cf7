/**
 * @module
 * The tenant's event log: every event received (`events`, the event itself as JSON) and, per
 * subscription that wanted it, what came of it (`event_log`): the run it started, or why none.
 * Rejected webhook deliveries are logged too (without their unverified body). Rows are kept for
 * `EVENT_RETENTION_MS` and at most `MAX_STORED_EVENTS` events; the alarm prunes the rest. The
 * event itself (payload, headers) is stored apart, in `event-bodies.ts`; reading the log in
 * pages is `event-pages.ts`.
 */

import type { ErrorShape } from "../../engine/errors.ts";
import type { EventAnswer, EventRecord, EventStatus, LogEntry, MatchOutcome } from "./contracts.ts";
import { insertEventBody, readEventBodies, serializeEventBody } from "./event-bodies.ts";

export const EVENT_RETENTION_MS = 7 * 24 * 3600 * 1000;
export const MAX_STORED_EVENTS = 20_000;
/**
 * Rejected webhook deliveries kept, apart from `MAX_STORED_EVENTS`: anyone can send a delivery
 * with a bad signature, so these rows are capped on their own and never push accepted events out.
 */
export const MAX_STORED_REJECTIONS = 1_000;

/** The columns of `events` the log reads: never `event` (empty since migration 3). */
export const EVENT_COLUMNS =
  "id, type, source, received_at, status, error, detail, body_bytes, body_pruned_at";

export interface EventRow extends Record<string, SqlStorageValue> {
  id: string;
  type: string;
  source: string;
  received_at: number;
  status: string;
  error: string | null;
  detail: string | null;
  body_bytes: number;
  body_pruned_at: number | null;
}

export interface LogRow extends Record<string, SqlStorageValue> {
  event_id: string;
  position: number;
  subscription_id: string;
  workflow: string;
  outcome: string;
  run_id: string | null;
  started_at: number | null;
  error: string | null;
}

/**
 * Stores an event, its body apart; false when one with its id exists already (a retried
 * schedule fire or a re-sent event). Throws `events.too_large` for a body over the per-event cap:
 * call it in a transaction, so nothing is left behind.
 */
export function insertEvent(sql: SqlStorage, record: EventRecord): boolean {
  const body = record.event === undefined ? undefined : serializeEventBody(record.event);
  const cursor = sql.exec(
    `INSERT INTO events (id, type, source, received_at, status, event, error, detail, body_bytes)
     VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    record.id,
    record.type,
    record.source,
    record.receivedAt,
    record.status,
    record.error === undefined ? null : JSON.stringify(record.error),
    record.detail === undefined ? null : JSON.stringify(record.detail),
    body?.bytes ?? 0,
  );
  if (cursor.rowsWritten === 0) return false;
  if (body !== undefined) insertEventBody(sql, record.id, record.receivedAt, body);
  return true;
}

/**
 * The longest error message a log entry keeps (characters). A filter can throw any string, and
 * one event may have a log entry per trigger, so the stored error is cut (with a marker).
 */
export const MAX_LOG_ERROR_CHARS = 512;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters cut)`;
}

/** The error as a log entry stores it: code, message and path cut to their bounds. */
export function storedLogError(error: ErrorShape): string {
  const stored: ErrorShape = {
    code: error.code,
    message: cut(String(error.message), MAX_LOG_ERROR_CHARS),
  };
  if (error.path !== undefined) stored.path = cut(String(error.path), 256);
  if (typeof error.line === "number") stored.line = error.line;
  if (typeof error.column === "number") stored.column = error.column;
  return JSON.stringify(stored);
}

export function insertLogEntries(sql: SqlStorage, eventId: string, entries: readonly LogEntry[]): void {
  for (const entry of entries) {
    sql.exec(
      `INSERT INTO event_log (event_id, position, subscription_id, workflow, outcome, run_id, started_at, error)
       VALUES (?, ?, ?, ?, ?, ?, NULL, ?)`,
      eventId,
      entry.position,
      entry.subscriptionId,
      entry.workflow,
      entry.outcome,
      entry.runId ?? null,
      entry.error === undefined ? null : storedLogError(entry.error),
    );
  }
}

/** Records the end of a pending start: `started` (with the run's own start time) or `start_failed`. */
export function settleLogEntry(
  sql: SqlStorage,
  eventId: string,
  position: number,
  result: { startedAt: number } | { error: ErrorShape },
): void {
  if ("startedAt" in result) {
    sql.exec(
      "UPDATE event_log SET outcome = 'started', started_at = ? WHERE event_id = ? AND position = ?",
      result.startedAt,
      eventId,
      position,
    );
  } else {
    sql.exec(
      "UPDATE event_log SET outcome = 'start_failed', error = ? WHERE event_id = ? AND position = ?",
      storedLogError(result.error),
      eventId,
      position,
    );
  }
}

export function hasEvent(sql: SqlStorage, id: string): boolean {
  return sql.exec("SELECT 1 FROM events WHERE id = ?", id).toArray().length > 0;
}

/** One event with its body (when still stored). */
export function readEvent(sql: SqlStorage, id: string): EventRecord | null {
  const row = sql.exec<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`, id).toArray()[0];
  if (row === undefined) return null;
  const record = eventRecordOf(row);
  const event = readEventBodies(sql, [id]).get(id);
  if (event !== undefined) record.event = event;
  return record;
}

/** `{event_id, runs}` of a stored event, rebuilt from its log (runs in subscription order). */
export function eventAnswerOf(sql: SqlStorage, eventId: string): EventAnswer {
  const runs = sql
    .exec<{ run_id: string }>(
      "SELECT run_id FROM event_log WHERE event_id = ? AND run_id IS NOT NULL ORDER BY position",
      eventId,
    )
    .toArray()
    .map((row) => row.run_id);
  return { event_id: eventId, runs };
}

/**
 * Deletes events received before `olderThan` and, beyond the newest `keep` (not counting
 * rejected deliveries), older ones too, with their log rows. Events whose runs are still waiting
 * to start are kept. Rejected deliveries are held to their own cap (`pruneRejections`).
 */
export function pruneEvents(sql: SqlStorage, olderThan: number, keep = MAX_STORED_EVENTS): void {
  const nth = sql
    .exec<{ received_at: number }>(
      "SELECT received_at FROM events WHERE status != 'rejected' ORDER BY received_at DESC LIMIT 1 OFFSET ?",
      keep,
    )
    .toArray()[0];
  const cutoff = nth === undefined ? olderThan : Math.max(olderThan, nth.received_at + 1);
  const doomed = `SELECT id FROM events WHERE received_at < ? AND status != 'rejected'
     AND id NOT IN (SELECT event_id FROM pending_starts)`;
  sql.exec(`DELETE FROM event_log WHERE event_id IN (${doomed})`, cutoff);
  sql.exec(`DELETE FROM event_bodies WHERE event_id IN (${doomed})`, cutoff);
  sql.exec(`DELETE FROM events WHERE id IN (${doomed})`, cutoff);
  sql.exec("DELETE FROM events WHERE status = 'rejected' AND received_at < ?", olderThan);
  pruneRejections(sql);
}

/** Keeps the newest `keep` rejected deliveries (they have no log rows and no bodies). */
export function pruneRejections(sql: SqlStorage, keep = MAX_STORED_REJECTIONS): void {
  sql.exec(
    `DELETE FROM events WHERE id IN (SELECT id FROM events WHERE status = 'rejected'
       ORDER BY received_at DESC, id DESC LIMIT -1 OFFSET ?)`,
    keep,
  );
}

/** When the oldest stored event falls out of retention, for the alarm. */
export function nextEventExpiry(sql: SqlStorage): number | null {
  const oldest = sql.exec<{ at: number | null }>("SELECT MIN(received_at) AS at FROM events").one().at;
  return oldest === null ? null : oldest + EVENT_RETENTION_MS;
}

export function eventRecordOf(row: EventRow): EventRecord {
  const record: EventRecord = {
    id: row.id,
    type: row.type,
    source: row.source,
    receivedAt: row.received_at,
    status: row.status as EventStatus,
    bodyBytes: row.body_bytes,
  };
  if (row.body_pruned_at !== null) record.bodyPrunedAt = row.body_pruned_at;
  if (row.error !== null) record.error = JSON.parse(row.error) as ErrorShape;
  if (row.detail !== null) record.detail = JSON.parse(row.detail) as Record<string, unknown>;
  return record;
}

export function logEntryOf(row: LogRow): LogEntry & { startedAt?: number } {
  const entry: LogEntry & { startedAt?: number } = {
    position: row.position,
    subscriptionId: row.subscription_id,
    workflow: row.workflow,
    outcome: row.outcome as MatchOutcome,
  };
  if (row.run_id !== null) entry.runId = row.run_id;
  if (row.started_at !== null) entry.startedAt = row.started_at;
  if (row.error !== null) entry.error = JSON.parse(row.error) as ErrorShape;
  return entry;
}
