/**
 * @module
 * Schedule rows: one per `schedule` trigger subscription, with the nominal time of the last due
 * time handled (`last_fired_at`) and when the next one is due (`next_fire_at`, jitter included).
 * The TenantDO's single alarm serves them all, earliest first. Publishing keeps a schedule's
 * `last_fired_at` when its cron and time zone are unchanged, so a new version neither fires
 * again nor treats the time before it as missed.
 */
import type { ScheduleTrigger } from "../../engine/dialect/triggers.ts";
import {
  type CatchupPolicy,
  DEFAULT_MAX_CATCHUP,
  dueFires,
  type ScheduleSpec,
  type Subscription,
} from "../../engine/events/index.ts";
import type { ScheduleRecord } from "./contracts.ts";

interface ScheduleRow extends Record<string, SqlStorageValue> {
  id: string;
  cron: string;
  timezone: string;
  jitter_seconds: number;
  catchup: string;
  max_catchup: number;
  last_fired_at: number;
  next_fire_at: number | null;
}

/** The dialect's `catchup` as a policy: absent or `true` → latest, `false` → none. */
export function catchupPolicyOf(catchup: ScheduleTrigger["catchup"]): CatchupPolicy {
  if (catchup === undefined || catchup === true) return "latest";
  if (catchup === false) return "none";
  return catchup;
}

/**
 * Brings the schedule rows in line with the tenant's schedule subscriptions (all of them, every
 * workflow): adds new ones starting at `now`, keeps the history of unchanged ones, deletes rows
 * whose subscription is gone. Call inside a transaction.
 */
export function syncSchedules(sql: SqlStorage, subscriptions: readonly Subscription[], now: number): void {
  const existing = new Map(readRows(sql).map((row) => [row.id, row]));
  const wanted = new Set<string>();
  for (const subscription of subscriptions) {
    const trigger = subscription.trigger;
    if (trigger?.type !== "schedule" || subscription.enabled === false) continue;
    wanted.add(subscription.id);
    const spec = specOf(subscription.id, trigger);
    const before = existing.get(subscription.id);
    const unchanged =
      before !== undefined && before.cron === spec.cron && before.timezone === (spec.timezone ?? "UTC");
    const lastFiredAt = unchanged ? before.last_fired_at : now;
    const next = dueFires(spec, { lastFiredAt, now: lastFiredAt }).nextFireAt ?? null;
    sql.exec(
      `INSERT INTO schedules (id, cron, timezone, jitter_seconds, catchup, max_catchup, last_fired_at, next_fire_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone,
         jitter_seconds = excluded.jitter_seconds, catchup = excluded.catchup,
         max_catchup = excluded.max_catchup, last_fired_at = excluded.last_fired_at,
         next_fire_at = excluded.next_fire_at`,
      spec.id,
      spec.cron,
      spec.timezone ?? "UTC",
      spec.jitterSeconds ?? 0,
      catchupPolicyOf(trigger.catchup),
      trigger.max_catchup ?? DEFAULT_MAX_CATCHUP,
      lastFiredAt,
      next,
    );
  }
  for (const id of existing.keys()) {
    if (!wanted.has(id)) sql.exec("DELETE FROM schedules WHERE id = ?", id);
  }
}

/** Schedules due at `now`, earliest first. */
export function dueSchedules(sql: SqlStorage, now: number): ScheduleRecord[] {
  return sql
    .exec<ScheduleRow>(
      "SELECT * FROM schedules WHERE next_fire_at IS NOT NULL AND next_fire_at <= ? ORDER BY next_fire_at",
      now,
    )
    .toArray()
    .map(toRecord);
}

export function listSchedules(sql: SqlStorage): ScheduleRecord[] {
  return readRows(sql).map(toRecord);
}

/** Records that due times up to `lastFiredAt` are handled and when the next one is due. */
export function advanceSchedule(
  sql: SqlStorage,
  id: string,
  lastFiredAt: number,
  nextFireAt: number | undefined,
): void {
  sql.exec(
    "UPDATE schedules SET last_fired_at = ?, next_fire_at = ? WHERE id = ?",
    lastFiredAt,
    nextFireAt ?? null,
    id,
  );
}

/** The earliest `next_fire_at`, for the alarm. */
export function earliestScheduleAt(sql: SqlStorage): number | null {
  return sql.exec<{ at: number | null }>("SELECT MIN(next_fire_at) AS at FROM schedules").one().at;
}

function specOf(id: string, trigger: ScheduleTrigger): ScheduleSpec {
  const spec: ScheduleSpec = { id, cron: trigger.cron };
  if (trigger.timezone !== undefined) spec.timezone = trigger.timezone;
  if (trigger.jitter !== undefined) spec.jitterSeconds = trigger.jitter;
  return spec;
}

function readRows(sql: SqlStorage): ScheduleRow[] {
  return sql.exec<ScheduleRow>("SELECT * FROM schedules ORDER BY id").toArray();
}

function toRecord(row: ScheduleRow): ScheduleRecord {
  const spec: ScheduleSpec = { id: row.id, cron: row.cron, timezone: row.timezone };
  if (row.jitter_seconds > 0) spec.jitterSeconds = row.jitter_seconds;
  return {
    id: row.id,
    spec,
    catchup: row.catchup as CatchupPolicy,
    maxCatchup: row.max_catchup,
    lastFiredAt: row.last_fired_at,
    nextFireAt: row.next_fire_at,
  };
}
