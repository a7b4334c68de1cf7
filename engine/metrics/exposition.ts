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

/** Histogram series in the order the format wants: per label set, buckets by `le`, then sum, count. */
function orderHistogram(samples: MetricSample[]): MetricSample[] {
  const seriesKey = (sample: MetricSample) => {
    const { le: _le, ...rest } = sample.labels;
    return labelText(rest);
  };
  const kind = (sample: MetricSample) =>
    sample.name.endsWith("_bucket") ? 0 : sample.name.endsWith("_sum") ? 1 : 2;
  const bound = (sample: MetricSample) =>
    sample.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(sample.labels.le ?? 0);
  return [...samples].sort((a, b) => {
    const byKey = seriesKey(a).localeCompare(seriesKey(b));
    if (byKey !== 0) return byKey;
    const byKind = kind(a) - kind(b);
    if (byKind !== 0) return byKind;
    return bound(a) === bound(b) ? 0 : bound(a) < bound(b) ? -1 : 1;
  });
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
        ? orderHistogram(list)
        : [...list].sort((a, b) => labelText(a.labels).localeCompare(labelText(b.labels)));
    for (const sample of ordered)
      lines.push(`${sample.name}${labelText(sample.labels)} ${formatValue(sample.value)}`);
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
