/**
 * @module
 * The tenant's metric rows (`metric_series`, tenant migration 9): one row per series, its value
 * the running total. Adding is an upsert (`value + delta`), so counts from any isolate add up in
 * storage, never in memory. Called inside the transaction (or synchronous run of writes) of the
 * change it counts, so the count commits with that change or not at all.
 */
import type { MetricSample } from "../../engine/metrics/metric-catalog.ts";

/** Most rows one scrape reads (series are bounded by workflows, step types, services and codes). */
export const MAX_SCRAPED_SERIES = 5_000;

interface SeriesRow extends Record<string, SqlStorageValue> {
  name: string;
  labels: string;
  value: number;
}

/** The canonical key of a label set: its pairs sorted by name, as JSON. */
export function labelKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function addToSeries(sql: SqlStorage, deltas: readonly MetricSample[]): void {
  for (const delta of deltas) {
    sql.exec(
      `INSERT INTO metric_series (name, labels, value) VALUES (?, ?, ?)
       ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value`,
      delta.name,
      labelKey(delta.labels),
      delta.value,
    );
  }
}

export function readSeries(sql: SqlStorage): MetricSample[] {
  return sql
    .exec<SeriesRow>(
      "SELECT name, labels, value FROM metric_series ORDER BY name, labels LIMIT ?",
      MAX_SCRAPED_SERIES,
    )
    .toArray()
    .map((row) => ({
      name: row.name,
      labels: Object.fromEntries(JSON.parse(row.labels) as [string, string][]),
      value: row.value,
    }));
}

/**
 * Active runs per workflow, from the run index (a gauge: counted at scrape time, never stored);
 * every published workflow has a series, 0 when none of its runs is active.
 */
export function activeRunsByWorkflow(sql: SqlStorage): { workflow: string; n: number }[] {
  return sql
    .exec<{ workflow: string; n: number }>(
      `SELECT workflow, SUM(active) AS n FROM (
         SELECT name AS workflow, 0 AS active FROM workflow_versions
         UNION ALL SELECT workflow, 1 AS active FROM runs WHERE status IN ('running', 'waiting')
       ) GROUP BY workflow ORDER BY workflow LIMIT ?`,
      MAX_SCRAPED_SERIES,
    )
    .toArray();
}

/** The run's index row status and the seq through which its step durations are counted, or null. */
export function runMetricsMark(
  sql: SqlStorage,
  runId: string,
): { status: string; updatedAt: number; seq: number } | null {
  const row = sql
    .exec<{ status: string; updated_at: number; metrics_seq: number }>(
      "SELECT status, updated_at, metrics_seq FROM runs WHERE id = ?",
      runId,
    )
    .toArray()[0];
  return row === undefined ? null : { status: row.status, updatedAt: row.updated_at, seq: row.metrics_seq };
}

export function setRunMetricsMark(sql: SqlStorage, runId: string, seq: number): void {
  sql.exec("UPDATE runs SET metrics_seq = ? WHERE id = ? AND metrics_seq < ?", seq, runId, seq);
}
