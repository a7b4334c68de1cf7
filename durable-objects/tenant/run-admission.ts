/**
 * @module
 * Whether a run may start under the tenant's run quotas: `max_active_runs` (runs running or
 * waiting plus the other starts in flight, `StartReservations`) and `max_runs_per_day` (a durable
 * daily count, `daily-run-count.ts`). Called after `makeRoomForRun` has held the start's
 * reservation and with no `await` in between, so concurrent starts see each other. Over
 * `max_active_runs`, a start that may wait (one from an event or a schedule) is queued under
 * `active_runs_policy: queue` (`start-queue.ts`) while fewer than `max_queued_starts` are queued;
 * every other refusal is `quota.exceeded`.
 */

import { countRunStarted, runsStartedToday } from "./daily-run-count.ts";
import { quotaExceeded } from "./quota-refusal.ts";
import { activeRunsPolicyOf, quotaLimitsOf } from "./quota-settings.ts";
import { countActiveRuns } from "./run-index.ts";
import type { StartReservations } from "./run-retention.ts";
import { readSettings } from "./settings.ts";
import { dequeueStart, isQueued, queueLength, queueStart, wakeQueuedStarts } from "./start-queue.ts";

export type Admission = "admitted" | "queued";

export interface AdmissionRequest {
  runId: string;
  now: number;
  /** an event or schedule start: it may wait for a slot; an agent's `workflow_start` may not */
  mayQueue: boolean;
  /**
   * a pending start re-driven after an attempt that failed in transit: it was admitted, and
   * counted for the day, before; it is not counted again
   */
  counted?: boolean;
}

export class RunAdmission {
  readonly #storage: DurableObjectStorage;
  readonly #reservations: StartReservations;

  constructor(storage: DurableObjectStorage, reservations: StartReservations) {
    this.#storage = storage;
    this.#reservations = reservations;
  }

  /** Admits (and counts) the start, queues it, or throws `quota.exceeded` naming the quota. */
  admit(request: AdmissionRequest): Admission {
    return this.#decide(request, true);
  }

  /**
   * What `admit` would answer, with no side effect: asked before anything is done for a start
   * (`makeRoomForRun` deletes finished runs), so a refused or queued start costs the tenant nothing.
   */
  check(request: AdmissionRequest): Admission {
    return this.#decide(request, false);
  }

  #decide(request: AdmissionRequest, count: boolean): Admission {
    const settings = readSettings(this.#storage.sql);
    const limits = quotaLimitsOf(settings);
    const active = this.activeRuns(request.runId);
    if (active + 1 > limits.max_active_runs) {
      if (request.mayQueue && activeRunsPolicyOf(settings) === "queue") {
        this.#assertRoomInQueue(request.runId, limits.max_queued_starts);
        return "queued";
      }
      throw quotaExceeded("max_active_runs", limits.max_active_runs, active);
    }
    if (request.counted === true) return "admitted";
    const kv = this.#storage.kv;
    const today = runsStartedToday(kv, request.now);
    if (today + 1 > limits.max_runs_per_day)
      throw quotaExceeded("max_runs_per_day", limits.max_runs_per_day, today);
    if (count) countRunStarted(kv, request.now);
    return "admitted";
  }

  /** A start not queued yet may join the queue only below `max_queued_starts`. */
  #assertRoomInQueue(runId: string, limit: number): void {
    const kv = this.#storage.kv;
    if (isQueued(kv, runId)) return;
    const queued = queueLength(kv);
    if (queued + 1 > limit) throw quotaExceeded("max_queued_starts", limit, queued);
  }

  /** Keeps a pending start queued for a slot (its reservation is the caller's to release). */
  queue(runId: string, now: number): void {
    queueStart(this.#storage, runId, now);
  }

  /** A pending start was settled (started or refused): it is no longer queued. */
  settled(runId: string): void {
    dequeueStart(this.#storage.kv, runId);
  }

  /** Runs running or waiting, and starts in flight other than `runId`. */
  activeRuns(runId = ""): number {
    return countActiveRuns(this.#storage.sql) + this.#reservations.othersThan(runId);
  }

  /**
   * A run ended (or the limits changed): makes as many queued starts due now as there are free
   * slots. Answers how many; the caller arms the alarm when any were.
   */
  wakeQueued(now: number): number {
    if (queueLength(this.#storage.kv) === 0) return 0;
    const { max_active_runs: limit } = quotaLimitsOf(readSettings(this.#storage.sql));
    return wakeQueuedStarts(this.#storage, limit - this.activeRuns(), now);
  }
}
