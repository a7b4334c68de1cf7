/**
 * @module
 * The tenant's metric rows (`metric_series`, tenant migration 9): one row per series, its value
 * the running total. Adding is an upsert (`value + delta`), so counts from any isolate add up in
 * storage, never in memory. Called inside the transaction (or synchronous run of writes) of the
 * change it counts, so the count commits with that change or not at all.
 */
import { METRIC_FAMILY_LIST, type MetricSample } from "../../engine/metrics/metric-catalog.ts";

/** Most active-run gauge series one scrape reads (one per published workflow). */
export const MAX_SCRAPED_SERIES = 5_000;

/**
 * Most label sets a counter family keeps: past it, a new label set is counted under the family's
 * `_other` series (every label value `_other`), so one family never crowds out another. Histogram
 * labels are closed sets (step types), well under it.
 */
export const MAX_SERIES_PER_FAMILY = 1_000;

/** The label value a counter's label sets past `MAX_SERIES_PER_FAMILY` are folded into. */
export const OTHER_LABEL_VALUE = "_other";

/** Each stored row name with the most rows a scrape reads of it: every family whole, none crowding out another. */
const SCRAPED_NAMES: readonly { name: string; limit: number }[] = METRIC_FAMILY_LIST.flatMap((family) =>
  family.type === "histogram"
    ? [
        {
          name: `${family.name}_bucket`,
          limit: ((family.buckets?.length ?? 0) + 1) * (MAX_SERIES_PER_FAMILY + 1),
        },
        { name: `${family.name}_sum`, limit: MAX_SERIES_PER_FAMILY + 1 },
        { name: `${family.name}_count`, limit: MAX_SERIES_PER_FAMILY + 1 },
      ]
    : [{ name: family.name, limit: MAX_SERIES_PER_FAMILY + 1 }],
);

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

/**
 * The labels a counter's new delta is stored under: its own when the series exists or the family
 * has fewer than `MAX_SERIES_PER_FAMILY` series, else every value `_other`. `onExisting` is told
 * when the series was found in storage (`TenantMetrics` remembers it).
 */
export function boundedLabels(
  sql: SqlStorage,
  name: string,
  labels: Readonly<Record<string, string>>,
  onExisting: () => void = () => {},
): Readonly<Record<string, string>> {
  const exists = sql
    .exec("SELECT 1 FROM metric_series WHERE name = ? AND labels = ?", name, labelKey(labels))
    .toArray();
  if (exists.length > 0) {
    onExisting();
    return labels;
  }
  const [row] = sql
    .exec<{ n: number }>(
      "SELECT COUNT(*) AS n FROM (SELECT 1 FROM metric_series WHERE name = ? LIMIT ?)",
      name,
      MAX_SERIES_PER_FAMILY,
    )
    .toArray();
  if ((row?.n ?? 0) < MAX_SERIES_PER_FAMILY) return labels;
  return Object.fromEntries(Object.keys(labels).map((key) => [key, OTHER_LABEL_VALUE]));
}

/** Every family's rows, each read with its own limit (a family past it is cut, never another one). */
export function readSeries(sql: SqlStorage): MetricSample[] {
  return SCRAPED_NAMES.flatMap(({ name, limit }) =>
    sql
      .exec<SeriesRow>(
        "SELECT name, labels, value FROM metric_series WHERE name = ? ORDER BY labels LIMIT ?",
        name,
        limit,
      )
      .toArray(),
  ).map((row) => ({
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
