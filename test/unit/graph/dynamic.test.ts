/**
 * @module
 * Dynamic task generation (test/fixtures/graph/dynamic.yaml): a running task's result adds
 * tasks and edges; bad additions (cycles, edges into started or finished tasks, unknown names,
 * invalid tasks) are refused as a whole and change nothing.
 */
import { describe, expect, it } from "vitest";
import {
  addTasks,
  claimReady,
  completeTask,
  createGraphRun,
  type GraphEdge,
  type GraphRunState,
  validateAddition,
} from "../../../engine/graph/index.ts";
import { drive, statuses, TRUE_HOOKS } from "./drive.ts";
import { fixtureGraph } from "./graph-fixtures.ts";

const graph = fixtureGraph("dynamic.yaml");
const options = { hooks: TRUE_HOOKS, now: 5 };

interface Plan {
  tasks: Record<string, unknown>;
  edges: GraphEdge[];
}

function planned(): GraphRunState {
  const state = createGraphRun(graph, { hooks: TRUE_HOOKS, now: 0 });
  claimReady(state, { now: 1 });
  return state;
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe("dynamic task generation", () => {
  it("tasks generated from a task's result run, and the task they feed waits for them", () => {
    const plan: Plan = {
      tasks: {
        compile: ["plan"],
        test_unit: { needs: ["compile"], priority: 3 },
        test_e2e: ["compile"],
      },
      edges: [
        { from: "test_unit", to: "ship" },
        { from: "test_e2e", to: "ship" },
      ],
    };
    const run = drive(graph, {
      parallelLimit: 2,
      outcome: (task, state) => {
        if (task.id === "plan") {
          const added = addTasks(state, plan.tasks, plan.edges, { ...options, addedBy: "plan" });
          expect(added.added.map((record) => [record.id, record.origin, record.addedBy])).toEqual([
            ["compile", "dynamic", "plan"],
            ["test_unit", "dynamic", "plan"],
            ["test_e2e", "dynamic", "plan"],
          ]);
          return { status: "success", result: plan };
        }
        return { status: "success" };
      },
    });
    expect(run.claims).toEqual(["plan", "compile", "test_unit", "test_e2e", "ship"]);
    expect(Object.values(statuses(run.state))).toEqual(Array(5).fill("success"));
  });

  it("an edge from a finished task counts at once; one into a ready task sends it back to waiting", () => {
    const state = createGraphRun(
      {
        tasks: [
          ...graph.tasks,
          { id: "other", needs: [], when: [], priority: 0, triggerRule: "all_success", retries: 0 },
        ],
      },
      { hooks: TRUE_HOOKS, now: 0 },
    );
    claimReady(state, { now: 1, limit: 1 });
    completeTask(state, "plan", { status: "success" }, options);
    expect(statuses(state)).toMatchObject({ ship: "ready", other: "ready" });
    addTasks(state, { lint: ["plan"] }, [{ from: "lint", to: "ship" }], options);
    expect(statuses(state)).toMatchObject({ ship: "waiting", other: "ready", lint: "ready" });
    expect(claimReady(state, { now: 6 }).claimed.map((task) => task.id)).toEqual(["other", "lint"]);
    completeTask(state, "lint", { status: "success" }, options);
    expect(claimReady(state, { now: 7 }).claimed.map((task) => task.id)).toEqual(["ship"]);
  });

  it("an addition that would form a cycle is graph.dynamic_cycle, listing it, and changes nothing", () => {
    const state = planned();
    addTasks(state, { gen_a: ["plan"], gen_b: ["gen_a"] }, [{ from: "gen_b", to: "ship" }], options);
    const before = JSON.stringify(state);
    const tasks = { late: ["ship"] };
    const edges = [{ from: "late", to: "gen_a" }];
    expect(validateAddition(state, tasks, edges)).toEqual([
      {
        code: "graph.dynamic_cycle",
        message: "the added tasks and edges would form a cycle: ship → late → gen_a → gen_b → ship",
        severity: "error",
        task: "ship",
      },
    ]);
    expect(codeOf(() => addTasks(state, tasks, edges, options))).toBe("graph.dynamic_cycle");
    expect(JSON.stringify(state)).toBe(before);
    expect(codeOf(() => addTasks(state, {}, [{ from: "ship", to: "gen_a" }], options))).toBe(
      "graph.dynamic_cycle",
    );
  });

  it("refuses edges into started or finished tasks", () => {
    const state = planned();
    expect(validateAddition(state, { x: [] }, [{ from: "x", to: "plan" }]).map((d) => d.message)).toEqual([
      'an edge from "x" cannot go into "plan": it has started',
    ]);
    completeTask(state, "plan", { status: "success" }, options);
    claimReady(state, { now: 6 });
    completeTask(state, "ship", { status: "success" }, options);
    expect(codeOf(() => addTasks(state, { x: [] }, [{ from: "x", to: "ship" }], options))).toBe(
      "graph.edge_into_finished",
    );
  });

  it("refuses unknown names, existing or reserved names, self-edges, bad priorities and invalid tasks", () => {
    const state = planned();
    const codes = (tasks: unknown, edges: GraphEdge[] = []) =>
      validateAddition(state, tasks, edges).map((diagnostic) => diagnostic.code);
    expect(codes({ x: ["nowhere"] })).toEqual(["graph.unknown_task"]);
    expect(codes({}, [{ from: "plan", to: "nowhere" }])).toEqual(["graph.unknown_task"]);
    expect(codes({ plan: [] })).toEqual(["graph.duplicate_task"]);
    expect(codes({ constructor: [] })).toEqual(["graph.bad_task_name"]);
    expect(codes({ "1x": [] })).toEqual(["graph.bad_task_name"]);
    expect(codes({ x: ["x"] })).toEqual(["graph.self_edge"]);
    expect(codes({}, [{ from: "ship", to: "ship" }])).toEqual(["graph.self_edge"]);
    expect(codes({ x: { priority: 1.5 } })).toEqual(["graph.bad_priority"]);
    expect(codes({ x: { needs: "plan" } })).toEqual(["graph.invalid_task"]);
    expect(codes({ x: { trigger_rule: "sometimes" } })).toEqual(["graph.invalid_task"]);
    expect(codes([])).toEqual(["graph.invalid_task"]);
    expect(codes({}, [{ from: 1 } as unknown as GraphEdge])).toEqual(["graph.invalid_task"]);
  });

  it("a for_each branch is not a task edges can name", () => {
    const state = createGraphRun(
      {
        tasks: [
          {
            id: "fan",
            needs: [],
            when: [],
            priority: 0,
            triggerRule: "all_success",
            retries: 0,
            forEach: [1, 2],
          },
        ],
      },
      { hooks: TRUE_HOOKS, now: 0 },
    );
    expect(validateAddition(state, { x: ["fan[0]"] }).map((d) => d.code)).toEqual(["graph.unknown_task"]);
  });
});
