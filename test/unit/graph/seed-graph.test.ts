/**
 * @module
 * The plan's example `dependencies` block (test/fixtures/graph/seed-release.yaml), run with the
 * `parallel_limit` of its `dependency_flow` step: conditions decide through the caller's hook.
 */
import { describe, expect, it } from "vitest";
import type { DependencyFlowStep } from "../../../engine/dialect/index.ts";
import { type GraphHooks, validateGraph } from "../../../engine/graph/index.ts";
import { drive, statuses } from "./drive.ts";
import { fixtureGraph, loadGraphWorkflow } from "./graph-fixtures.ts";

const graph = fixtureGraph("seed-release.yaml");
const step = loadGraphWorkflow("seed-release.yaml").steps[0] as DependencyFlowStep;

function hooks(values: Record<string, boolean>, asked: string[] = []): GraphHooks {
  return {
    evaluateCondition(taskId, source) {
      asked.push(`${taskId}: ${source}`);
      const name = /\{\{\s*(?:config\.)?(\w+)\s*\}\}/.exec(source)?.[1] ?? "";
      return values[name] ?? false;
    },
  };
}

describe("the seed's dependencies block", () => {
  it("normalises the short form: needs, conditions and priority in declaration order", () => {
    expect(graph.tasks.map((task) => [task.id, task.needs, task.when, task.priority])).toEqual([
      ["analyze", [], [], 0],
      ["parallel_checks", ["analyze"], ["{{ config.deep_check }}"], 0],
      ["build", ["parallel_checks"], [], 10],
      ["deploy", ["build"], ["{{ all_checks_passed }}"], 0],
    ]);
    expect(validateGraph(graph)).toEqual([]);
    expect(step.parallel_limit).toBe(5);
  });

  it("runs every task in dependency order when the conditions hold", () => {
    const asked: string[] = [];
    const run = drive(graph, {
      parallelLimit: step.parallel_limit,
      hooks: hooks({ deep_check: true, all_checks_passed: true }, asked),
    });
    expect(run.claims).toEqual(["analyze", "parallel_checks", "build", "deploy"]);
    expect(Object.values(statuses(run.state))).toEqual(["success", "success", "success", "success"]);
    expect(asked).toEqual(["parallel_checks: {{ config.deep_check }}", "deploy: {{ all_checks_passed }}"]);
  });

  it("skips deploy when the checks did not pass", () => {
    const run = drive(graph, { hooks: hooks({ deep_check: true, all_checks_passed: false }) });
    expect(statuses(run.state)).toEqual({
      analyze: "success",
      parallel_checks: "success",
      build: "success",
      deploy: "skipped",
    });
  });

  it("a skipped check skips build and deploy (all_success) without asking deploy's condition", () => {
    const asked: string[] = [];
    const run = drive(graph, { hooks: hooks({ deep_check: false, all_checks_passed: true }, asked) });
    expect(run.claims).toEqual(["analyze"]);
    expect(statuses(run.state)).toEqual({
      analyze: "success",
      parallel_checks: "skipped",
      build: "skipped",
      deploy: "skipped",
    });
    expect(asked).toEqual(["parallel_checks: {{ config.deep_check }}"]);
  });

  it("a failed build makes deploy upstream_failed", () => {
    const run = drive(graph, {
      hooks: hooks({ deep_check: true, all_checks_passed: true }),
      outcome: (task) =>
        task.id === "build"
          ? { status: "failed", error: { code: "step.failed", message: "no" } }
          : { status: "success" },
    });
    expect(statuses(run.state).deploy).toBe("upstream_failed");
    expect(run.state.tasks[2]?.error).toEqual({ code: "step.failed", message: "no" });
  });
});
