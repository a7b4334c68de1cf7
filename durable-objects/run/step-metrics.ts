/**
 * @module
 * The RunDO's side of the step-duration metric. Each transition's finished steps
 * (engine/metrics/step-observations.ts) go into the `step_metrics` column of the transition-log
 * row it writes anyway (run migration 6): durable, and no extra row. They reach the TenantDO in
 * batches: with the status report the RunDO already sends, or at a transition once
 * `FLUSH_EVERY_STEPS` are waiting or the oldest has waited `FLUSH_AFTER_MS`. The TenantDO counts each run's steps once (its mark per run), so a batch sent again
 * after an eviction or a lost answer counts nothing twice. What this object remembers (the mark
 * last acknowledged, the steps waiting) is only an optimisation: after an eviction it starts
 * from 0 and the TenantDO's mark decides.
 */
import type { StepMetricsBatch, StepObservation } from "../../engine/metrics/step-observations.ts";

/** Finished steps that wait, at most, before a batch goes to the TenantDO without a status change. */
export const FLUSH_EVERY_STEPS = 16;
/** How long finished steps wait, at most, before the next transition sends them (a slow run's steps show too). */
export const FLUSH_AFTER_MS = 60_000;
/** Most transition rows one batch reads. */
const MAX_BATCH_ROWS = 256;

/** The column value for a transition's finished steps: `[[type, seconds], ...]`, or null. */
export function encodeStepMetrics(observations: readonly StepObservation[]): string | null {
  if (observations.length === 0) return null;
  return JSON.stringify(observations.map((step) => [step.type, step.seconds]));
}

export class StepMetricsOutbox {
  /** the TenantDO's mark as last acknowledged (0: not known, e.g. after an eviction) */
  #acknowledged = 0;
  #waiting = 0;
  /** when the first step now waiting was noted (ms), undefined while none waits */
  #waitingSince: number | undefined;
  /** the tenant answered that it collects no metrics: stop sending until this object restarts */
  #off = false;

  noteFinished(count: number, now: number): void {
    if (count === 0) return;
    this.#waiting += count;
    this.#waitingSince ??= now;
  }

  /** Whether the steps waiting should go now, without a status change to carry them. */
  due(now: number): boolean {
    if (this.#off || this.#waiting === 0) return false;
    return this.#waiting >= FLUSH_EVERY_STEPS || now - (this.#waitingSince ?? now) >= FLUSH_AFTER_MS;
  }

  /** The steps logged after the acknowledged mark, through `runSeq` (or the last row read when capped). */
  batch(sql: SqlStorage, runSeq: number): StepMetricsBatch | undefined {
    if (this.#off) return undefined;
    const rows = sql
      .exec<{ seq: number; step_metrics: string }>(
        "SELECT seq, step_metrics FROM transitions WHERE seq > ? AND step_metrics IS NOT NULL ORDER BY seq LIMIT ?",
        this.#acknowledged,
        MAX_BATCH_ROWS,
      )
      .toArray();
    const steps: [number, string, number][] = [];
    for (const row of rows) {
      for (const [type, seconds] of JSON.parse(row.step_metrics) as [string, number][])
        steps.push([row.seq, type, seconds]);
    }
    const last = rows.at(-1)?.seq;
    const throughSeq = rows.length === MAX_BATCH_ROWS && last !== undefined ? last : runSeq;
    return { throughSeq, steps };
  }

  /** The TenantDO's answer to a batch. */
  acknowledged(answer: { throughSeq: number; enabled: boolean } | undefined): void {
    if (answer === undefined) return;
    this.#acknowledged = answer.throughSeq;
    this.#waiting = 0;
    this.#waitingSince = undefined;
    if (!answer.enabled) this.#off = true;
  }
}
