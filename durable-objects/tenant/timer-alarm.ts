/**
 * @module
 * The TenantDO's one alarm, serving every timer of the tenant kept as rows: schedules
 * (`next_fire_at`), pending run starts to re-drive (`next_attempt_at`), and the expiry of webhook
 * dedup rows and old events, and the retention of finished runs (`runs.expires_at`). After every change it is armed for the earliest of them; the hot
 * path (an event with runs to start) only ever moves it earlier, without a query and without an
 * `await`, so the alarm is written in the same atomic batch as the rows it serves.
 */

import { nextEventExpiry } from "./event-log.ts";
import { nextLifecycleDrainAt } from "./lifecycle-events.ts";
import { earliestStartAt } from "./pending-starts.ts";
import { nextRunExpiry } from "./run-index.ts";
import { earliestScheduleAt } from "./schedule-store.ts";
import { nextDeliveryExpiry } from "./webhook-dedup.ts";

/** The earliest time any tenant timer row is due, or null when there is none. */
export function nextTimerAlarmAt(sql: SqlStorage): number | null {
  const times = [
    earliestScheduleAt(sql),
    earliestStartAt(sql),
    nextDeliveryExpiry(sql),
    nextEventExpiry(sql),
    nextRunExpiry(sql),
    nextLifecycleDrainAt(sql),
  ];
  let earliest: number | null = null;
  for (const time of times) if (time !== null && (earliest === null || time < earliest)) earliest = time;
  return earliest;
}

export class TimerAlarm {
  readonly #storage: DurableObjectStorage;
  /** what is armed: a time, or null for nothing */
  #armedAt: number | null = null;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  /** Reads what is armed; call once, in the constructor's `blockConcurrencyWhile`. */
  async load(): Promise<void> {
    this.#armedAt = await this.#storage.getAlarm();
  }

  /**
   * Makes sure the alarm fires no later than `at`. Synchronous: called right after a transaction,
   * the alarm joins the same write batch (the DO's output gate holds the answer until both land).
   */
  ensureBy(at: number): void {
    if (this.#armedAt !== null && this.#armedAt <= at) return;
    this.#armedAt = at;
    this.#storage
      .setAlarm(at)
      .catch((error: unknown) => console.error("tenant alarm not set", String(error)));
  }

  /** Arms the alarm for the earliest due row (or clears it). Call after every change to timer rows. */
  async rearm(): Promise<void> {
    const next = nextTimerAlarmAt(this.#storage.sql);
    this.#armedAt = next;
    if (next === null) await this.#storage.deleteAlarm();
    else await this.#storage.setAlarm(next);
  }

  /** The alarm is running: nothing is armed until the handler re-arms. */
  fired(): void {
    this.#armedAt = null;
  }
}
