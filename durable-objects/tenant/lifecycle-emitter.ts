/**
 * @module
 * The TenantDO's side of run lifecycle events (`lifecycle-events.ts` has the rows and the
 * rules): every run index write goes through `index`, which notes the lifecycle events due and
 * starts a drain; `drain` stores them on the event bus through `EventReception` (the tenant
 * alarm calls it too, for events a stopped object left due). Nothing is drained while the tenant
 * is suspended: the alarm does it once the tenant is resumed.
 */
import type { RunIndexRecord } from "./contracts.ts";
import type { EventReception } from "./event-reception.ts";
import {
  indexRunWithLifecycle,
  LIFECYCLE_DRAIN_ROUNDS,
  LIFECYCLE_REDRIVE_MS,
  takeDueLifecycleEvents,
} from "./lifecycle-events.ts";
import { isActive } from "./lifecycle-state.ts";
import { readTenant } from "./registration.ts";
import type { SubscriptionRegistry } from "./subscription-registry.ts";
import type { TimerAlarm } from "./timer-alarm.ts";

export interface LifecycleEmitterParts {
  storage: DurableObjectStorage;
  subscriptions: SubscriptionRegistry;
  reception: EventReception;
  alarm: TimerAlarm;
}

export class LifecycleEmitter {
  readonly #parts: LifecycleEmitterParts;

  constructor(parts: LifecycleEmitterParts) {
    this.#parts = parts;
  }

  /**
   * Writes a run's index row (answers its expiry, as `upsertRun`) and, when a subscription
   * listens for the lifecycle events the change makes due, notes them in the row and drains.
   */
  index(record: RunIndexRecord): number | null {
    const { storage, subscriptions, alarm } = this.#parts;
    const { expiresAt, due } = indexRunWithLifecycle(storage.sql, record, subscriptions);
    if (due) {
      alarm.ensureBy(Date.now() + LIFECYCLE_REDRIVE_MS);
      void this.drain();
    }
    return expiresAt;
  }

  /** Stores the due lifecycle events as events and starts the runs they match; never throws. */
  async drain(): Promise<void> {
    const { storage, reception } = this.#parts;
    const tenant = readTenant(storage.sql);
    if (tenant === null || !isActive(storage.kv)) return;
    try {
      for (let round = 0; round < LIFECYCLE_DRAIN_ROUNDS; round += 1) {
        const stored = await reception.receiveEmitted(tenant.id, (now) =>
          takeDueLifecycleEvents(storage.sql, now),
        );
        if (stored === 0) break;
      }
    } catch (error) {
      console.error("lifecycle events not stored, the alarm will retry", String(error));
    }
  }
}
