/**
 * @module
 * The TenantDO's one alarm, serving every timer of the tenant kept as rows: schedules
 * (`next_fire_at`), pending run starts to re-drive (`next_attempt_at`), and the expiry of webhook
 * dedup rows and old events. After every change it is armed for the earliest of them; the hot
 * path (an event with runs to start) only ever moves it earlier, without a query.
 */
import { nextEventExpiry } from "./event-log.ts";
import { earliestStartAt } from "./pending-starts.ts";
import { earliestScheduleAt } from "./schedule-store.ts";
import { nextDeliveryExpiry } from "./webhook-dedup.ts";

/** The earliest time any tenant timer row is due, or null when there is none. */
export function nextTenantAlarmAt(sql: SqlStorage): number | null {
  const times = [
    earliestScheduleAt(sql),
    earliestStartAt(sql),
    nextDeliveryExpiry(sql),
    nextEventExpiry(sql),
  ];
  let earliest: number | null = null;
  for (const time of times) if (time !== null && (earliest === null || time < earliest)) earliest = time;
  return earliest;
}

export class TenantAlarm {
  readonly #storage: DurableObjectStorage;
  /** what is armed: a time, null for nothing, undefined until read */
  #armedAt: number | null | undefined;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  /** Makes sure the alarm fires no later than `at`. */
  async ensureBy(at: number): Promise<void> {
    this.#armedAt ??= await this.#storage.getAlarm();
    if (this.#armedAt !== null && this.#armedAt <= at) return;
    this.#armedAt = at;
    await this.#storage.setAlarm(at);
  }

  /** Arms the alarm for the earliest due row (or clears it). Call after every change to timer rows. */
  async rearm(): Promise<void> {
    const next = nextTenantAlarmAt(this.#storage.sql);
    this.#armedAt = next;
    if (next === null) await this.#storage.deleteAlarm();
    else await this.#storage.setAlarm(next);
  }

  /** The alarm is running: nothing is armed until the handler re-arms. */
  fired(): void {
    this.#armedAt = null;
  }
}
