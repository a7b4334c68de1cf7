/**
 * @module
 * Dependency-graph scheduler benchmark: the pure scheduler alone (no RunDO, no storage) running
 * 1k / 10k / 100k-task graphs of three shapes to completion: `wide` (one task fans out to all
 * the others, which fan back in to one), `deep` (a single chain) and `random` (up to three needs
 * among the 50 previous tasks, random priorities and trigger rules). A run is `createGraphRun`
 * (validation included) and then claim-up-to-16 / complete until done. The baseline is a plain
 * topological sort of the same graph in the same process: the least work any scheduler does.
 * Linear scaling shows as a 100k/10k ratio of total times near 10.
 * Standalone: `node --experimental-strip-types bench/graph.ts`.
 */
import { pathToFileURL } from "node:url";
import {
  claimReady,
  completeTask,
  createGraphRun,
  type GraphHooks,
  type GraphRunState,
  isGraphFinished,
  type TaskGraph,
  type TaskSpec,
  type TriggerRule,
} from "../engine/graph/index.ts";
import { type BenchSection, type Figure, printSection, round, withBaseline } from "./report.ts";

const SIZES = [1_000, 10_000, 100_000] as const;
const SHAPES = ["wide", "deep", "random"] as const;
const PARALLEL_LIMIT = 16;
const hooks: GraphHooks = { evaluateCondition: () => true };

type Shape = (typeof SHAPES)[number];

export async function benchGraph(): Promise<BenchSection> {
  const figures: Record<string, Figure> = {};
  for (const shape of SHAPES) {
    const measured = new Map<number, Measurement>();
    for (const size of SIZES) {
      const graph = buildGraph(shape, size);
      const m = measure(graph, size >= 100_000 ? 7 : size >= 10_000 ? 21 : 101);
      measured.set(size, m);
      const baseline = {
        name: "topological sort of the same graph",
        value: round((m.sortMs * 1000) / size),
        unit: "µs/task",
      };
      figures[`${shape}_${label(size)}`] = {
        ...withBaseline(round(((m.createMs + m.runMs) * 1000) / size), "µs/task", baseline),
        note:
          `${size.toLocaleString("en-US")} tasks, ${edgeCount(graph).toLocaleString("en-US")} edges: ` +
          `start ${round(m.createMs, 1)} ms (validation included) + run ${round(m.runMs, 1)} ms`,
      };
    }
    const small = measured.get(10_000)!;
    const large = measured.get(100_000)!;
    figures[`${shape}_100k_vs_10k`] = {
      ...withBaseline(
        round((large.createMs + large.runMs) / (small.createMs + small.runMs), 2),
        "× total time",
        {
          name: "the same ratio for the topological sort",
          value: round(large.sortMs / small.sortMs, 2),
          unit: "×",
        },
      ),
      target: "≈ 10 (linear)",
    };
    figures[`${shape}_100k_vs_10k_run_only`] = {
      value: round(large.runMs / small.runMs, 2),
      unit: "× time",
      target: "≈ 10 (linear)",
      note: "claims and completions only, after createGraphRun",
    };
  }
  figures.random_100k_row_bytes = rowBytes(buildGraph("random", 100_000));
  return { name: "dependency-graph scheduler (pure, no storage)", figures };
}

interface Measurement {
  createMs: number;
  runMs: number;
  sortMs: number;
}

/** Medians over `repeats` runs (after one warm-up) of starting a run, running it, and the baseline sort. */
function measure(graph: TaskGraph, repeats: number): Measurement {
  const creates: number[] = [];
  const runs: number[] = [];
  const sorts: number[] = [];
  for (let i = 0; i <= repeats; i++) {
    let start = performance.now();
    const state = createGraphRun(graph, { hooks, now: 0 });
    const created = performance.now();
    runToCompletion(state, graph.tasks.length);
    const ran = performance.now();
    topologicalSort(graph);
    const sorted = performance.now();
    if (i === 0) continue;
    creates.push(created - start);
    runs.push(ran - created);
    sorts.push(sorted - ran);
    start = sorted;
  }
  return { createMs: middle(creates), runMs: middle(runs), sortMs: middle(sorts) };
}

function label(size: number): string {
  return `${size / 1000}k`;
}

function spec(id: string, needs: string[], priority = 0, triggerRule: TriggerRule = "all_success"): TaskSpec {
  return { id, needs, when: [], priority, triggerRule, retries: 0 };
}

export function buildGraph(shape: Shape, size: number): TaskGraph {
  const name = (i: number) => `t${i}`;
  if (shape === "deep") {
    return { tasks: Array.from({ length: size }, (_, i) => spec(name(i), i === 0 ? [] : [name(i - 1)])) };
  }
  if (shape === "wide") {
    const middle = Array.from({ length: size - 2 }, (_, i) => name(i + 1));
    return {
      tasks: [spec(name(0), []), ...middle.map((id) => spec(id, [name(0)])), spec(name(size - 1), middle)],
    };
  }
  const random = seeded(42);
  const rules: TriggerRule[] = ["all_success", "all_success", "all_done", "none_failed", "one_success"];
  return {
    tasks: Array.from({ length: size }, (_, i) => {
      const needs = new Set<string>();
      for (let k = 0; k < 3 && i > 0; k++) needs.add(name(Math.max(0, i - 1 - Math.floor(random() * 50))));
      return spec(name(i), [...needs], Math.floor(random() * 10), rules[Math.floor(random() * rules.length)]);
    }),
  };
}

function runToCompletion(state: GraphRunState, size: number): void {
  let now = 0;
  for (;;) {
    const { claimed } = claimReady(state, { parallelLimit: PARALLEL_LIMIT, now: ++now });
    if (claimed.length === 0) break;
    for (const task of claimed) completeTask(state, task.id, { status: "success" }, { hooks, now: ++now });
  }
  if (!isGraphFinished(state) || state.counts.success !== size) {
    throw new Error(`the run ended with ${JSON.stringify(state.counts)}`);
  }
}

function topologicalSort(graph: TaskGraph): void {
  const byId = new Map(graph.tasks.map((task, index) => [task.id, index]));
  const remaining = new Int32Array(graph.tasks.length);
  const dependents: number[][] = graph.tasks.map(() => []);
  graph.tasks.forEach((task, index) => {
    remaining[index] = task.needs.length;
    for (const need of task.needs) dependents[byId.get(need)!]!.push(index);
  });
  const order: number[] = [];
  remaining.forEach((count, index) => {
    if (count === 0) order.push(index);
  });
  for (let head = 0; head < order.length; head++) {
    for (const next of dependents[order[head]!]!) if (--remaining[next]! === 0) order.push(next);
  }
  if (order.length !== graph.tasks.length) throw new Error("not a DAG");
}

function rowBytes(graph: TaskGraph): Figure {
  const state = createGraphRun(graph, { hooks, now: 0 });
  runToCompletion(state, graph.tasks.length);
  let bytes = 0;
  for (const row of state.tasks) bytes += JSON.stringify(row).length;
  return {
    value: Math.round(bytes / state.tasks.length),
    unit: "bytes/row",
    note: "one finished task's record as JSON (no run spec, no result): what the RunDO stores per task",
  };
}

function edgeCount(graph: TaskGraph): number {
  return graph.tasks.reduce((sum, task) => sum + task.needs.length, 0);
}

function seeded(seed: number): () => number {
  let value = seed;
  return () => {
    value = (value + 0x6d2b79f5) | 0;
    let mixed = Math.imul(value ^ (value >>> 15), 1 | value);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function middle(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printSection(await benchGraph());
}
