/**
 * @module
 * A 100,000-task dependency graph of server-side no-op tasks run to completion in one RunDO under
 * `wrangler dev` (workerd, SQLite on disk), driven over remote MCP, in two shapes:
 *
 * - `wide`: `seed → work (for_each over 100,000 items) → done`, published as a 20-line file: the
 *   branches are task records like any other (one row each), created at run time;
 * - `deep`: a chain t0 → t1 → … → t99999 generated at run time by the step's `graph:` template
 *   (a 100,000-task file would pass the 1 MiB body and file limits).
 *
 * Wall time is what the client sees, from sending `workflow_start` to the run leaving
 * `workflow_list_active` (the TenantDO's index, polled every 20 ms, which leaves the RunDO
 * alone), with the run's own `completed_at − created_at` beside it (the RunDO's clock, which
 * stands still within one request in workerd, so it reads 0 for a graph done in one transition). Peak memory is workerd's resident set size, sampled every 20 ms from
 * `/proc/<pid>/status` (VmRSS) while the run goes, beside the RSS just before it started. Each
 * figure sits beside the same-run baselines: a 1-task graph through the same path, and the same
 * graph in this process through the step machine alone (no Durable Object, no SQLite) and
 * through the pure scheduler alone. Standalone: `node --experimental-strip-types bench/graph-run.ts`.
 */
import { pathToFileURL } from "node:url";
import { createEvaluator } from "../engine/expressions/quickjs-evaluator.ts";
import {
  claimReady,
  completeTask,
  createGraphRun,
  isGraphFinished,
  type TaskGraph,
  type TaskSpec,
} from "../engine/graph/index.ts";
import { loadWorkflow } from "../engine/loader/index.ts";
import { type MachineContext, nextWakeAt, startRun, transition } from "../engine/machine/index.ts";
import { createTenantClient } from "../test/e2e/edgeflow-client.ts";
import { startWranglerDev } from "../test/e2e/wrangler-dev.ts";
import type { StructuredToolCaller } from "../test/support/mcp-call.ts";
import { rssMb, workerdPids } from "./graph-run-support.ts";
import { type BenchSection, type Figure, printSection, round } from "./report.ts";

const TASKS = 100_000;
const PARALLEL_LIMIT = 1_000;
const POLL_MS = 20;
const SAMPLE_MS = 20;

type Shape = "wide" | "deep";

/** A workflow whose graph has `inputs.n` no-op tasks (plus seed, fan-out task and fan-in for `wide`). */
function workflowOf(shape: Shape): string {
  const header = `name: "bench:graph-${shape}"
description: "server-side no-op tasks, ${shape}"
version: "1.0.0"
inputs:
  n:
    type: "number"
    description: "how many tasks"
    required: true
`;
  if (shape === "wide") {
    return `${header}dependencies:
  seed: []
  work:
    needs: [seed]
    for_each: "{{ Array.from({length: inputs.n}, (_, i) => i) }}"
  done: [work]
steps:
  - id: "run_graph"
    type: "dependency_flow"
    parallel_limit: ${PARALLEL_LIMIT}
`;
  }
  return `${header}steps:
  - id: "run_graph"
    type: "dependency_flow"
    parallel_limit: ${PARALLEL_LIMIT}
    graph: "{{ Object.fromEntries(Array.from({length: inputs.n}, (_, i) => ['t' + i, i ? ['t' + (i - 1)] : []])) }}"
`;
}

/** Task records the graph ends with for `n`. */
function recordsOf(shape: Shape, n: number): number {
  return shape === "wide" ? n + 3 : n;
}

interface RunMeasurement {
  serverMs: number;
  clientMs: number;
  peakRssMb: number;
  rssBeforeMb: number;
  records: number;
}

export async function benchGraphRun(): Promise<BenchSection> {
  const figures: Record<string, Figure> = {};
  for (const shape of ["wide", "deep"] as const) {
    const machineMs = await machineAlone(shape);
    const schedulerMs = schedulerAlone(shape);
    // a fresh wrangler dev per shape, so that each memory figure starts from the same idle workerd
    const server = await startWranglerDev();
    try {
      const mcp = (await createTenantClient(server.baseUrl, server.adminToken, "bench-graph")).tool;
      const workerd = workerdPids();
      if (workerd.length === 0) throw new Error("no workerd process found under this one");
      await mcp("workflow_publish", { yaml: workflowOf(shape) });
      await runGraph(mcp, shape, 1, workerd); // warm-up
      const one = await runGraph(mcp, shape, 1, workerd);
      const big = await runGraph(mcp, shape, TASKS, workerd);
      Object.assign(figures, describe(shape, big, one, machineMs, schedulerMs));
    } finally {
      await server.stop();
    }
  }
  return { name: "100,000-task graph run in one RunDO under wrangler dev", figures };
}

function describe(
  shape: Shape,
  big: RunMeasurement,
  one: RunMeasurement,
  machineMs: number,
  schedulerMs: number,
): Record<string, Figure> {
  const perTaskUs = (big.clientMs * 1000) / big.records;
  const machineUs = (machineMs * 1000) / big.records;
  const comparison =
    shape === "wide"
      ? "; for comparison, Cloudflare Workflows allows 25,000 steps per instance, Inngest 1,000 per function"
      : "";
  return {
    [`${shape}_wall`]: {
      value: round(big.clientMs / 1000, 2),
      unit: "s",
      baseline: { name: "a 1-task graph, same path", value: round(one.clientMs / 1000, 3), unit: "s" },
      ratio: round(big.clientMs / one.clientMs, 1),
      note:
        `${big.records.toLocaleString("en-US")} tasks to completion, from workflow_start to the run leaving ` +
        `workflow_list_active (polled every ${POLL_MS} ms); the run's own created_at → completed_at: ` +
        `${round(big.serverMs / 1000, 2)} s${comparison}`,
    },
    [`${shape}_per_task`]: {
      value: round(perTaskUs, 1),
      unit: "µs/task",
      baseline: {
        name: "the same graph through the step machine alone, in Node (no RunDO, no SQLite)",
        value: round(machineUs, 1),
        unit: "µs/task",
      },
      ratio: round(perTaskUs / machineUs, 2),
      note: `the pure scheduler alone on the same graph: ${round((schedulerMs * 1000) / big.records, 2)} µs/task`,
    },
    [`${shape}_peak_rss`]: {
      value: round(big.peakRssMb, 1),
      unit: "MiB",
      baseline: { name: "workerd RSS just before the run", value: round(big.rssBeforeMb, 1), unit: "MiB" },
      ratio: round(big.peakRssMb / big.rssBeforeMb, 2),
      note:
        `sum of VmRSS of the workerd processes under wrangler dev, sampled every ${SAMPLE_MS} ms from /proc; ` +
        `+${round(big.peakRssMb - big.rssBeforeMb, 1)} MiB during the run`,
    },
  };
}

async function runGraph(
  mcp: StructuredToolCaller,
  shape: Shape,
  n: number,
  workerd: number[],
): Promise<RunMeasurement> {
  const rssBefore = rssMb(workerd);
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(workerd));
  }, SAMPLE_MS);
  const started = performance.now();
  try {
    const run = await mcp("workflow_start", { workflow: `bench:graph-${shape}`, inputs: { n } });
    const runId = String(run.workflow_id);
    let status = String(run.status);
    while (status === "running" || status === "waiting") {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const active = (await mcp("workflow_list_active", {})).workflows as { workflow_id: string }[];
      if (!active.some((entry) => entry.workflow_id === runId)) status = "done";
    }
    const clientMs = performance.now() - started;
    peak = Math.max(peak, rssMb(workerd));
    const final = await mcp("workflow_get_status", { workflow_id: runId });
    const graph = final.graph as { total: number; counts: { success: number } };
    if (final.status !== "completed" || graph.counts.success !== recordsOf(shape, n)) {
      throw new Error(`run ${runId} ended ${final.status}: ${JSON.stringify(final.error ?? graph)}`);
    }
    const serverMs = Date.parse(String(final.completed_at)) - Date.parse(String(final.created_at));
    return { serverMs, clientMs, peakRssMb: peak, rssBeforeMb: rssBefore, records: graph.total };
  } finally {
    clearInterval(sampler);
  }
}

/** The same workflow through the step machine in this process: start, then its timers until done. */
async function machineAlone(shape: Shape): Promise<number> {
  const loaded = loadWorkflow(workflowOf(shape));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const evaluator = await createEvaluator();
  try {
    const context = (now: number, graph?: MachineContext["graph"]): MachineContext => ({
      now,
      evaluator,
      ...(graph === undefined ? {} : { graph }),
    });
    const started = performance.now();
    let now = 0;
    let result = startRun(loaded.definition, { id: "wf_bench", inputs: { n: TASKS } }, context(now));
    let graph = result.graph?.state;
    while (result.run.status === "running") {
      now = nextWakeAt(result.run, graph) ?? now;
      result = transition(loaded.definition, result.run, { kind: "timers" }, context(now, graph));
      graph = result.graph?.state ?? graph;
    }
    if (result.run.status !== "completed")
      throw new Error(`machine alone: ${JSON.stringify(result.run.error)}`);
    return performance.now() - started;
  } finally {
    evaluator.dispose();
  }
}

/** The same graph through the pure scheduler: no expressions, no threads, no storage. */
function schedulerAlone(shape: Shape): number {
  const spec = (id: string, needs: string[], forEach?: unknown[]): TaskSpec => ({
    id,
    needs,
    when: [],
    priority: 0,
    triggerRule: "all_success",
    retries: 0,
    ...(forEach === undefined ? {} : { forEach }),
  });
  const graph: TaskGraph =
    shape === "wide"
      ? {
          tasks: [
            spec("seed", []),
            spec(
              "work",
              ["seed"],
              Array.from({ length: TASKS }, (_, i) => i),
            ),
            spec("done", ["work"]),
          ],
        }
      : { tasks: Array.from({ length: TASKS }, (_, i) => spec(`t${i}`, i === 0 ? [] : [`t${i - 1}`])) };
  const hooks = { evaluateCondition: () => true };
  const started = performance.now();
  const state = createGraphRun(graph, { hooks, now: 0 });
  let now = 0;
  while (!isGraphFinished(state)) {
    const { claimed } = claimReady(state, { parallelLimit: PARALLEL_LIMIT, now: ++now });
    for (const task of claimed) completeTask(state, task.id, { status: "success" }, { hooks, now });
  }
  return performance.now() - started;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printSection(await benchGraphRun());
}
