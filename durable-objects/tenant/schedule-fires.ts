/**
 * @module
 * What the TenantDO's alarm does for schedules: for every schedule due at `now`, `dueFires`
 * (pure: the same stored `last_fired_at` always gives the same fires) under the schedule's
 * catch-up policy; each fire becomes a `schedule` event with the id `schedule:<key>`, is matched
 * against its subscription, and is stored with its pending starts, the skipped count and the
 * schedule's new `last_fired_at`/`next_fire_at`, all in one transaction. A retried alarm, or one
 * after an eviction, finds the events already stored (or the schedule already advanced) and
 * fires nothing twice.
 */
import {
  dueFires,
  type MatchBudget,
  matchEvent,
  type Subscription,
  scheduleEvent,
} from "../../engine/events/index.ts";
import type { Evaluator } from "../../engine/expressions/evaluator.ts";
import type { ScheduleRecord } from "./contracts.ts";
import { type IntakeStorage, recordEvent } from "./event-intake.ts";
import { insertEvent } from "./event-log.ts";
import type { PendingStart } from "./pending-starts.ts";
import { advanceSchedule, dueSchedules } from "./schedule-store.ts";

export interface ScheduleFireContext {
  storage: IntakeStorage;
  subscription: (id: string) => Subscription | undefined;
  evaluator: Evaluator;
  /** the alarm's work budget for filters and mappings, shared by every fire */
  budget: MatchBudget;
  allowRun: () => boolean;
  /** counts each fire taken in and how late it was (tenant-metrics.ts), in the fire's transaction */
  onFired?: (latenessSeconds: number) => void;
}

/** Fires every due schedule; returns the runs to start. */
export function fireDueSchedules(context: ScheduleFireContext, now: number): PendingStart[] {
  const starts: PendingStart[] = [];
  for (const schedule of dueSchedules(context.storage.sql, now)) {
    try {
      starts.push(...fireSchedule(context, schedule, now));
    } catch (error) {
      console.error(`schedule ${schedule.id}: not fired`, String(error));
      context.storage.transactionSync(() =>
        advanceSchedule(context.storage.sql, schedule.id, schedule.lastFiredAt, undefined),
      );
    }
  }
  return starts;
}

function fireSchedule(context: ScheduleFireContext, schedule: ScheduleRecord, now: number): PendingStart[] {
  const { storage } = context;
  const subscription = context.subscription(schedule.id);
  if (subscription === undefined) {
    storage.transactionSync(() => advanceSchedule(storage.sql, schedule.id, schedule.lastFiredAt, undefined));
    return [];
  }
  const due = dueFires(schedule.spec, {
    lastFiredAt: schedule.lastFiredAt,
    now,
    catchup: schedule.catchup,
    maxCatchup: schedule.maxCatchup,
  });
  const matched = due.fires.map((fire) => {
    const event = scheduleEvent(fire, schedule.spec, now);
    return { event, matches: matchEvent(event, [subscription], context.evaluator, context.budget) };
  });
  return storage.transactionSync(() => {
    const starts: PendingStart[] = [];
    for (const [index, { event, matches }] of matched.entries()) {
      const recorded = recordEvent(storage, { event, matches, now, allowRun: context.allowRun });
      starts.push(...recorded.starts);
      const fire = due.fires[index];
      if (recorded.stored && fire !== undefined) context.onFired?.(Math.max(0, now - fire.fireAt) / 1000);
    }
    if (due.skipped.count > 0) {
      const latest = new Date(due.skipped.latest ?? now).toISOString();
      insertEvent(storage.sql, {
        id: `schedule:${schedule.id}@skipped@${latest}`,
        type: "schedule",
        source: schedule.id,
        receivedAt: now,
        status: "skipped",
        detail: {
          catchup: schedule.catchup,
          count: due.skipped.count,
          count_is_lower_bound: due.skipped.countIsLowerBound,
          earliest: new Date(due.skipped.earliest ?? now).toISOString(),
          latest,
        },
      });
    }
    advanceSchedule(storage.sql, schedule.id, due.lastFiredAt, due.nextFireAt);
    return starts;
  });
}
