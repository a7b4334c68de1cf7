/**
 * @module
 * Turning pending starts into runs: each goes to its own RunDO (`<tenant>/<run id>`, the id
 * minted when the event was stored) with the workflow version, the mapped inputs and the event's
 * scope (never a tenant secret: runs have none). A start that lands, or finds its run already there (a re-drive
 * after a crash), is logged `started`; one the engine refuses (bad inputs, no such workflow) is
 * logged `start_failed` with the error (so is one over the stored-runs quota, `quota.stored_runs`,
 * after the oldest finished runs were deleted to make room, and one over `max_active_runs` or
 * `max_runs_per_day`, `quota.exceeded`, unless `active_runs_policy: queue` keeps it pending until
 * a slot frees: `run-admission.ts`); one that fails in transit is retried by the alarm with
 * back-off, up to `MAX_START_ATTEMPTS`. The outcomes of starts that land within a few
 * milliseconds of each other are written in one transaction: until then their pending rows stay,
 * and a crash in between only means the alarm finds the runs already there.
 */
import { EngineError, type ErrorShape, isEngineError } from "../../engine/errors.ts";
import { eventScope, type TriggerEvent } from "../../engine/events/index.ts";
import { withoutResolved } from "../../engine/plugins/published.ts";
import { checkInputs } from "../../engine/state/index.ts";
import { type DurableObjectBindings, runStub } from "../bindings.ts";
import type { RunAnswer } from "../run/contracts.ts";
import type { RunIndexRecord, StoredWorkflow } from "./contracts.ts";
import type { IntakeStorage } from "./event-intake.ts";
import { readEvent, settleLogEntry } from "./event-log.ts";
import {
  deletePendingStart,
  MAX_START_ATTEMPTS,
  type PendingStart,
  postponeStart,
} from "./pending-starts.ts";
import { stateLimitOf } from "./quota-settings.ts";
import type { RunAdmission } from "./run-admission.ts";
import { upsertRun } from "./run-index.ts";
import { makeRoomForRun, type StartReservations } from "./run-retention.ts";
import { readSettings } from "./settings.ts";
import type { TenantMetrics } from "./tenant-metrics.ts";
import { runTraceFor } from "./trace-settings.ts";
import { isYanked } from "./workflow-release.ts";
import { getVersion } from "./workflow-store.ts";

export interface RunStarterOptions {
  storage: IntakeStorage;
  bindings: DurableObjectBindings;
  /** the TenantDO's starts in flight under the stored-runs cap, shared with `workflow_start` */
  reservations: StartReservations;
  /** the run quotas (`max_active_runs`, `max_runs_per_day`) and the queue for a free slot */
  admission: RunAdmission;
  /** writes a started run's index row (default `upsertRun`; the TenantDO adds lifecycle events) */
  indexRun?: (record: RunIndexRecord) => void;
  /** counts the run's start (and an immediate finish) with its index row (tenant-metrics.ts) */
  metrics?: TenantMetrics;
}

/** How long finished starts wait to be written together. */
const SETTLE_BATCH_MS = 5;

interface Settled {
  start: PendingStart;
  result: { startedAt: number } | { error: ErrorShape };
  /** the run as its RunDO answered, for the run index */
  answer?: Pick<RunAnswer, "run">;
}

export class RunStarter {
  readonly #options: RunStarterOptions;
  /** runs being started, or started and not yet written down */
  readonly #inFlight = new Set<string>();
  readonly #definitions = new Map<string, StoredWorkflow>();
  #settled: Settled[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: RunStarterOptions) {
    this.#options = options;
  }

  /** How many runs are being started (or started and not yet written down) right now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Forget cached definitions (after a publish, a yank or a new default: the default may have moved). */
  invalidate(): void {
    this.#definitions.clear();
  }

  /**
   * Starts every given run, concurrently; never throws. `event` is the event they all come from
   * when the caller has it at hand (otherwise each start reads its event from the log).
   */
  async startAll(tenant: string, starts: readonly PendingStart[], event?: TriggerEvent): Promise<void> {
    await Promise.all(starts.map((start) => this.#startOne(tenant, start, event)));
  }

  /** The tenant's storage was erased: drops what it would have written down, and its timer. */
  discard(): void {
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#settled = [];
    this.#definitions.clear();
  }

  /** Writes down every finished start now (the alarm does, before it re-arms). */
  flush(): void {
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const batch = this.#settled;
    if (batch.length === 0) return;
    this.#settled = [];
    const { storage } = this.#options;
    storage.transactionSync(() => {
      for (const { start, result, answer } of batch) {
        deletePendingStart(storage.sql, start.runId);
        this.#options.admission.settled(start.runId);
        settleLogEntry(storage.sql, start.eventId, start.position, result);
        if (answer !== undefined) {
          const record: RunIndexRecord = {
            id: start.runId,
            workflow: answer.run.workflow,
            version: answer.run.version,
            status: answer.run.status,
            createdAt: Date.parse(answer.run.created_at),
            updatedAt: Date.parse(answer.run.updated_at),
            ...(start.depth === undefined ? {} : { depth: start.depth }),
            ...(start.chainRoot === undefined ? {} : { chainRoot: start.chainRoot }),
            ...(answer.run.error === undefined ? {} : { errorCode: answer.run.error.code }),
          };
          this.#options.metrics?.runIndexed(record);
          if (this.#options.indexRun !== undefined) this.#options.indexRun(record);
          else upsertRun(storage.sql, record);
        }
      }
    });
    for (const { start } of batch) {
      this.#inFlight.delete(start.runId);
      this.#options.reservations.release(start.runId);
    }
  }

  async #startOne(tenant: string, start: PendingStart, known?: TriggerEvent): Promise<void> {
    if (this.#inFlight.has(start.runId)) return;
    this.#inFlight.add(start.runId);
    try {
      let stored: StoredWorkflow;
      try {
        stored = this.#definition(start.workflow, start.version);
        checkInputs(stored.definition, start.inputs);
        const { storage, bindings, reservations } = this.#options;
        // quotas first, with no side effect: a refused or queued start must not cost a stored run
        const admission = {
          runId: start.runId,
          now: Date.now(),
          mayQueue: true,
          counted: start.attempts > 0,
        };
        if (this.#options.admission.check(admission) === "queued") {
          this.#options.admission.queue(start.runId, admission.now);
          this.#inFlight.delete(start.runId);
          return;
        }
        await makeRoomForRun(storage.sql, bindings, tenant, reservations, start.runId);
        const now = Date.now();
        if (
          this.#options.admission.admit({
            runId: start.runId,
            now,
            mayQueue: true,
            counted: start.attempts > 0,
          }) === "queued"
        ) {
          this.#options.admission.queue(start.runId, now);
          this.#inFlight.delete(start.runId);
          reservations.release(start.runId);
          return;
        }
      } catch (error) {
        if (!isEngineError(error)) throw error;
        return this.#settle(start, { error: error.toJSON() });
      }
      const event =
        known?.id === start.eventId ? known : readEvent(this.#options.storage.sql, start.eventId)?.event;
      const outcome = await runStub(this.#options.bindings, tenant, start.runId).start({
        tenant,
        runId: start.runId,
        // the run keeps the dialect's definition; its pinned services stay here (service-lookup.ts)
        definition: withoutResolved(stored.definition),
        inputs: start.inputs,
        ...(event === undefined ? {} : { event: eventScope(event) }),
        // from the stored event's type, which only a schedule fire can have (posted-event.ts refuses
        // it), never from the event id, which a poster chooses
        actor: event?.type === "schedule" ? "schedule" : "event",
        ...stateLimitOf(readSettings(this.#options.storage.sql)),
        // a webhook's stored headers keep the sender's `traceparent`: the run continues its trace
        ...runTraceFor(readSettings(this.#options.storage.sql), event?.headers?.traceparent),
      });
      if (outcome.ok)
        return this.#settle(start, { startedAt: Date.parse(outcome.value.run.created_at) }, outcome.value);
      if (outcome.error.code === "run.exists") return await this.#settleExisting(tenant, start);
      return this.#settle(start, { error: outcome.error });
    } catch (error) {
      this.#retryLater(start, error);
    }
  }

  /**
   * A re-driven start whose run is already there: an earlier attempt created it, and the TenantDO
   * lost the answer before writing it down (eviction, a retried alarm). The run is indexed as its
   * RunDO has it now, so the id the 202 named stays reachable.
   */
  async #settleExisting(tenant: string, start: PendingStart): Promise<void> {
    const view = await runStub(this.#options.bindings, tenant, start.runId).snapshot(tenant, start.runId);
    if (!view.ok) return this.#settle(start, { startedAt: Date.now() });
    this.#settle(start, { startedAt: Date.parse(view.value.created_at) }, { run: view.value });
  }

  /** Queues the outcome; the batch is written within `SETTLE_BATCH_MS`. */
  #settle(start: PendingStart, result: Settled["result"], answer?: Settled["answer"]): void {
    this.#settled.push(answer === undefined ? { start, result } : { start, result, answer });
    this.#flushTimer ??= setTimeout(() => this.flush(), SETTLE_BATCH_MS);
  }

  #retryLater(start: PendingStart, error: unknown): void {
    console.error(`run ${start.runId}: start attempt ${start.attempts + 1} failed`, String(error));
    if (start.attempts + 1 >= MAX_START_ATTEMPTS) {
      const shape = new EngineError(
        "event.start_failed",
        `The run could not be started after ${MAX_START_ATTEMPTS} attempts.`,
      ).toJSON();
      this.#settle(start, { error: shape });
      return;
    }
    this.#inFlight.delete(start.runId);
    this.#options.reservations.release(start.runId);
    postponeStart(this.#options.storage.sql, start, Date.now());
  }

  #definition(workflow: string, asked: string | undefined): StoredWorkflow {
    // a trigger never starts a yanked version: a start queued before the yank gets the default
    const { sql } = this.#options.storage;
    const version = asked !== undefined && isYanked(sql, workflow, asked) ? undefined : asked;
    const key = `${workflow}@${version ?? ""}`;
    let stored = this.#definitions.get(key);
    if (stored === undefined) {
      stored = getVersion(sql, workflow, version);
      if (this.#definitions.size >= 256) this.#definitions.clear();
      this.#definitions.set(key, stored);
    }
    return stored;
  }
}
