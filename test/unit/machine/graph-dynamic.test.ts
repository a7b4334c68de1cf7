/**
 * Dynamic task generation from a task's result: `{add_tasks, add_edges}` on a completed step
 * adds tasks and edges to the running graph; a refused addition (a cycle, an edge into a finished
 * task, a bad task) fails the completion with the graph's error and changes nothing.
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

const mark = (name: string) => [
  {
    id: `${name}_mark`,
    type: "set_state",
    state_update: { path: "this.ran", operation: "append", value: name },
  },
];

const PLAN = {
  add_tasks: {
    build_a: { needs: ["plan"], run: mark("build_a") },
    build_b: { needs: ["build_a"], priority: 3, run: mark("build_b") },
    check: ["plan"],
  },
  add_edges: [
    { from: "build_b", to: "ship" },
    { from: "check", to: "ship" },
  ],
};

function start(): ScriptedAgent {
  const agent = new ScriptedAgent(loadGraphFixture("dynamic-run.yaml"), evaluator);
  expect(agent.steps()).toEqual([expect.objectContaining({ id: "make_plan", task_id: "plan" })]);
  return agent;
}

describe("dynamic task generation", () => {
  it("a planning task's result adds tasks and edges; ship waits for them", () => {
    const agent = start();
    expect(agent.complete("make_plan", PLAN, "plan")).toEqual({ status: "completed" });
    expect(agent.run.main.state.state.ran).toEqual(["build_a", "build_b", "ship"]);
    expect(agent.graph!.tasks.map((task) => [task.id, task.origin, task.status, task.addedBy])).toEqual([
      ["plan", "graph", "success", undefined],
      ["ship", "graph", "success", undefined],
      ["build_a", "dynamic", "success", "plan"],
      ["build_b", "dynamic", "success", "plan"],
      ["check", "dynamic", "success", "plan"],
    ]);
    expect(Object.keys(agent.run.main.state.state.results as object)).toEqual([
      "plan",
      "ship",
      "build_a",
      "build_b",
      "check",
    ]);
  });

  it("an addition that would close a cycle is refused as a whole; a corrected one is accepted", () => {
    const agent = start();
    const rowsBefore = new Map(agent.rows);
    const runBefore = JSON.stringify(agent.run);
    const cyclic = { add_tasks: { extra: ["ship"] }, add_edges: [{ from: "extra", to: "ship" }] };
    expect(() => agent.complete("make_plan", cyclic, "plan")).toThrow(
      expect.objectContaining({
        code: "graph.dynamic_cycle",
        message: expect.stringContaining("ship → extra → ship"),
      }),
    );
    expect(agent.rows).toEqual(rowsBefore);
    expect(JSON.stringify(agent.run)).toBe(runBefore);
    expect(agent.graph!.tasks).toHaveLength(2);
    // the step is still out with the agent, who sends a corrected plan
    expect(agent.complete("make_plan", PLAN, "plan")).toEqual({ status: "completed" });
  });

  it("self-edges, unknown tasks, edges into finished tasks and bad tasks are refused with their code", () => {
    const agent = start();
    const refused = (result: unknown) => {
      try {
        agent.complete("make_plan", result, "plan");
      } catch (error) {
        return (error as { code: string }).code;
      }
      return "accepted";
    };
    expect(refused({ add_tasks: { loop: ["loop"] } })).toBe("graph.self_edge");
    expect(refused({ add_edges: [{ from: "nowhere", to: "ship" }] })).toBe("graph.unknown_task");
    expect(refused({ add_edges: [{ from: "ship", to: "plan" }] })).toBe("graph.edge_into_finished");
    expect(refused({ add_tasks: { bad: { needs: ["plan"], priority: 1.5 } } })).toBe("graph.bad_priority");
    expect(refused({ add_tasks: { main: [] } })).toBe("graph.bad_task_name");
    expect(refused({ add_tasks: { plan: [] } })).toBe("graph.duplicate_task");
    expect(refused({ add_edges: "ship" })).toBe("graph.invalid_task");
    expect(agent.graph!.tasks).toHaveLength(2);
    expect(refused({ add_tasks: {} })).toBe("accepted");
    expect(agent.run.status).toBe("completed");
  });
});
