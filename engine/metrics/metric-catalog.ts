/**
 * @module
 * Every metric family edgeflow exposes on `GET /metrics`: name, help text, type, labels and, for
 * histograms, bucket bounds. The one list the TenantDO's counters, the scrape and the docs
 * (docs/observability.md "Metrics (Prometheus)") follow. Names use Prometheus conventions:
 * `edgeflow_` prefix, `_total` on counters, base units (`_seconds`). Every series also carries
 * `tenant`, added by the scrape. Pure data.
 */

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  /** label names besides `tenant` (and `le` on a histogram's buckets) */
  labels: readonly string[];
  /** upper bounds of a histogram's buckets, ascending, without `+Inf` */
  buckets?: readonly number[];
}

/** Client and effect steps last from milliseconds (an effect) to days (a person's answer). */
const STEP_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14_400, 86_400] as const;
/** A schedule fires on the tenant's alarm: usually well under a second late, minutes when catching up. */
const LATENESS_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600] as const;

export const METRIC_FAMILIES = {
  runsStarted: {
    name: "edgeflow_runs_started_total",
    help: "Runs started, by workflow.",
    type: "counter",
    labels: ["workflow"],
  },
  runsFinished: {
    name: "edgeflow_runs_finished_total",
    help: "Runs finished, by workflow and outcome (completed, failed, cancelled).",
    type: "counter",
    labels: ["workflow", "outcome"],
  },
  runsActive: {
    name: "edgeflow_runs_active",
    help: "Runs running or waiting now, by workflow.",
    type: "gauge",
    labels: ["workflow"],
  },
  stepDuration: {
    name: "edgeflow_step_duration_seconds",
    help: "Time from a client or effect step's hand-out to its completion, by step type.",
    type: "histogram",
    labels: ["step_type"],
    buckets: STEP_BUCKETS,
  },
  eventsReceived: {
    name: "edgeflow_events_received_total",
    help: "Events taken in and stored, by trigger type (webhook, custom, file_change, schedule).",
    type: "counter",
    labels: ["trigger_type"],
  },
  eventsRejected: {
    name: "edgeflow_events_rejected_total",
    help: "Events refused at intake, by trigger type and reason (the error code).",
    type: "counter",
    labels: ["trigger_type", "reason"],
  },
  webhookVerificationFailures: {
    name: "edgeflow_webhook_verification_failures_total",
    help: "Webhook deliveries whose signature or token did not verify, by reason (the error code).",
    type: "counter",
    labels: ["reason"],
  },
  rateLimitRejections: {
    name: "edgeflow_rate_limit_rejections_total",
    help: "Requests refused by the tenant's rate limits, by surface.",
    type: "counter",
    labels: ["surface"],
  },
  externalCalls: {
    name: "edgeflow_external_calls_total",
    help: "Calls to services (external_call, notify, external_state), by service and outcome (ok or the error code).",
    type: "counter",
    labels: ["service", "outcome"],
  },
  circuitState: {
    name: "edgeflow_circuit_state",
    help: "Circuit breaker state per service: 1 for the current state, 0 for the others.",
    type: "gauge",
    labels: ["service", "state"],
  },
  scheduleLateness: {
    name: "edgeflow_schedule_lateness_seconds",
    help: "How long after its due time a schedule fire was taken in.",
    type: "histogram",
    labels: [],
    buckets: LATENESS_BUCKETS,
  },
  metricsEnabled: {
    name: "edgeflow_metrics_enabled",
    help: "1 when the tenant collects metrics (setting metrics_enabled), 0 when it does not.",
    type: "gauge",
    labels: [],
  },
  scrapeErrors: {
    name: "edgeflow_scrape_errors",
    help: "Admin scrape only: 1 per tenant left out of this scrape (no answer within 2 s, or an error).",
    type: "gauge",
    labels: [],
  },
} as const satisfies Record<string, MetricFamily>;

export type MetricFamilyKey = keyof typeof METRIC_FAMILIES;

/** Families in the order the scrape writes them. */
export const METRIC_FAMILY_LIST: readonly MetricFamily[] = Object.values(METRIC_FAMILIES);

/** One value of one series: `name` is the family's, or a histogram's `_bucket`/`_sum`/`_count`. */
export interface MetricSample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** The counter rows one observation adds to a histogram: cumulative buckets, `+Inf`, sum and count. */
export function histogramDeltas(
  family: MetricFamily,
  labels: Readonly<Record<string, string>>,
  value: number,
): MetricSample[] {
  const deltas: MetricSample[] = [];
  for (const bound of family.buckets ?? []) {
    if (value <= bound)
      deltas.push({ name: `${family.name}_bucket`, labels: { ...labels, le: formatValue(bound) }, value: 1 });
  }
  deltas.push({ name: `${family.name}_bucket`, labels: { ...labels, le: "+Inf" }, value: 1 });
  deltas.push({ name: `${family.name}_sum`, labels, value });
  deltas.push({ name: `${family.name}_count`, labels, value: 1 });
  return deltas;
}

/** A sample value as the text format writes it (`+Inf`, `-Inf`, `NaN`, else the shortest decimal). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}
