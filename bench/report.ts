/**
 * @module
 * The benchmark's report format: every figure sits beside the baseline measured in the same run
 * and, where an issue sets one, its target. `npm run bench` prints the table and writes
 * `bench/results/latest.json` and, from it, the Markdown `bench/README.md`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";

export interface Figure {
  value: number;
  unit: string;
  /** what the figure is compared with, measured in the same run */
  baseline?: { name: string; value: number; unit: string };
  /** value ÷ baseline value */
  ratio?: number;
  /** the goal, as text ("p50 < 5 ms") */
  target?: string;
  note?: string;
  /** the same figure in the report this run replaced (`npm run bench -- <scenario>`): before and after, side by side */
  before?: { value: number; ratio?: number; date: string };
}

export interface BenchSection {
  name: string;
  figures: Record<string, Figure>;
  /** set when the section was measured apart from the report's run (`npm run bench -- <scenario>`) */
  date?: string;
}

export interface BenchReport {
  date: string;
  machine: { cores: number; cpu: string; node: string; platform: string };
  sections: BenchSection[];
}

export function machineInfo(): BenchReport["machine"] {
  const cpuList = cpus();
  return {
    cores: cpuList.length,
    cpu: cpuList[0]?.model ?? "unknown",
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function withBaseline(
  value: number,
  unit: string,
  baseline: Figure["baseline"] & {},
  ratioDigits = 3,
): Figure {
  return { value, unit, baseline, ratio: round(value / baseline.value, ratioDigits) };
}

/** A latency in ms beside a latency of the same run (`baselineName`), with the ratio to two places. */
export function msVersus(
  value: number,
  baselineName: string,
  baselineValue: number,
  more: Pick<Figure, "target" | "note"> = {},
): Figure {
  return {
    ...withBaseline(value, "ms", { name: baselineName, value: baselineValue, unit: "ms" }, 2),
    ...more,
  };
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Percentile of already-sorted samples (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function readReport(path: URL): BenchReport | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as BenchReport) : undefined;
}

/**
 * The previous report with the fresh run's sections in place of those of the same name (new
 * ones added at the end), each dated, since it was not measured in the previous report's run.
 */
export function mergeReport(previous: BenchReport, fresh: BenchReport): BenchReport {
  const dated = fresh.sections.map((section) => {
    const replaced = previous.sections.find((old) => old.name === section.name);
    const when = replaced?.date ?? previous.date;
    return {
      ...section,
      date: fresh.date,
      figures: withBefore(section.figures, replaced?.figures ?? {}, when),
    };
  });
  const sections = previous.sections.map(
    (section) => dated.find((replacement) => replacement.name === section.name) ?? section,
  );
  for (const section of dated) if (!sections.includes(section)) sections.push(section);
  return { ...previous, sections };
}

/** Each figure with the value it had in the replaced section, when it had one. */
function withBefore(
  figures: Record<string, Figure>,
  replaced: Record<string, Figure>,
  date: string,
): Record<string, Figure> {
  const entries = Object.entries(figures).map(([name, figure]) => {
    const old = replaced[name];
    if (old === undefined) return [name, figure] as const;
    const before = { value: old.value, ...(old.ratio === undefined ? {} : { ratio: old.ratio }), date };
    return [name, { ...figure, before }] as const;
  });
  return Object.fromEntries(entries);
}

export function writeReport(report: BenchReport, path: URL): void {
  mkdirSync(new URL(".", path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

export function printSection(section: BenchSection): void {
  console.log(`\n## ${section.name}`);
  for (const [name, figure] of Object.entries(section.figures)) {
    const base = figure.baseline
      ? `  (baseline ${figure.baseline.name}: ${figure.baseline.value} ${figure.baseline.unit}, ratio ${figure.ratio})`
      : "";
    const target = figure.target ? `  target: ${figure.target}` : "";
    console.log(`  ${name}: ${figure.value} ${figure.unit}${base}${target}`);
  }
}

/**
 * The report as Markdown (`bench/README.md`): the date and machine, then one table per section,
 * each figure beside its same-run baseline, the ratio and the target.
 */
export function renderMarkdown(report: BenchReport): string {
  const { machine } = report;
  const lines = [
    "# Benchmarks",
    "",
    "Generated by `npm run bench` from `bench/results/latest.json`; do not edit by hand. Each figure",
    "stands beside the baseline measured in the same run on the same machine, and beside its target",
    "where an issue sets one.",
    "",
    `- **Date:** ${report.date}`,
    `- **Machine:** ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, ${machine.platform}`,
  ];
  for (const section of report.sections) {
    lines.push(
      "",
      `## ${section.name}`,
      "",
      ...(section.date === undefined ? [] : [`Measured on its own on ${section.date}.`, ""]),
      "| figure | value | baseline (same run) | ratio | target | note |",
    );
    lines.push("| --- | ---: | --- | ---: | --- | --- |");
    for (const [name, figure] of Object.entries(section.figures)) {
      const baseline = figure.baseline
        ? `${figure.baseline.name}: ${figure.baseline.value} ${figure.baseline.unit}`
        : "";
      const cells = [
        `\`${name}\``,
        `${figure.value} ${figure.unit}`,
        baseline,
        figure.ratio === undefined ? "" : String(figure.ratio),
        figure.target ?? "",
        [figure.note, beforeText(figure)].filter((part) => part !== undefined).join("; "),
      ];
      lines.push(`| ${cells.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export function writeMarkdown(report: BenchReport, path: URL): void {
  writeFileSync(path, renderMarkdown(report));
}

function beforeText(figure: Figure): string | undefined {
  const { before } = figure;
  if (before === undefined) return undefined;
  const ratio = before.ratio === undefined ? "" : `, ratio ${before.ratio}`;
  return `before (${before.date.slice(0, 10)}): ${before.value} ${figure.unit}${ratio}`;
}
