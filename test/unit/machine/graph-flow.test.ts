/**
 * `dependency_flow` in the step machine: the seed's example block, a diamond in priority order,
 * conditional skip chains and failures, with the graph's task records kept outside the run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { ScriptedAgent } from "./agent.ts";
import { loadGraphFixture } from "./graph-fixtures.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

function statuses(agent: ScriptedAgent): Record<string, string> {
  return Object.fromEntries((agent.graph?.tasks ?? []).map((task) => [task.id, task.status]));
}

describe("the seed's example dependencies block", () => {
  const definition = () => loadGraphFixture("seed-run.yaml");

  it("runs to completion at start: every milestone succeeds, store_results gets the tasks scope", () => {
    const agent = new ScriptedAgent(definition(), evaluator);
    expect(statuses(agent)).toEqual({
      analyze: "success",
      parallel_checks: "success",
      build: "success",
      deploy: "success",
    });
    expect(agent.run.graph).toMatchObject({ stepId: "run_graph", status: "finished", total: 4, threads: {} });
    expect(agent.run.main.state.state.graph_results).toEqual({
      analyze: { status: "success" },
      parallel_checks: { status: "success" },
      build: { status: "success" },
      deploy: { status: "success" },
    });
    expect(agent.steps()).toEqual([expect.objectContaining({ id: "report" })]);
    expect(agent.transcript).toEqual(["report:user_message:deploy: success"]);
    expect(agent.next()).toEqual({ status: "completed" });
  });

  it("a false condition on state skips deploy; the run still completes", () => {
    const agent = new ScriptedAgent(definition(), evaluator, { inputs: { checks_passed: false } });
    expect(statuses(agent)).toMatchObject({ build: "success", deploy: "skipped" });
    agent.steps();
    expect(agent.transcript).toEqual(["report:user_message:deploy: skipped"]);
  });

  it("the graph lives outside the run: RunState holds a marker of a few fields", () => {
    const agent = new ScriptedAgent(definition(), evaluator);
    expect(Object.keys(agent.run.graph!).sort()).toEqual(
      [
        "counts",
        "finishedAt",
        "parallelLimit",
        "ref",
        "startedAt",
        "status",
        "stepId",
        "threads",
        "total",
      ].sort(),
    );
    expect(JSON.stringify(agent.run)).not.toContain("upstreamPending");
    expect(agent.rows.size).toBe(4);
  });
});

describe("diamond fan-out / fan-in of server-side tasks", () => {
  it("runs in priority order under parallel_limit 1, on the workflow's state", () => {
    const agent = new ScriptedAgent(loadGraphFixture("diamond-run.yaml"), evaluator);
    expect(agent.run.main.state.state.order).toEqual(["prepare", "right", "left", "merge saw 111"]);
    expect(agent.steps()[0]!.definition.message).toBe("prepare, right, left, merge saw 111");
    expect(agent.next()).toEqual({ status: "completed" });
  });
});

describe("conditional skip chains", () => {
  const run = (inputs: Record<string, unknown>) =>
    new ScriptedAgent(loadGraphFixture("skip-chain-run.yaml"), evaluator, { inputs });

  it("a skipped task skips its all_success chain; none_failed and all_done tasks still run", () => {
    const agent = run({ deep: false });
    expect(statuses(agent)).toEqual({
      fetch: "success",
      deep_scan: "skipped",
      report: "skipped",
      notify: "success",
      alert: "skipped",
      cleanup: "success",
    });
    expect(agent.run.main.state.state.ran).toEqual(["fetch", "notify", "cleanup"]);
    expect(agent.run.status).toBe("completed");
  });

  it("with the condition true, everything but the alert runs", () => {
    const agent = run({ deep: true });
    expect(agent.run.main.state.state.ran).toEqual(["fetch", "deep_scan", "report", "notify", "cleanup"]);
  });

  it("a failed task: its dependents are upstream_failed, one_failed fires, all_done cleans up", () => {
    const agent = run({ deep: true, break_fetch: true });
    expect(statuses(agent)).toEqual({
      fetch: "failed",
      deep_scan: "upstream_failed",
      report: "upstream_failed",
      notify: "upstream_failed",
      alert: "success",
      cleanup: "success",
    });
    // the failing step's own state change was rolled back; the failure was handled downstream
    expect(agent.run.main.state.state.ran).toEqual(["fetch", "alert", "cleanup"]);
    expect(agent.run.status).toBe("completed");
    const results = agent.run.main.state.state.results as Record<string, { status: string; error?: unknown }>;
    expect(results.fetch).toMatchObject({ status: "failed", error: { code: "state.type_mismatch" } });
  });
});
