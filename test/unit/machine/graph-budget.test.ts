/**
 * What a transition hands the runtime: only the task records it changed, all of them when a
 * graph starts, none when nothing changed; and a graph with more ready tasks than one
 * transition may start goes on from an immediate timer until it is done.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { MAX_TASK_STARTS_PER_TRANSITION, transition } from "../../../engine/machine/index.ts";
import { loadSource, ScriptedAgent } from "./agent.ts";
import { loadGraphFixture } from "./graph-fixtures.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

describe("changed records", () => {
  it("a new graph reports every record; a hand-out one; a wait none", () => {
    const agent = new ScriptedAgent(loadGraphFixture("agents-run.yaml"), evaluator);
    expect([...agent.rows.keys()]).toEqual([0, 1, 2]);
    const context = () => ({ now: agent.now, evaluator, graph: agent.graph! });
    const handOut = transition(agent.definition, agent.run, { kind: "next" }, context());
    expect(handOut.graph).toMatchObject({ created: false });
    expect(handOut.graph!.changed.map((record) => record.id)).toEqual(["review_api"]);
    expect(handOut.graph!.changed[0]!.deadline).toBe(agent.now + 60_000);
    agent.run = handOut.run;
    agent.steps();
    const wait = transition(agent.definition, agent.run, { kind: "next" }, context());
    expect(wait.next).toMatchObject({ status: "wait" });
    expect(wait.graph).toBeUndefined();
  });

  it("a running graph without its records is refused; records of another checkpoint too", () => {
    const agent = new ScriptedAgent(loadGraphFixture("agents-run.yaml"), evaluator);
    expect(() =>
      transition(agent.definition, agent.run, { kind: "next" }, { now: agent.now, evaluator }),
    ).toThrow(expect.objectContaining({ code: "run.graph_missing" }));
    const other = new ScriptedAgent(loadGraphFixture("seed-run.yaml"), evaluator);
    expect(() =>
      transition(
        agent.definition,
        agent.run,
        { kind: "next" },
        { now: agent.now, evaluator, graph: other.graph! },
      ),
    ).toThrow(expect.objectContaining({ code: "run.graph_mismatch" }));
  });
});

describe("large graphs go on across transitions", () => {
  it(`25,000 no-op branches: ${MAX_TASK_STARTS_PER_TRANSITION} per transition, then an immediate timer`, () => {
    const source = `name: "graph:wide"
description: "a wide fan-out of no-op tasks"
version: "1.0.0"
default_state:
  state:
    after: false
dependencies:
  seed: []
  work:
    needs: [seed]
    for_each: "{{ Array.from({length: 25000}, (_, i) => i) }}"
  done: [work]
steps:
  - id: run_graph
    type: dependency_flow
    parallel_limit: 1000
  - id: mark
    type: set_state
    state_update: { path: "this.after", value: true }
`;
    const agent = new ScriptedAgent(loadSource(source), evaluator);
    expect(agent.rows.size).toBe(25_003);
    expect(agent.graph!.counts.success).toBe(MAX_TASK_STARTS_PER_TRANSITION); // seed and 9,999 branches
    expect(agent.run.timers).toEqual([expect.objectContaining({ kind: "graph", at: agent.now })]);
    // every transition starts up to the budget: an agent's call moves the graph on too
    agent.evict();
    expect(agent.next()).toMatchObject({ status: "wait", retryAfterMs: 0 });
    expect(agent.graph!.counts.success).toBe(2 * MAX_TASK_STARTS_PER_TRANSITION);
    agent.wakeUp();
    expect(agent.run.status).toBe("completed");
    expect(agent.run.timers).toEqual([]);
    expect(agent.graph!.counts.success).toBe(25_003);
    expect(agent.run.main.state.state.after).toBe(true);
    expect(agent.run.graph).toMatchObject({ status: "finished", total: 25_003, threads: {} });
  });
});
