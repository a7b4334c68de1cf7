/**
 * @module
 * The Prometheus text exposition format (version 0.0.4): one `# HELP` and `# TYPE` per family,
 * then its samples, label values escaped (`\\`, `\"`, `\n`), help text escaped (`\\`, `\n`).
 * A histogram's samples are its `_bucket` (cumulative, ascending `le`, `+Inf` last), `_sum` and
 * `_count` series. Families with no sample are left out. Pure: samples in, text out.
 */
import { formatValue, type MetricFamily, type MetricSample } from "./metric-catalog.ts";

export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels).sort((a, b) => (a === "le" ? 1 : b === "le" ? -1 : a.localeCompare(b)));
  if (names.length === 0) return "";
  return `{${names.map((name) => `${name}="${escapeLabelValue(labels[name] ?? "")}"`).join(",")}}`;
}

/** Which family a sample belongs to: its own name, or a histogram's with a suffix taken off. */
function familyNameOf(sample: MetricSample, histograms: ReadonlySet<string>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (sample.name.endsWith(suffix)) {
      const base = sample.name.slice(0, -suffix.length);
      if (histograms.has(base)) return base;
    }
  }
  return sample.name;
}

/**
 * One histogram's samples in the order the format wants: per label set, every bucket of the family
 * ascending (a bucket with no row of its own holds the count of the bucket below it: buckets are
 * cumulative and rows are only written for the buckets an observation reached), `+Inf`, `_sum`,
 * `_count`.
 */
function completeHistogram(family: MetricFamily, samples: MetricSample[]): MetricSample[] {
  const series = new Map<
    string,
    { labels: Record<string, string>; byLe: Map<string, number>; sum: number; count: number }
  >();
  for (const sample of samples) {
    const { le, ...labels } = sample.labels;
    const key = labelText(labels);
    let entry = series.get(key);
    if (entry === undefined) {
      entry = { labels, byLe: new Map(), sum: 0, count: 0 };
      series.set(key, entry);
    }
    if (sample.name.endsWith("_bucket") && le !== undefined) entry.byLe.set(le, sample.value);
    else if (sample.name.endsWith("_sum")) entry.sum = sample.value;
    else entry.count = sample.value;
  }
  const out: MetricSample[] = [];
  for (const key of [...series.keys()].sort()) {
    const { labels, byLe, sum, count } = series.get(key)!;
    let below = 0;
    for (const bound of [...(family.buckets ?? []).map(formatValue), "+Inf"]) {
      below = byLe.get(bound) ?? (bound === "+Inf" ? count : below);
      out.push({ name: `${family.name}_bucket`, labels: { ...labels, le: bound }, value: below });
    }
    out.push({ name: `${family.name}_sum`, labels, value: sum });
    out.push({ name: `${family.name}_count`, labels, value: count });
  }
  return out;
}

/** Writes `samples` under `families` (in that order); samples of an unknown family are dropped. */
export function formatExposition(
  families: readonly MetricFamily[],
  samples: readonly MetricSample[],
): string {
  const histograms = new Set(families.filter((f) => f.type === "histogram").map((f) => f.name));
  const byFamily = new Map<string, MetricSample[]>();
  for (const sample of samples) {
    const name = familyNameOf(sample, histograms);
    const list = byFamily.get(name);
    if (list === undefined) byFamily.set(name, [sample]);
    else list.push(sample);
  }
  const lines: string[] = [];
  for (const family of families) {
    const list = byFamily.get(family.name);
    if (list === undefined || list.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    const ordered =
      family.type === "histogram"
        ? completeHistogram(family, list)
        : [...list].sort((a, b) => labelText(a.labels).localeCompare(labelText(b.labels)));
    for (const sample of ordered)
      lines.push(`${sample.name}${labelText(sample.labels)} ${formatValue(sample.value)}`);
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
