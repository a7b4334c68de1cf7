/**
 * @module
 * The tenant's event log: every event received (`events`, the event itself as JSON) and, per
 * subscription that wanted it, what came of it (`event_log`): the run it started, or why none.
 * Rejected webhook deliveries are logged too (without their unverified body). Rows are kept for
 * `EVENT_RETENTION_MS` and at most `MAX_STORED_EVENTS` events; the alarm prunes the rest.
 */

import type { ErrorShape } from "../../engine/errors.ts";
import type { TriggerEvent } from "../../engine/events/index.ts";

/** What became of one subscription's interest in an event. */
export const MATCH_OUTCOMES = [
  "pending",
  "started",
  "start_failed",
  "filtered_out",
  "filter_error",
  "mapping_error",
  "rate_limited",
] as const;
export type MatchOutcome = (typeof MATCH_OUTCOMES)[number];

/** `accepted`: stored and matched; `rejected`: a webhook delivery that failed verification; `skipped`: schedule fires the catch-up policy dropped. */
export const EVENT_STATUSES = ["accepted", "rejected", "skipped"] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const EVENT_RETENTION_MS = 7 * 24 * 3600 * 1000;
export const MAX_STORED_EVENTS = 20_000;

export interface LogEntry {
  position: number;
  subscriptionId: string;
  workflow: string;
  outcome: MatchOutcome;
  runId?: string;
  error?: ErrorShape;
}

export interface EventRecord {
  id: string;
  type: string;
  source: string;
  receivedAt: number;
  status: EventStatus;
  event?: TriggerEvent;
  error?: ErrorShape;
  detail?: Record<string, unknown>;
}

/** The answer to the sender of an accepted event: its id and the runs it starts. */
export interface EventAnswer {
  event_id: string;
  runs: string[];
}

interface EventRow extends Record<string, SqlStorageValue> {
  id: string;
  type: string;
  source: string;
  received_at: number;
  status: string;
  event: string | null;
  error: string | null;
  detail: string | null;
}

interface LogRow extends Record<string, SqlStorageValue> {
  event_id: string;
  position: number;
  subscription_id: string;
  workflow: string;
  outcome: string;
  run_id: string | null;
  started_at: number | null;
  error: string | null;
}

/** Stores an event; false when one with its id exists already (a retried schedule fire or a re-sent event). */
export function insertEvent(sql: SqlStorage, record: EventRecord): boolean {
  const cursor = sql.exec(
    `INSERT INTO events (id, type, source, received_at, status, event, error, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    record.id,
    record.type,
    record.source,
    record.receivedAt,
    record.status,
    record.event === undefined ? null : JSON.stringify(record.event),
    record.error === undefined ? null : JSON.stringify(record.error),
    record.detail === undefined ? null : JSON.stringify(record.detail),
  );
  return cursor.rowsWritten > 0;
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
      entry.error === undefined ? null : JSON.stringify(entry.error),
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
      JSON.stringify(result.error),
      eventId,
      position,
    );
  }
}

export function hasEvent(sql: SqlStorage, id: string): boolean {
  return sql.exec("SELECT 1 FROM events WHERE id = ?", id).toArray().length > 0;
}

export function readEvent(sql: SqlStorage, id: string): EventRecord | null {
  const row = sql.exec<EventRow>("SELECT * FROM events WHERE id = ?", id).toArray()[0];
  return row === undefined ? null : toRecord(row);
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

export interface EventQuery {
  eventId?: string;
  type?: string;
  status?: EventStatus;
  workflow?: string;
  outcome?: MatchOutcome;
  /** received at or after (ms) */
  since?: number;
  /** received strictly before (ms), to page back */
  before?: number;
  limit: number;
}

export interface LoggedEvent {
  record: EventRecord;
  entries: (LogEntry & { startedAt?: number })[];
}

/** Events matching the query, newest first, each with its log entries. */
export function queryEvents(sql: SqlStorage, query: EventQuery): LoggedEvent[] {
  const where: string[] = [];
  const params: SqlStorageValue[] = [];
  const add = (clause: string, value: SqlStorageValue | undefined) => {
    if (value === undefined) return;
    where.push(clause);
    params.push(value);
  };
  add("e.id = ?", query.eventId);
  add("e.type = ?", query.type);
  add("e.status = ?", query.status);
  add("e.received_at >= ?", query.since);
  add("e.received_at < ?", query.before);
  if (query.workflow !== undefined || query.outcome !== undefined) {
    const inner: string[] = ["l.event_id = e.id"];
    if (query.workflow !== undefined) {
      inner.push("l.workflow = ?");
      params.push(query.workflow);
    }
    if (query.outcome !== undefined) {
      inner.push("l.outcome = ?");
      params.push(query.outcome);
    }
    where.push(`EXISTS (SELECT 1 FROM event_log l WHERE ${inner.join(" AND ")})`);
  }
  const rows = sql
    .exec<EventRow>(
      `SELECT * FROM events e ${where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`}
       ORDER BY e.received_at DESC, e.id DESC LIMIT ?`,
      ...params,
      query.limit,
    )
    .toArray();
  if (rows.length === 0) return [];
  const logRows = sql
    .exec<LogRow>(
      "SELECT * FROM event_log WHERE event_id IN (SELECT value FROM json_each(?)) ORDER BY event_id, position",
      JSON.stringify(rows.map((row) => row.id)),
    )
    .toArray();
  const byEvent = new Map<string, LoggedEvent["entries"]>();
  for (const row of logRows) {
    const list = byEvent.get(row.event_id) ?? [];
    list.push(toEntry(row));
    byEvent.set(row.event_id, list);
  }
  return rows.map((row) => ({ record: toRecord(row), entries: byEvent.get(row.id) ?? [] }));
}

/**
 * Deletes events received before `olderThan` and, beyond the newest `keep`, older ones too, with
 * their log rows. Events whose runs are still waiting to start are kept.
 */
export function pruneEvents(sql: SqlStorage, olderThan: number, keep = MAX_STORED_EVENTS): void {
  const nth = sql
    .exec<{ received_at: number }>(
      "SELECT received_at FROM events ORDER BY received_at DESC LIMIT 1 OFFSET ?",
      keep,
    )
    .toArray()[0];
  const cutoff = nth === undefined ? olderThan : Math.max(olderThan, nth.received_at + 1);
  const doomed =
    "SELECT id FROM events WHERE received_at < ? AND id NOT IN (SELECT event_id FROM pending_starts)";
  sql.exec(`DELETE FROM event_log WHERE event_id IN (${doomed})`, cutoff);
  sql.exec(`DELETE FROM events WHERE id IN (${doomed})`, cutoff);
}

/** When the oldest stored event falls out of retention, for the alarm. */
export function nextEventExpiry(sql: SqlStorage): number | null {
  const oldest = sql.exec<{ at: number | null }>("SELECT MIN(received_at) AS at FROM events").one().at;
  return oldest === null ? null : oldest + EVENT_RETENTION_MS;
}

function toRecord(row: EventRow): EventRecord {
  const record: EventRecord = {
    id: row.id,
    type: row.type,
    source: row.source,
    receivedAt: row.received_at,
    status: row.status as EventStatus,
  };
  if (row.event !== null) record.event = JSON.parse(row.event) as TriggerEvent;
  if (row.error !== null) record.error = JSON.parse(row.error) as ErrorShape;
  if (row.detail !== null) record.detail = JSON.parse(row.detail) as Record<string, unknown>;
  return record;
}

function toEntry(row: LogRow): LogEntry & { startedAt?: number } {
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
