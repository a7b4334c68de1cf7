/**
 * `npm run bench`: runs every benchmark scenario, prints each figure beside its same-run
 * baseline, and writes bench/results/latest.json. Timings are claimed here, never in unit tests.
 */
import { benchEngine } from "./engine.ts";
import { type BenchSection, machineInfo, printSection, writeReport } from "./report.ts";

const scenarios: { name: string; run: () => Promise<BenchSection> }[] = [
  { name: "engine", run: benchEngine },
];

const only = process.argv.slice(2);
const sections: BenchSection[] = [];
for (const scenario of scenarios) {
  if (only.length > 0 && !only.includes(scenario.name)) continue;
  const section = await scenario.run();
  printSection(section);
  sections.push(section);
}
const report = { date: new Date().toISOString(), machine: machineInfo(), sections };
writeReport(report, new URL("./results/latest.json", import.meta.url));
console.log("\nwrote bench/results/latest.json");
