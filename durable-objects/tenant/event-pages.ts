/**
 * @module
 * Reading the event log in pages bounded by count and by bytes. The log rows (never the bodies)
 * of up to `limit` events are read newest first from a position; their sizes, plus the stored
 * body of each when bodies are asked for, fill a byte budget; the page ends before the event
 * that would overflow it. The first event always goes in, so paging always moves on; when its
 * record and log entries alone are over the budget (one entry per subscription that wanted it),
 * its entries are cut to fit and `matchesTruncated` says how many were left out (its body, at
 * most `MAX_EVENT_BODY_BYTES`, may still come on top when bodies are asked for). Then, and only
 * for the events of the page, the bodies are read. `next` is the position to go on from; absent
 * when nothing is left.
 */

import { type EventPage, type EventQuery, type LoggedEvent, MAX_PAGE_BYTES } from "./contracts.ts";
import { readEventBodies } from "./event-bodies.ts";
import { EVENT_COLUMNS, type EventRow, eventRecordOf, type LogRow, logEntryOf } from "./event-log.ts";

/** One page of events matching the query, newest first, each with its log entries. */
export function queryEventPage(sql: SqlStorage, query: EventQuery): EventPage {
  const rows = matchingRows(sql, query);
  const more = rows.length > query.limit;
  const candidates = more ? rows.slice(0, query.limit) : rows;
  const entries = logEntriesOf(sql, candidates);
  const budget = Math.min(query.maxBytes ?? MAX_PAGE_BYTES, MAX_PAGE_BYTES);
  const events: LoggedEvent[] = [];
  let bytes = 0;
  for (const row of candidates) {
    let logged: LoggedEvent = { record: eventRecordOf(row), entries: entries.get(row.id) ?? [] };
    let size = JSON.stringify(logged).length + (query.withBodies === true ? row.body_bytes : 0);
    if (events.length > 0 && bytes + size > budget) break;
    if (JSON.stringify(logged).length > budget) {
      logged = withEntriesCut(logged, budget);
      size = JSON.stringify(logged).length;
    }
    events.push(logged);
    bytes += size;
  }
  if (query.withBodies === true) {
    const bodies = readEventBodies(
      sql,
      events.map((event) => event.record.id),
    );
    for (const event of events) {
      const body = bodies.get(event.record.id);
      if (body !== undefined) event.record.event = body;
    }
  }
  const last = events.at(-1);
  const page: EventPage = { events };
  if (last !== undefined && (more || events.length < candidates.length)) {
    page.next = { receivedAt: last.record.receivedAt, id: last.record.id };
  }
  return page;
}

/** The event with as many of its first log entries as fit in `budget` (its record included). */
function withEntriesCut(logged: LoggedEvent, budget: number): LoggedEvent {
  const all = logged.entries;
  // the marker's own digits are counted with the record
  let bytes = JSON.stringify({ ...logged, entries: [], matchesTruncated: all.length }).length;
  const kept: LoggedEvent["entries"] = [];
  for (const entry of all) {
    const size = JSON.stringify(entry).length + 1;
    if (bytes + size > budget) break;
    kept.push(entry);
    bytes += size;
  }
  return { ...logged, entries: kept, matchesTruncated: all.length - kept.length };
}

/** Up to `limit + 1` rows (one more tells whether another page follows). */
function matchingRows(sql: SqlStorage, query: EventQuery): EventRow[] {
  const where: string[] = [];
  const params: SqlStorageValue[] = [];
  const add = (clause: string, ...values: (SqlStorageValue | undefined)[]) => {
    if (values.some((value) => value === undefined)) return;
    where.push(clause);
    params.push(...(values as SqlStorageValue[]));
  };
  add("e.id = ?", query.eventId);
  add("e.type = ?", query.type);
  add("e.status = ?", query.status);
  add("e.received_at >= ?", query.since);
  add("e.received_at < ?", query.before);
  add(
    "(e.received_at < ? OR (e.received_at = ? AND e.id < ?))",
    query.after?.receivedAt,
    query.after?.receivedAt,
    query.after?.id,
  );
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
  const columns = EVENT_COLUMNS.split(", ")
    .map((column) => `e.${column}`)
    .join(", ");
  return sql
    .exec<EventRow>(
      `SELECT ${columns} FROM events e ${where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`}
       ORDER BY e.received_at DESC, e.id DESC LIMIT ?`,
      ...params,
      query.limit + 1,
    )
    .toArray();
}

function logEntriesOf(sql: SqlStorage, rows: readonly EventRow[]): Map<string, LoggedEvent["entries"]> {
  const byEvent = new Map<string, LoggedEvent["entries"]>();
  if (rows.length === 0) return byEvent;
  const logRows = sql.exec<LogRow>(
    "SELECT * FROM event_log WHERE event_id IN (SELECT value FROM json_each(?)) ORDER BY event_id, position",
    JSON.stringify(rows.map((row) => row.id)),
  );
  for (const row of logRows) {
    const list = byEvent.get(row.event_id) ?? [];
    list.push(logEntryOf(row));
    byEvent.set(row.event_id, list);
  }
  return byEvent;
}
