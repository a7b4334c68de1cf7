/** The Prometheus text format writer: HELP/TYPE per family, escaping, histogram order. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeLabelValue, formatExposition } from "../../../engine/metrics/exposition.ts";
import {
  histogramDeltas,
  METRIC_FAMILIES,
  METRIC_FAMILY_LIST,
  type MetricFamily,
} from "../../../engine/metrics/metric-catalog.ts";
import { parseExposition } from "../../support/exposition-parse.ts";

describe("formatExposition", () => {
  it("writes HELP and TYPE once per family, then its samples; families without samples are left out", () => {
    const text = formatExposition(METRIC_FAMILY_LIST, [
      { name: "edgeflow_runs_started_total", labels: { workflow: "b", tenant: "t" }, value: 2 },
      { name: "edgeflow_runs_started_total", labels: { workflow: "a", tenant: "t" }, value: 1 },
    ]);
    expect(text).toBe(
      [
        "# HELP edgeflow_runs_started_total Runs started, by workflow.",
        "# TYPE edgeflow_runs_started_total counter",
        'edgeflow_runs_started_total{tenant="t",workflow="a"} 1',
        'edgeflow_runs_started_total{tenant="t",workflow="b"} 2',
        "",
      ].join("\n"),
    );
    expect(formatExposition(METRIC_FAMILY_LIST, [])).toBe("");
  });

  it("escapes backslash, double quote and newline in label values, and newlines in help", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const family: MetricFamily = {
      name: "x_total",
      help: "two\nlines \\ here",
      type: "counter",
      labels: ["l"],
    };
    const text = formatExposition([family], [{ name: "x_total", labels: { l: 'q"\n\\' }, value: 1 }]);
    expect(text).toBe(
      '# HELP x_total two\\nlines \\\\ here\n# TYPE x_total counter\nx_total{l="q\\"\\n\\\\"} 1\n',
    );
  });

  it("round-trips any label value through a parser of the format", () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const text = formatExposition(METRIC_FAMILY_LIST, [
          { name: "edgeflow_runs_started_total", labels: { workflow: value }, value: 3 },
        ]);
        expect(parseExposition(text)).toEqual([
          { name: "edgeflow_runs_started_total", labels: { workflow: value }, value: 3 },
        ]);
      }),
    );
  });

  it("writes every bucket of a histogram, cumulative and ascending, +Inf last, then _sum and _count", () => {
    const family = METRIC_FAMILIES.scheduleLateness;
    const samples = [
      ...histogramDeltas(family, { tenant: "t" }, 0.3),
      ...histogramDeltas(family, { tenant: "t" }, 7),
    ];
    const merged = new Map<string, (typeof samples)[number]>();
    for (const sample of samples) {
      const key = `${sample.name}${JSON.stringify(sample.labels)}`;
      const seen = merged.get(key);
      merged.set(key, seen === undefined ? sample : { ...seen, value: seen.value + sample.value });
    }
    const lines = formatExposition(METRIC_FAMILY_LIST, [...merged.values()].reverse())
      .trim()
      .split("\n");
    expect(lines).toEqual([
      "# HELP edgeflow_schedule_lateness_seconds How long after its due time a schedule fire was taken in.",
      "# TYPE edgeflow_schedule_lateness_seconds histogram",
      'edgeflow_schedule_lateness_seconds_bucket{tenant="t",le="0.1"} 0',
      'edgeflow_schedule_lateness_seconds_bucket{tenant="t",le="0.5"} 1',
      'edgeflow_schedule_lateness_seconds_bucket{tenant="t",le="1"} 1',
      'edgeflow_schedule_lateness_seconds_bucket{tenant="t",le="2"} 1',
      'edgeflow_schedule_lateness_seconds_bucket{tenant="t",le="5"} 1',
      'edgeflow_schedule_lateness_seconds_bucket{tenant="t",le="10"} 2',
      'edgeflow_schedule_lateness_seconds_bucket{tenant="t",le="30"} 2',
      'edgeflow_schedule_lateness_seconds_bucket{tenant="t",le="60"} 2',
      'edgeflow_schedule_lateness_seconds_bucket{tenant="t",le="300"} 2',
      'edgeflow_schedule_lateness_seconds_bucket{tenant="t",le="3600"} 2',
      'edgeflow_schedule_lateness_seconds_bucket{tenant="t",le="+Inf"} 2',
      'edgeflow_schedule_lateness_seconds_sum{tenant="t"} 7.3',
      'edgeflow_schedule_lateness_seconds_count{tenant="t"} 2',
    ]);
  });

  it("names follow the conventions: counters end in _total, durations in _seconds", () => {
    for (const family of METRIC_FAMILY_LIST) {
      expect(family.name).toMatch(/^edgeflow_[a-z_]+$/);
      if (family.type === "counter") expect(family.name).toMatch(/_total$/);
      if (family.type === "histogram") expect(family.name).toMatch(/_seconds$/);
      if (family.buckets !== undefined)
        expect([...family.buckets].sort((a, b) => a - b)).toEqual(family.buckets);
    }
  });
});
