/**
 * @module
 * Deleting finished runs: retention (the tenant alarm deletes runs whose `expires_at` has passed)
 * and the stored-runs cap (a start that would exceed `max_stored_runs` first deletes the oldest
 * finished runs, and is refused with `quota.stored_runs` when the runs stored are all active).
 * A deletion is two steps that cannot share a transaction: the RunDO deletes its storage and
 * alarm (`RunDO.purge`, idempotent), then the index row goes. A crash in between leaves the row,
 * and the next alarm asks the RunDO again, which answers "deleted" once more. Bounded batches:
 * one alarm deletes at most `PURGE_BATCH` runs; when more are due the alarm is due again at once.
 * Starts in flight (admitted, their index row not written yet) count against the cap too
 * (`StartReservations`), so a burst of concurrent starts cannot pass it.
 */
import { EngineError } from "../../engine/errors.ts";
import { type DurableObjectBindings, runStub } from "../bindings.ts";
import {
  correctRun,
  countRuns,
  deleteRunRow,
  expiredRuns,
  oldestFinishedRuns,
  postponeRunExpiry,
} from "./run-index.ts";
import { runLimitsOf } from "./run-limits.ts";
import { readSettings } from "./settings.ts";

/** Most runs one alarm, or one start making room, deletes. */
export const PURGE_BATCH = 25;
/** A deletion that did not get through (the RunDO unreachable) is tried again this much later. */
export const PURGE_RETRY_MS = 10 * 60_000;

type PurgeResult = "deleted" | "kept" | "failed";

/** Deletes the runs of this tenant whose retention has passed, up to `PURGE_BATCH`. Answers how many. */
export async function deleteExpiredRuns(
  sql: SqlStorage,
  bindings: DurableObjectBindings,
  tenant: string,
  now: number,
): Promise<number> {
  const ids = expiredRuns(sql, now, PURGE_BATCH);
  const results = await Promise.all(ids.map((id) => purgeRun(sql, bindings, tenant, id)));
  ids.forEach((id, index) => {
    if (results[index] === "failed") postponeRunExpiry(sql, id, now + PURGE_RETRY_MS);
  });
  return results.filter((result) => result === "deleted").length;
}

/**
 * The starts admitted under the stored-runs cap whose run is not in the run index yet: each
 * counts against the cap until the caller releases it (its row written, or the start given up),
 * so concurrent starts see each other. In memory only: after an eviction every admitted start is
 * either indexed or still a pending start, which is admitted again before it is re-driven.
 */
export class StartReservations {
  readonly #held = new Set<string>();

  /** Admitted starts other than `runId`. */
  othersThan(runId: string): number {
    return this.#held.size - (this.#held.has(runId) ? 1 : 0);
  }

  hold(runId: string): void {
    this.#held.add(runId);
  }

  release(runId: string): void {
    this.#held.delete(runId);
  }
}

/**
 * Makes room for run `runId` under `max_stored_runs`, counting the runs stored and the starts in
 * flight: deletes the oldest finished runs as needed (at most `PURGE_BATCH`), then refuses with
 * `quota.stored_runs` if there is still no room. On success the start is held in `reservations`
 * (between the last count and the hold there is no `await`); the caller releases it.
 */
export async function makeRoomForRun(
  sql: SqlStorage,
  bindings: DurableObjectBindings,
  tenant: string,
  reservations: StartReservations,
  runId: string,
): Promise<void> {
  const { maxStoredRuns } = runLimitsOf(readSettings(sql));
  const excess = countRuns(sql) + reservations.othersThan(runId) + 1 - maxStoredRuns;
  if (excess > 0) {
    const victims = oldestFinishedRuns(sql, Math.min(excess, PURGE_BATCH));
    await Promise.all(victims.map((id) => purgeRun(sql, bindings, tenant, id)));
  }
  const stored = countRuns(sql) + reservations.othersThan(runId);
  if (stored + 1 > maxStoredRuns) {
    throw new EngineError(
      "quota.stored_runs",
      `Stored-runs quota reached: this tenant stores or is starting ${stored} runs, its limit (setting max_stored_runs) is ` +
        `${maxStoredRuns}, and no finished run could be deleted to make room. Cancel runs that are still going, or ask the admin to raise max_stored_runs.`,
      { path: "max_stored_runs" },
    );
  }
  reservations.hold(runId);
}

/** Asks the RunDO to delete a finished run; drops the index row only once it has answered "deleted". */
async function purgeRun(
  sql: SqlStorage,
  bindings: DurableObjectBindings,
  tenant: string,
  id: string,
): Promise<PurgeResult> {
  try {
    const outcome = await runStub(bindings, tenant, id).purge(tenant, id);
    if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
    if (!outcome.value.deleted) {
      correctRun(sql, outcome.value.record);
      return "kept";
    }
    deleteRunRow(sql, id);
    return "deleted";
  } catch (error) {
    console.warn(`run ${id}: not deleted yet, tried again later`, String(error));
    return "failed";
  }
}
