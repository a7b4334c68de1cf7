/**
 * @module
 * What the tenant alarm does for events when it fires: fire the schedules that are due, re-drive
 * pending run starts whose retry time has come, prune expired dedup rows and old events, keep
 * the stored bodies within budget, start the runs, and re-arm for the earliest remaining timer
 * row (`timer-alarm.ts`). Expired runs are deleted before this, by the TenantDO.
 */
import { MatchBudget } from "../../engine/events/index.ts";
import type { LazyEvaluator } from "../run/lazy-evaluator.ts";
import { EVENT_RETENTION_MS, pruneEvents } from "./event-log.ts";
import type { IntakeLimits } from "./intake-limits.ts";
import { dueStarts } from "./pending-starts.ts";
import type { RunStarter } from "./run-starter.ts";
import { fireDueSchedules } from "./schedule-fires.ts";
import type { SubscriptionRegistry } from "./subscription-registry.ts";
import type { TenantMetrics } from "./tenant-metrics.ts";
import type { TimerAlarm } from "./timer-alarm.ts";
import { pruneDeliveries } from "./webhook-dedup.ts";

export interface DueTimerParts {
  storage: DurableObjectStorage;
  evaluator: LazyEvaluator;
  subscriptions: SubscriptionRegistry;
  limits: IntakeLimits;
  alarm: TimerAlarm;
  starter: RunStarter;
  metrics?: TenantMetrics;
}

/** Runs every event timer due at `now` (the alarm's time), then re-arms the alarm. */
export async function runDueTimers(parts: DueTimerParts, tenant: string, now: number): Promise<void> {
  const { storage, subscriptions, limits, alarm, starter } = parts;
  const sql = storage.sql;
  alarm.fired();
  const evaluator = await parts.evaluator.get();
  const byId = new Map(subscriptions.all().map((subscription) => [subscription.id, subscription]));
  const starts = fireDueSchedules(
    {
      storage,
      subscription: (id) => byId.get(id),
      evaluator,
      budget: new MatchBudget(evaluator),
      allowRun: limits.allowRun(now),
      onFired: (lateness) => parts.metrics?.scheduleFired(lateness),
    },
    now,
  );
  starts.push(...dueStarts(sql, now).filter((due) => !starts.some((s) => s.runId === due.runId)));
  storage.transactionSync(() => {
    pruneDeliveries(sql, now);
    pruneEvents(sql, now - EVENT_RETENTION_MS);
  });
  limits.trimBodies(now);
  await starter.startAll(tenant, starts);
  starter.flush();
  await alarm.rearm();
}
