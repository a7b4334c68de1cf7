/**
 * @module
 * The tenant's metrics (docs/observability.md "Metrics (Prometheus)"): what each hook in the
 * TenantDO counts, and the snapshot a scrape reads. Counters and histogram buckets are rows
 * (`metric-store.ts`) added to in the same synchronous run of writes as the change they count
 * (the run index update, the event intake, the effect's circuit write), so they survive isolates,
 * evictions and restarts and cost no write of their own per step. Gauges (active runs, circuit
 * states) are computed from the tables at scrape time. With the setting `metrics_enabled: false`
 * nothing is counted and the snapshot holds only `edgeflow_metrics_enabled 0`.
 */
import { EngineError } from "../../engine/errors.ts";
import {
  histogramDeltas,
  METRIC_FAMILIES,
  type MetricFamily,
  type MetricSample,
} from "../../engine/metrics/metric-catalog.ts";
import type { StepMetricsBatch } from "../../engine/metrics/step-observations.ts";
import type { CircuitView, RunIndexRecord } from "./contracts.ts";
import {
  activeRunsByWorkflow,
  addToSeries,
  boundedLabels,
  labelKey,
  readSeries,
  runMetricsMark,
  setRunMetricsMark,
} from "./metric-store.ts";
import { readSettings } from "./settings.ts";

export const METRICS_ENABLED_SETTING = "metrics_enabled";

const CIRCUIT_STATES = ["closed", "open", "half_open"] as const;
const FINISHED = new Set(["completed", "failed", "cancelled"]);
const BUILT_IN_TRIGGERS = new Set(["webhook", "schedule", "file_change"]);

/** What the scrape reads from one tenant. */
export interface MetricsSnapshot {
  enabled: boolean;
  samples: MetricSample[];
}

/** `metrics_enabled` takes a boolean (`settings.invalid` otherwise). */
export function checkMetricsSettingsPatch(patch: Readonly<Record<string, unknown>>): void {
  const value = patch[METRICS_ENABLED_SETTING];
  if (value === undefined || value === null || typeof value === "boolean") return;
  throw new EngineError("settings.invalid", `Setting ${METRICS_ENABLED_SETTING}: expected true or false.`, {
    path: METRICS_ENABLED_SETTING,
  });
}

/** An event's type as a bounded label: custom event names (`github.push`, ...) are all `custom`. */
export function triggerTypeOf(eventType: string): string {
  return BUILT_IN_TRIGGERS.has(eventType) ? eventType : "custom";
}

export interface TenantMetricsOptions {
  /**
   * Remember the counter series seen in storage (issue 16, `EDGEFLOW_INTAKE_MEMOS`): a series
   * once found is added to without asking again whether it exists or its family is full. Rows of
   * `metric_series` are never deleted but by the tenant's erasure (which builds a new
   * `TenantMetrics`), so a remembered series stays there. Only a series read back from storage
   * is remembered, never one just inserted.
   */
  rememberSeries?: boolean;
}

export class TenantMetrics {
  readonly #sql: () => SqlStorage;
  #enabled: boolean | undefined;
  /** `name`, NUL, label key of counter series known to exist; undefined when not remembering */
  readonly #knownSeries: Set<string> | undefined;

  constructor(sql: () => SqlStorage, options: TenantMetricsOptions = {}) {
    this.#sql = sql;
    this.#knownSeries = options.rememberSeries === true ? new Set() : undefined;
  }

  /** A tenant setting changed: read `metrics_enabled` again. */
  settingsChanged(): void {
    this.#enabled = undefined;
  }

  get enabled(): boolean {
    this.#enabled ??= readSettings(this.#sql())[METRICS_ENABLED_SETTING] !== false;
    return this.#enabled;
  }

  count(family: MetricFamily, labels: Readonly<Record<string, string>>, by = 1): void {
    if (by <= 0 || !this.enabled) return;
    const known = this.#knownSeries;
    const key = known === undefined ? "" : `${family.name}\u0000${labelKey(labels)}`;
    if (known?.has(key)) {
      addToSeries(this.#sql(), [{ name: family.name, labels, value: by }]);
      return;
    }
    const stored = boundedLabels(this.#sql(), family.name, labels, () => known?.add(key));
    addToSeries(this.#sql(), [{ name: family.name, labels: stored, value: by }]);
  }

  observe(family: MetricFamily, labels: Readonly<Record<string, string>>, value: number): void {
    if (!this.enabled) return;
    addToSeries(this.#sql(), histogramDeltas(family, labels, value));
  }

  /**
   * The run index row is about to take `record`: counts a start when there was no row, a finish
   * when an active (or absent) row becomes finished. Call before `upsertRun`, in its transaction;
   * a report older than the stored row (which `upsertRun` ignores) counts nothing.
   */
  runIndexed(record: RunIndexRecord): void {
    if (!this.enabled) return;
    const before = runMetricsMark(this.#sql(), record.id);
    if (before !== null && record.updatedAt < before.updatedAt) return;
    if (before === null) this.count(METRIC_FAMILIES.runsStarted, { workflow: record.workflow });
    if (FINISHED.has(record.status) && (before === null || !FINISHED.has(before.status)))
      this.count(METRIC_FAMILIES.runsFinished, { workflow: record.workflow, outcome: record.status });
  }

  /**
   * Step durations a RunDO reports, counted once: only when `batch.throughSeq` is past the run's
   * mark, which moves with them. Answers the mark now held (a run not indexed yet keeps 0, so the
   * RunDO sends the observations again later). Disabled: the mark moves and nothing is counted.
   */
  applyStepBatch(runId: string, batch: StepMetricsBatch): { throughSeq: number; enabled: boolean } {
    const mark = runMetricsMark(this.#sql(), runId);
    if (mark === null) return { throughSeq: 0, enabled: this.enabled };
    if (batch.throughSeq <= mark.seq) return { throughSeq: mark.seq, enabled: this.enabled };
    if (this.enabled) {
      const deltas = batch.steps
        .filter(([seq]) => seq > mark.seq)
        .flatMap(([, type, seconds]) =>
          histogramDeltas(METRIC_FAMILIES.stepDuration, { step_type: type }, seconds),
        );
      addToSeries(this.#sql(), mergeDeltas(deltas));
    }
    setRunMetricsMark(this.#sql(), runId, batch.throughSeq);
    return { throughSeq: batch.throughSeq, enabled: this.enabled };
  }

  eventReceived(eventType: string): void {
    this.count(METRIC_FAMILIES.eventsReceived, { trigger_type: triggerTypeOf(eventType) });
  }

  eventsRejected(eventTypes: readonly string[], reason: string): void {
    const byType = new Map<string, number>();
    for (const type of eventTypes)
      byType.set(triggerTypeOf(type), (byType.get(triggerTypeOf(type)) ?? 0) + 1);
    for (const [type, n] of byType)
      this.count(METRIC_FAMILIES.eventsRejected, { trigger_type: type, reason }, n);
  }

  webhookRejected(reason: string): void {
    this.count(METRIC_FAMILIES.webhookVerificationFailures, { reason });
  }

  rateLimited(surface: string): void {
    this.count(METRIC_FAMILIES.rateLimitRejections, { surface });
  }

  externalCall(service: string, outcome: { ok: true } | { ok: false; code: string }): void {
    this.count(METRIC_FAMILIES.externalCalls, { service, outcome: outcome.ok ? "ok" : outcome.code });
  }

  scheduleFired(latenessSeconds: number): void {
    this.observe(METRIC_FAMILIES.scheduleLateness, {}, latenessSeconds);
    this.eventReceived("schedule");
  }

  snapshot(circuits: readonly CircuitView[]): MetricsSnapshot {
    const enabledSample = {
      name: METRIC_FAMILIES.metricsEnabled.name,
      labels: {},
      value: this.enabled ? 1 : 0,
    };
    if (!this.enabled) return { enabled: false, samples: [enabledSample] };
    const sql = this.#sql();
    const samples = readSeries(sql);
    for (const { workflow, n } of activeRunsByWorkflow(sql))
      samples.push({ name: METRIC_FAMILIES.runsActive.name, labels: { workflow }, value: n });
    for (const circuit of circuits) {
      for (const state of CIRCUIT_STATES) {
        samples.push({
          name: METRIC_FAMILIES.circuitState.name,
          labels: { service: circuit.service, state },
          value: circuit.status === state ? 1 : 0,
        });
      }
    }
    samples.push(enabledSample);
    return { enabled: true, samples };
  }
}

/** One delta per series: a batch of many steps of one type writes each bucket row once. */
function mergeDeltas(deltas: readonly MetricSample[]): MetricSample[] {
  const merged = new Map<string, MetricSample>();
  for (const delta of deltas) {
    const key = `${delta.name}\u0000${JSON.stringify(delta.labels)}`;
    const seen = merged.get(key);
    merged.set(key, seen === undefined ? { ...delta } : { ...seen, value: seen.value + delta.value });
  }
  return [...merged.values()];
}
