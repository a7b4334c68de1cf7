/**
 * `npm run bench`: runs every benchmark scenario, prints each figure beside its same-run
 * baseline, and writes bench/results/latest.json and, when every scenario ran, the Markdown table
 * bench/README.md. Timings are claimed here, never in unit tests.
 * `npm run bench -- engine expressions` runs only the named scenarios: their sections replace
 * the same sections of the last report (the others stay, with their own date) and the Markdown is
 * written from the merged report.
 */
import { useMeteredQuickJS } from "../cli/metered-quickjs.ts";
import { benchEngine } from "./engine.ts";
import { benchEvents } from "./events.ts";
import { benchEventsRuntime } from "./events-runtime.ts";
import { benchExpressions } from "./expressions.ts";
import { benchExternalCall } from "./external-call.ts";
import { benchGraph } from "./graph.ts";
import { benchGraphRun } from "./graph-run.ts";
import { benchHostileCpu } from "./hostile-cpu.ts";
import { benchIntakeLevers } from "./intake-levers.ts";
import { benchMatching } from "./matching.ts";
import { benchMcp } from "./mcp.ts";
import { benchMigrate } from "./migrate.ts";
import { benchNoisyNeighbour } from "./noisy-neighbour.ts";
import { benchObservability } from "./observability.ts";
import {
  type BenchSection,
  type Figure,
  machineInfo,
  mergeReport,
  printSection,
  readReport,
  withBaseline,
  writeMarkdown,
  writeReport,
} from "./report.ts";
import { benchRuns } from "./runs.ts";
import { benchScale } from "./scale.ts";

async function expressionsSection(): Promise<BenchSection> {
  const raw = await benchExpressions();
  const simple = { name: "QuickJS `input * 2`", value: raw["quickjs.simple_us"]!, unit: "µs" };
  const figures: Record<string, Figure> = {
    quickjs_simple: { value: simple.value, unit: "µs/eval" },
    quickjs_entries_filter_map: withBaseline(raw["quickjs.entries_filter_map_us"]!, "µs/eval", simple),
    template_3_expressions: withBaseline(raw["quickjs.template_3_expressions_us"]!, "µs/render", simple),
    template_3_expressions_whole_state: withBaseline(
      raw["quickjs.template_3_expressions_whole_state_us"]!,
      "µs/render",
      simple,
    ),
    cold_compile: withBaseline(raw["quickjs.cold_compile_simple_us"]!, "µs/eval", simple),
    new_sandbox: {
      value: raw["quickjs.new_sandbox_us"]!,
      unit: "µs",
      note: "built on a run's first expression that is not a plain property path",
    },
    path_shortcut: withBaseline(raw["quickjs.path_shortcut_us"]!, "µs/eval", {
      name: "the same path through the sandbox",
      value: raw["quickjs.path_sandbox_us"]!,
      unit: "µs",
    }),
    template_3_expressions_shortcut: withBaseline(
      raw["quickjs.template_3_expressions_shortcut_us"]!,
      "µs/render",
      simple,
    ),
    sandboxjs_simple: {
      value: raw["sandboxjs.simple_us"]!,
      unit: "µs/eval",
      note: "runner-up, for comparison",
    },
    sandboxjs_template_3_expressions: {
      value: raw["sandboxjs.template_3_expressions_us"]!,
      unit: "µs/render",
      note: "runner-up, for comparison",
    },
  };
  return { name: "expressions and templates (QuickJS sandbox)", figures };
}

const scenarios: { name: string; run: () => Promise<BenchSection> }[] = [
  { name: "expressions", run: expressionsSection },
  { name: "engine", run: benchEngine },
  { name: "graph", run: benchGraph },
  { name: "graph-run", run: benchGraphRun },
  { name: "mcp", run: benchMcp },
  { name: "noisy-neighbour", run: benchNoisyNeighbour },
  { name: "events", run: benchEvents },
  { name: "events-runtime", run: benchEventsRuntime },
  { name: "intake-levers", run: benchIntakeLevers },
  { name: "hostile-cpu", run: benchHostileCpu },
  { name: "external-call", run: benchExternalCall },
  { name: "observability", run: benchObservability },
  { name: "migrate", run: benchMigrate },
  { name: "runs", run: benchRuns },
  { name: "scale", run: benchScale },
  { name: "matching", run: benchMatching },
];

await useMeteredQuickJS();
const only = process.argv.slice(2);
const sections: BenchSection[] = [];
const latest = new URL("./results/latest.json", import.meta.url);
// a run of some scenarios only replaces their sections in the last report
const previous = only.length === 0 ? undefined : readReport(latest);
for (const scenario of scenarios) {
  if (only.length > 0 && !only.includes(scenario.name)) continue;
  const section = await scenario.run();
  printSection(section);
  sections.push(section);
  // written after every scenario, so that a later one failing loses none of the figures before it
  const fresh = { date: new Date().toISOString(), machine: machineInfo(), sections };
  const report = previous === undefined ? fresh : mergeReport(previous, fresh);
  writeReport(report, latest);
  writeMarkdown(report, new URL("./README.md", import.meta.url));
  console.log(`\nwrote bench/results/latest.json and bench/README.md (${sections.length} section(s) so far)`);
}
