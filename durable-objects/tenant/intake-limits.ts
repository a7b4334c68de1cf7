/**
 * @module
 * The tenant's limits on what events cost, shared by event intake and the alarm: runs started
 * per minute (a durable rate limit, `tenant-rate-limits.ts`), the stored event bodies' byte budget (`event-bodies.ts`),
 * and pruning the event log every `PRUNE_EVERY_EVENTS` stored events. The settings they read are
 * cached until `settingsChanged`.
 */
import { eventBodyBudgetOf, trimEventBodies } from "./event-bodies.ts";
import { EVENT_RETENTION_MS, pruneEvents } from "./event-log.ts";
import { readSettings } from "./settings.ts";
import type { TenantRateLimits } from "./tenant-rate-limits.ts";

/** The event log is trimmed to its cap after this many new events (and by every alarm). */
const PRUNE_EVERY_EVENTS = 1_000;

export class IntakeLimits {
  readonly #storage: DurableObjectStorage;
  readonly #rateLimits: TenantRateLimits;
  #bodyBudget: number | undefined;
  #storedSincePrune = 0;

  constructor(storage: DurableObjectStorage, rateLimits: TenantRateLimits) {
    this.#storage = storage;
    this.#rateLimits = rateLimits;
  }

  /** A tenant setting changed: read the limits again. */
  settingsChanged(): void {
    this.#bodyBudget = undefined;
  }

  /** Asks, per run an event would start at `now`, whether the runs-per-minute limit allows it. */
  allowRun(now: number): () => boolean {
    return this.#rateLimits.allowEventRun(now);
  }

  /** Keeps the stored event bodies within the tenant's budget (oldest first; see `event-bodies.ts`). */
  trimBodies(now: number): void {
    this.#bodyBudget ??= eventBodyBudgetOf(readSettings(this.#storage.sql));
    const budget = this.#bodyBudget;
    this.#storage.transactionSync(() => trimEventBodies(this.#storage.sql, budget, now));
  }

  /** An event was stored: trim the bodies, and prune the log every `PRUNE_EVERY_EVENTS`. */
  stored(now: number): void {
    this.trimBodies(now);
    if (++this.#storedSincePrune >= PRUNE_EVERY_EVENTS) {
      this.#storedSincePrune = 0;
      pruneEvents(this.#storage.sql, now - EVENT_RETENTION_MS);
    }
  }
}
