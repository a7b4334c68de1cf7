/**
 * @module
 * Scenario fixtures under test/fixtures/graph, each run to the end: a diamond with priorities,
 * `for_each` fan-out with a fan-in that reads every branch's result, and a conditional skip
 * chain through every trigger rule.
 */
import { describe, expect, it } from "vitest";
import {
  claimReady,
  completeTask,
  createGraphRun,
  criticalPath,
  type GraphHooks,
  type GraphRunState,
  tasksScope,
} from "../../../engine/graph/index.ts";
import { drive, statuses, TRUE_HOOKS } from "./drive.ts";
import { fixtureGraph } from "./graph-fixtures.ts";

describe("diamond fan-out / fan-in", () => {
  const graph = fixtureGraph("diamond.yaml");

  it("one at a time: the higher priority of two ready tasks first, the fan-in last", () => {
    expect(drive(graph, { parallelLimit: 1 }).claims).toEqual(["prepare", "right", "left", "merge"]);
  });

  it("two at a time: both branches run together, the fan-in waits for both", () => {
    const state = createGraphRun(graph, { hooks: TRUE_HOOKS, now: 0 });
    expect(claimReady(state, { parallelLimit: 2, now: 0 }).claimed.map((task) => task.id)).toEqual([
      "prepare",
    ]);
    completeTask(state, "prepare", { status: "success" }, { hooks: TRUE_HOOKS, now: 10 });
    expect(claimReady(state, { parallelLimit: 2, now: 10 }).claimed.map((task) => task.id)).toEqual([
      "right",
      "left",
    ]);
    completeTask(state, "left", { status: "success" }, { hooks: TRUE_HOOKS, now: 15 });
    expect(claimReady(state, { parallelLimit: 2, now: 15 }).claimed).toEqual([]);
    completeTask(state, "right", { status: "success" }, { hooks: TRUE_HOOKS, now: 40 });
    expect(claimReady(state, { parallelLimit: 2, now: 40 }).claimed.map((task) => task.id)).toEqual([
      "merge",
    ]);
    const done = completeTask(state, "merge", { status: "success" }, { hooks: TRUE_HOOKS, now: 50 });
    expect(done.finished).toBe(true);
    expect(criticalPath(state)).toEqual({ tasks: ["prepare", "right", "merge"], length: 50, unit: "ms" });
    expect(criticalPath(graph)).toEqual({ tasks: ["prepare", "left", "merge"], length: 3, unit: "tasks" });
  });

  it("a failed branch makes the fan-in upstream_failed; all_done would still run it", () => {
    const run = drive(graph, {
      outcome: (task) => (task.id === "left" ? { status: "failed" } : { status: "success" }),
    });
    expect(statuses(run.state)).toMatchObject({ left: "failed", right: "success", merge: "upstream_failed" });
    const lenient = { tasks: graph.tasks.map((task) => ({ ...task, triggerRule: "all_done" as const })) };
    const again = drive(lenient, {
      outcome: (task) => (task.id === "left" ? { status: "failed" } : { status: "success" }),
    });
    expect(statuses(again.state).merge).toBe("success");
  });
});

describe("for_each fan-out", () => {
  const graph = fixtureGraph("fan-out.yaml");

  function hooksFor(read: () => GraphRunState): GraphHooks {
    return {
      evaluateCondition: (_task, source) => {
        expect(source).toBe("{{ tasks.lint.results.length > 0 }}");
        return (tasksScope(read()).lint?.results?.length ?? 0) > 0;
      },
      resolveItems: (task, source) => {
        expect([task, source]).toEqual(["lint", "{{ tasks.list_files.result.files }}"]);
        return (tasksScope(read()).list_files?.result as { files: string[] } | undefined)?.files ?? [];
      },
    };
  }

  function start(files: string[]): { state: GraphRunState; hooks: GraphHooks } {
    let current: GraphRunState | undefined;
    const hooks = hooksFor(() => current!);
    const state = createGraphRun(graph, { hooks, now: 0 });
    current = state;
    claimReady(state, { now: 1 });
    completeTask(state, "list_files", { status: "success", result: { files } }, { hooks, now: 2 });
    return { state, hooks };
  }

  it("one branch per item; the fan-in sees every result in item order, whatever the completion order", () => {
    const { state, hooks } = start(["a.ts", "b.ts", "c.ts"]);
    expect(state.tasks.find((task) => task.id === "lint")?.status).toBe("running");
    const branches = claimReady(state, { parallelLimit: 3, now: 3 }).claimed;
    expect(branches.map((task) => [task.id, task.item, task.timeoutSeconds])).toEqual([
      ["lint[0]", "a.ts", 60],
      ["lint[1]", "b.ts", 60],
      ["lint[2]", "c.ts", 60],
    ]);
    completeTask(
      state,
      "lint[2]",
      { status: "success", result: { file: "c.ts", ok: true } },
      { hooks, now: 4 },
    );
    completeTask(state, "lint[1]", { status: "failed" }, { hooks, now: 5 });
    expect(claimReady(state, { parallelLimit: 3, now: 6 }).claimed.map((task) => task.id)).toEqual([
      "lint[1]",
    ]);
    completeTask(
      state,
      "lint[1]",
      { status: "success", result: { file: "b.ts", ok: false } },
      { hooks, now: 7 },
    );
    completeTask(
      state,
      "lint[0]",
      { status: "success", result: { file: "a.ts", ok: true } },
      { hooks, now: 8 },
    );
    expect(tasksScope(state).lint).toEqual({
      status: "success",
      results: [
        { file: "a.ts", ok: true },
        { file: "b.ts", ok: false },
        { file: "c.ts", ok: true },
      ],
    });
    expect(Object.keys(tasksScope(state))).toEqual(["list_files", "lint", "summarise"]);
    expect(claimReady(state, { now: 9 }).claimed.map((task) => task.id)).toEqual(["summarise"]);
  });

  it("an empty list succeeds at once with no results; the fan-in's condition then skips it", () => {
    const { state } = start([]);
    expect(statuses(state)).toEqual({ list_files: "success", lint: "success", summarise: "skipped" });
    expect(tasksScope(state).lint?.results).toEqual([]);
  });

  it("a branch that fails past its retries fails the task (null in its place); the fan-in is upstream_failed", () => {
    const { state, hooks } = start(["a.ts", "b.ts"]);
    claimReady(state, { now: 3 });
    completeTask(state, "lint[0]", { status: "success", result: 1 }, { hooks, now: 4 });
    for (let attempt = 0; attempt < 2; attempt++) {
      completeTask(state, "lint[1]", { status: "failed" }, { hooks, now: 5 });
      claimReady(state, { now: 6 });
    }
    const lint = state.tasks.find((task) => task.id === "lint")!;
    expect([lint.status, lint.results, lint.error?.code]).toEqual([
      "failed",
      [1, null],
      "graph.branch_failed",
    ]);
    expect(statuses(state).summarise).toBe("upstream_failed");
  });

  it("a source that is not a list fails the task", () => {
    let current: GraphRunState | undefined;
    const hooks: GraphHooks = {
      ...hooksFor(() => current!),
      resolveItems: () => "nope" as unknown as unknown[],
    };
    const state = createGraphRun(graph, { hooks, now: 0 });
    current = state;
    claimReady(state, { now: 1 });
    completeTask(state, "list_files", { status: "success" }, { hooks, now: 2 });
    expect(state.tasks[1]?.error?.code).toBe("graph.bad_items");
  });
});

describe("conditional skip chains", () => {
  const graph = fixtureGraph("skip-chain.yaml");

  it("a false condition skips down all_success; none_failed and all_done run; one_failed is skipped", () => {
    const run = drive(graph, { hooks: { evaluateCondition: () => false } });
    expect(statuses(run.state)).toEqual({
      fetch: "success",
      deep_scan: "skipped",
      report: "skipped",
      publish: "skipped",
      notify: "success",
      alert: "skipped",
      cleanup: "success",
    });
    expect(run.claims).toEqual(["fetch", "notify", "cleanup"]);
  });

  it("a failure: all_success → upstream_failed, none_failed → upstream_failed, one_failed runs", () => {
    const run = drive(graph, {
      hooks: { evaluateCondition: () => true },
      outcome: (task) => (task.id === "deep_scan" ? { status: "failed" } : { status: "success" }),
    });
    expect(statuses(run.state)).toEqual({
      fetch: "success",
      deep_scan: "failed",
      report: "upstream_failed",
      publish: "upstream_failed",
      notify: "upstream_failed",
      alert: "success",
      cleanup: "success",
    });
  });

  it("a condition that throws fails the task with the error's code", () => {
    const run = drive(graph, {
      hooks: {
        evaluateCondition: () => {
          throw Object.assign(new Error("boom"), { code: "x" });
        },
      },
    });
    const deepScan = run.state.tasks.find((task) => task.id === "deep_scan")!;
    expect([deepScan.status, deepScan.error?.code, deepScan.attempts]).toEqual([
      "failed",
      "graph.condition_failed",
      0,
    ]);
  });
});
