/**
 * @module
 * The benchmark's report format: every figure sits beside the baseline measured in the same run
 * and, where an issue sets one, its target. `npm run bench` prints the table and writes
 * `bench/results/latest.json`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
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
}

export interface BenchSection {
  name: string;
  figures: Record<string, Figure>;
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

export function withBaseline(value: number, unit: string, baseline: Figure["baseline"] & {}): Figure {
  return { value, unit, baseline, ratio: round(value / baseline.value) };
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
