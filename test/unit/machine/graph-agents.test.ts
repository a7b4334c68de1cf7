/**
 * Graph tasks handed to agents: each `next` of the main agent hands out a different task's step,
 * so two agents work at once; a claim past its task's timeout is taken back and handed out again,
 * and the late answer on the old claim is refused; `for_each` branches each get their item;
 * a run resumes from its checkpoint and its graph rows without handing anything out twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import type { ClientInstruction } from "../../../engine/machine/index.ts";
import { loadSource, ScriptedAgent } from "./agent.ts";
import { loadGraphFixture } from "./graph-fixtures.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

function only(steps: ClientInstruction[]): ClientInstruction {
  expect(steps).toHaveLength(1);
  return steps[0]!;
}

describe("client-side graph tasks", () => {
  it("two agents claim different tasks at once; the fan-in waits for both", () => {
    const agent = new ScriptedAgent(loadGraphFixture("agents-run.yaml"), evaluator);
    // both tasks ran their server steps when claimed, and now wait for agents
    expect(agent.run.main.state.state.started).toEqual(["review_api", "review_ui"]);
    expect(agent.run.graph!.threads).toHaveProperty("review_api");

    const first = only(agent.steps());
    const second = only(agent.steps());
    expect(first).toMatchObject({ id: "api_review", task_id: "review_api", claim: 1 });
    expect(first.definition.prompt).toBe("Review the API (review_api)");
    expect(second).toMatchObject({ id: "ui_review", task_id: "review_ui", claim: 1 });
    expect(agent.next()).toMatchObject({ status: "wait", message: expect.stringMatching(/2 with agents/) });

    // the second agent finishes first; the first agent's task is still out
    expect(agent.complete("ui_review", "ui ok", "review_ui")).toMatchObject({ status: "wait" });
    expect(agent.complete("api_review", "api ok", "review_api")).toEqual({ status: "ready" });

    const summary = agent.steps();
    expect(summary.map((step) => step.id)).toEqual(["summary_note", "summary_write"]);
    expect(summary[0]!.definition.message).toBe("Reviews: ui ok | api ok");
    expect(summary[1]!.definition.prompt).toBe("Summarise api ok and ui ok");
    expect(agent.complete("summary_write", "all good", "summary")).toEqual({ status: "ready" });
    expect(agent.steps()[0]!.definition.message).toBe("summary: all good");
    expect(agent.next()).toEqual({ status: "completed" });
    expect(agent.run.main.state.state.started).toEqual(["review_api", "review_ui"]);
  });

  it("a step not completed within timeout_seconds is handed out again; the old claim is refused", () => {
    const agent = new ScriptedAgent(loadGraphFixture("agents-run.yaml"), evaluator);
    const lost = only(agent.steps());
    expect(lost).toMatchObject({ task_id: "review_api", claim: 1 });
    agent.now += 30_000;
    const other = only(agent.steps());
    expect(other).toMatchObject({ task_id: "review_ui" });

    // review_api was handed out at t0 with a 60 s timeout: the alarm fires at t0 + 60 s
    agent.wakeUp();
    const again = only(agent.steps());
    expect(again).toMatchObject({ id: "api_review", task_id: "review_api", claim: 2 });
    expect(agent.graph!.tasks[0]).toMatchObject({ id: "review_api", expirations: 1, attempts: 2 });

    // the first agent answers late, on claim 1
    expect(() =>
      agent.finish({
        kind: "complete",
        stepId: "api_review",
        taskId: "review_api",
        status: "success",
        result: "late",
        claim: 1,
      }),
    ).toThrow(/claim 1 of task "review_api" has ended/);
    agent.finish({
      kind: "complete",
      stepId: "api_review",
      taskId: "review_api",
      status: "success",
      result: "on time",
      claim: 2,
    });
    agent.complete("ui_review", "ui ok", "review_ui");
    expect(agent.run.main.state.state.reviews).toEqual(["on time", "ui ok"]);
    // the task's server step did not run again when the step was handed out again
    expect(agent.run.main.state.state.started).toEqual(["review_api", "review_ui"]);
  });

  it("a task whose claim keeps expiring fails with graph.claim_expired after 3 hand-outs again", () => {
    const agent = new ScriptedAgent(loadGraphFixture("agents-run.yaml"), evaluator);
    agent.complete(only(agent.steps()).id, "api ok", "review_api");
    for (let round = 1; round <= 4; round += 1) {
      expect(only(agent.steps())).toMatchObject({ task_id: "review_ui", claim: round });
      agent.wakeUp();
    }
    expect(agent.graph!.tasks[1]).toMatchObject({
      status: "failed",
      error: { code: "graph.claim_expired" },
    });
    expect(agent.run.status).toBe("failed");
    expect(agent.run.error).toMatchObject({ code: "graph.claim_expired" });
  });

  it("resumes from the checkpoint and the rows alone: nothing handed out twice, nothing run twice", () => {
    const agent = new ScriptedAgent(loadGraphFixture("agents-run.yaml"), evaluator);
    const first = only(agent.steps());
    agent.evict();
    const second = only(agent.steps());
    expect(second.task_id).not.toBe(first.task_id);
    agent.evict();
    expect(agent.next()).toMatchObject({ status: "wait" });
    agent.complete(first.id, "one", first.task_id);
    agent.evict();
    agent.complete(second.id, "two", second.task_id);
    agent.evict();
    expect(only(agent.steps().filter((step) => step.type !== "user_message")).task_id).toBe("summary");
    expect(agent.run.main.state.state.started).toEqual(["review_api", "review_ui"]);
  });
});

describe("state writes for a graph task", () => {
  it("go to the workflow's state, which every task shares", () => {
    const agent = new ScriptedAgent(loadGraphFixture("agents-run.yaml"), evaluator);
    only(agent.steps());
    agent.finish({
      kind: "update_state",
      taskId: "review_api",
      updates: [{ path: "this.reviews", value: "draft", operation: "append" }],
    });
    expect(agent.run.main.state.state.reviews).toEqual(["draft"]);
    expect(agent.run.graph!.threads.review_api!.state.state).toEqual({});
    expect(() =>
      agent.finish({ kind: "update_state", taskId: "summary", updates: [{ path: "this.x", value: 1 }] }),
    ).toThrow(expect.objectContaining({ code: "run.step_not_pending" }));
  });
});

describe("completions without task_id", () => {
  it("go to the one task that has the step out; a step out for several branches needs it", () => {
    const agent = new ScriptedAgent(loadGraphFixture("agents-run.yaml"), evaluator);
    only(agent.steps());
    only(agent.steps());
    agent.complete("ui_review", "ui ok");
    expect(agent.run.main.state.state.reviews).toEqual(["ui ok"]);

    const fan = new ScriptedAgent(loadGraphFixture("fan-out-run.yaml"), evaluator);
    fan.complete(only(fan.steps()).id, { files: ["a.ts", "b.ts"] });
    only(fan.steps());
    only(fan.steps());
    expect(() => fan.complete("lint_file", { errors: 0 })).toThrow(
      /out for several graph tasks \(lint\[0\], lint\[1\]\): pass its task_id/,
    );
  });
});

describe("for_each branches handed to agents", () => {
  it("each branch gets its item and index; the fan-in reads every result in item order", () => {
    const agent = new ScriptedAgent(loadGraphFixture("fan-out-run.yaml"), evaluator);
    agent.complete(only(agent.steps()).id, { files: ["a.ts", "b.ts", "c.ts"] }, "list_files");
    const a = only(agent.steps());
    const b = only(agent.steps());
    expect(a).toMatchObject({
      task_id: "lint[0]",
      definition: { parameters: { file: "a.ts", position: 0 } },
    });
    expect(b).toMatchObject({
      task_id: "lint[1]",
      definition: { parameters: { file: "b.ts", position: 1 } },
    });
    expect(agent.next()).toMatchObject({ status: "wait" }); // parallel_limit 2
    agent.complete("lint_file", { errors: 2 }, "lint[1]");
    const c = only(agent.steps());
    expect(c).toMatchObject({ task_id: "lint[2]", definition: { parameters: { file: "c.ts" } } });
    agent.complete("lint_file", { errors: 3 }, "lint[2]");
    // the last branch ends the fan-out; the server-side fan-in runs, and so does the rest
    expect(agent.complete("lint_file", { errors: 1 }, "lint[0]")).toEqual({ status: "completed" });
    expect(agent.run.main.state.state.summary).toBe("1,2,3");
  });
});

describe("task names that are Object.prototype members", () => {
  it("toString and hasOwnProperty are tasks like any other", () => {
    const source = `name: "graph:proto-names"
description: "tasks named after Object.prototype members"
version: "1.0.0"
dependencies:
  toString:
    run:
      - { id: "a", type: "mcp_call", tool: "x" }
  hasOwnProperty:
    needs: [toString]
    run:
      - { id: "b", type: "mcp_call", tool: "y" }
steps:
  - id: "run_graph"
    type: "dependency_flow"
`;
    const agent = new ScriptedAgent(loadSource(source), evaluator);
    expect(only(agent.steps())).toMatchObject({ id: "a", task_id: "toString" });
    expect(agent.next()).toMatchObject({ status: "wait" });
    expect(() => agent.next("valueOf")).toThrow(expect.objectContaining({ code: "run.task_not_found" }));
    agent.complete("a", 1, "toString");
    expect(only(agent.steps())).toMatchObject({ id: "b", task_id: "hasOwnProperty" });
    expect(agent.complete("b", 2, "hasOwnProperty")).toEqual({ status: "completed" });
  });
});
