/**
 * @module
 * Bad graphs (test/fixtures/graph/invalid): cycles listed in run order, self-edges, missing
 * tasks, priorities, tasks that can never run, and the size quota on a 1,000,000-task graph
 * (built cheaply: one shared task object), refused before any work proportional to it. The
 * loader reports the graph's errors with line:column.
 */
import { describe, expect, it } from "vitest";
import { EngineError } from "../../../engine/errors.ts";
import {
  createGraphRun,
  MAX_GRAPH_TASKS,
  type TaskGraph,
  type TaskSpec,
  validateGraph,
} from "../../../engine/graph/index.ts";
import { loadWorkflow } from "../../../engine/loader/index.ts";
import { TRUE_HOOKS } from "./drive.ts";
import { bareGraph, graphFixtureText } from "./graph-fixtures.ts";

function task(id: string, needs: string[] = [], extra: Partial<TaskSpec> = {}): TaskSpec {
  return { id, needs, when: [], priority: 0, triggerRule: "all_success", retries: 0, ...extra };
}

function thrown(action: () => unknown): EngineError {
  try {
    action();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error("expected an EngineError");
}

describe("validateGraph", () => {
  it("lists a cycle in run order from its earliest-declared task", () => {
    expect(validateGraph(bareGraph("invalid/cycle.yaml"))).toEqual([
      {
        code: "graph.cycle",
        message: "dependencies form a cycle: a → b → c → a",
        severity: "error",
        task: "a",
      },
    ]);
  });

  it("reports a self-edge as such, not as a cycle", () => {
    expect(validateGraph(bareGraph("invalid/self-edge.yaml"))).toEqual([
      {
        code: "graph.self_edge",
        message: 'task "build" needs itself',
        severity: "error",
        task: "build",
        field: "needs",
        need: "build",
      },
    ]);
  });

  it("names both tasks when a needed task is missing", () => {
    expect(
      validateGraph(bareGraph("invalid/unknown-task.yaml")).map((d) => [d.code, d.message, d.need]),
    ).toEqual([
      ["graph.unknown_task", 'task "deploy" needs "publish", which the graph does not define', "publish"],
    ]);
  });

  it("warns about tasks that can never run, and only those", () => {
    expect(
      validateGraph(bareGraph("invalid/unreachable.yaml")).map((d) => [d.severity, d.code, d.message]),
    ).toEqual([
      ["warning", "graph.unreachable", 'task "legacy" can never run: its condition is always false'],
      [
        "warning",
        "graph.unreachable",
        'task "after_legacy" can never run: its trigger rule all_success can never be met ("legacy" can never run)',
      ],
      [
        "warning",
        "graph.unreachable",
        'task "failure_report" can never run: its trigger rule one_failed can never be met ("legacy" can never run)',
      ],
    ]);
  });

  it("finds a never-runnable all_failed task behind a disabled one, and raises no false alarm", () => {
    const graph: TaskGraph = {
      tasks: [
        task("a"),
        task("off", [], { when: [false] }),
        task("both_failed", ["a", "off"], { triggerRule: "all_failed" }),
        task("one_ok", ["a", "off"], { triggerRule: "one_success" }),
        task("no_fail", ["off"], { triggerRule: "none_failed" }),
        // `a` failing makes `guarded` upstream_failed, which starts `on_failure`
        task("guarded", ["a"], { when: [false] }),
        task("on_failure", ["guarded"], { triggerRule: "one_failed" }),
      ],
    };
    expect(validateGraph(graph).map((d) => d.task)).toEqual(["off", "both_failed", "guarded"]);
  });

  it("refuses priorities that are not whole numbers in range, and reserved or duplicate names", () => {
    const graph: TaskGraph = {
      tasks: [
        task("a", [], { priority: 1.5 }),
        task("b", [], { priority: 1_000_001 }),
        task("c", [], { priority: -1_000_000 }),
        task("__proto__"),
        task("a"),
      ],
    };
    expect(validateGraph(graph).map((d) => `${d.code} ${d.task}`)).toEqual([
      "graph.bad_priority a",
      "graph.bad_priority b",
      "graph.bad_task_name __proto__",
      "graph.duplicate_task a",
    ]);
  });

  it("warns about a task needed twice and counts it once", () => {
    const graph: TaskGraph = { tasks: [task("a"), { ...task("b", ["a"]), declaredNeeds: ["a", "a"] }] };
    expect(validateGraph(graph).map((d) => `${d.severity} ${d.code}`)).toEqual([
      "warning graph.duplicate_need",
    ]);
  });

  it("createGraphRun throws the errors as one EngineError", () => {
    const error = thrown(() =>
      createGraphRun(bareGraph("invalid/cycle.yaml"), { hooks: TRUE_HOOKS, now: 0 }),
    );
    expect([error.code, error.message, error.path]).toEqual([
      "graph.cycle",
      "dependencies form a cycle: a → b → c → a",
      "dependencies.a",
    ]);
  });
});

describe("quotas", () => {
  it("refuses a 1,000,000-task graph at once with graph.too_large", () => {
    const shared = task("t");
    const graph: TaskGraph = { tasks: new Array<TaskSpec>(1_000_000).fill(shared) };
    const started = performance.now();
    expect(validateGraph(graph)).toEqual([
      {
        code: "graph.too_large",
        message: "the graph has 1,000,000 tasks; the limit is 200,000",
        severity: "error",
      },
    ]);
    expect(thrown(() => createGraphRun(graph, { hooks: TRUE_HOOKS, now: 0 })).code).toBe("graph.too_large");
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("accepts exactly the quota and refuses one more", () => {
    const shared = task("t");
    expect(validateGraph({ tasks: new Array<TaskSpec>(MAX_GRAPH_TASKS + 1).fill(shared) })[0]?.code).toBe(
      "graph.too_large",
    );
    expect(validateGraph({ tasks: new Array<TaskSpec>(MAX_GRAPH_TASKS).fill(shared) })[0]?.code).toBe(
      "graph.duplicate_task",
    );
  });

  it("refuses more than 1,000,000 edges", () => {
    const names = Array.from({ length: 1_000 }, (_, i) => `n${i}`);
    const graph: TaskGraph = {
      tasks: [
        ...names.map((name) => task(name)),
        ...Array.from({ length: 1_001 }, (_, i) => task(`m${i}`, names)),
      ],
    };
    expect(validateGraph(graph)[0]?.message).toBe(
      "the graph has 1,001,000 edges (needs); the limit is 1,000,000",
    );
  });

  it("fails a for_each task whose branches would pass the quota", () => {
    const graph: TaskGraph = { tasks: [task("fan", [], { forEach: new Array(MAX_GRAPH_TASKS).fill(0) })] };
    const state = createGraphRun(graph, { hooks: TRUE_HOOKS, now: 0 });
    expect([state.tasks[0]?.status, state.tasks[0]?.error?.code, state.tasks.length]).toEqual([
      "failed",
      "graph.too_large",
      1,
    ]);
  });
});

describe("loader check", () => {
  it("reports bad priorities at the priority, and leaves cycles and unknown tasks to the dependency-graph check", () => {
    const result = loadWorkflow(graphFixtureText("invalid/bad-priority.yaml"));
    expect(!result.ok && result.errors.map((e) => `${e.line}:${e.column} ${e.code} ${e.path}`)).toEqual([
      "8:32 graph.bad_priority dependencies.build[1].priority",
      "11:15 graph.bad_priority dependencies.deploy.priority",
    ]);
    const cycle = loadWorkflow(
      [
        'name: "t:cycle"',
        'description: "d"',
        'version: "1.0.0"',
        "dependencies:",
        "  a: [b]",
        "  b: [a]",
        "  constructor: []",
        "steps:",
        "  - id: run_graph",
        "    type: dependency_flow",
      ].join("\n"),
    );
    expect(!cycle.ok && cycle.errors.map((e) => `${e.line}:${e.column} ${e.code}`)).toEqual([
      "5:6 loader.dependency_cycle",
      "7:3 graph.bad_task_name",
    ]);
  });

  it("loads every valid graph fixture without errors", () => {
    for (const name of [
      "seed-release.yaml",
      "diamond.yaml",
      "fan-out.yaml",
      "skip-chain.yaml",
      "dynamic.yaml",
    ]) {
      const result = loadWorkflow(graphFixtureText(name));
      expect(result.ok ? [] : result.errors, name).toEqual([]);
    }
  });
});
