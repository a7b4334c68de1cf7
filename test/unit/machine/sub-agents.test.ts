import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { loadFixture, ScriptedAgent } from "./agent.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

describe("sub-agents.yaml", () => {
  it("runs one task per item, at most max_parallel at a time, each with its own state", () => {
    const files = ["a.ts", "b.js", "c.ts"];
    const agent = new ScriptedAgent(loadFixture("sub-agents.yaml"), evaluator, { inputs: { files } });

    const [fanOut] = agent.steps();
    expect(fanOut).toMatchObject({ id: "fan_out", type: "parallel_foreach" });
    const announced = fanOut!.definition.tasks as { task_id: string; inputs: unknown; prompt: string }[];
    expect(announced.map((task) => task.task_id)).toEqual(["process_file.item0", "process_file.item1"]);
    expect(announced[0]!.inputs).toEqual({ file_path: "a.ts" });
    expect(announced[0]!.prompt).toContain("process_file.item0");

    // the third task is queued until a slot frees up
    expect(agent.next("process_file.item2")).toMatchObject({ status: "wait" });
    expect(agent.next()).toMatchObject({ status: "wait", message: expect.stringMatching(/0 of 3/) });

    // two sub-agents work concurrently, interleaved
    const a = agent.steps("process_file.item0");
    const b = agent.steps("process_file.item1");
    expect(a.map((step) => step.id)).toEqual(["announce", "lint"]);
    expect(a[0]!.definition.message).toBe("Processing a.ts (task process_file.item0)");
    expect(a[1]).toMatchObject({
      task_id: "process_file.item0",
      definition: { parameters: { file: "a.ts", typescript: true } },
    });
    expect(b[1]!.definition.parameters).toEqual({ file: "b.js", typescript: false });

    agent.complete("lint", { errors: [] }, "process_file.item1");
    expect(agent.next("process_file.item1")).toEqual({ status: "completed" });
    expect(agent.run.tasks["process_file.item2"]!.queued).toBe(false);

    const more = agent.steps();
    expect(more[0]!.definition.tasks).toMatchObject([
      { task_id: "process_file.item2", inputs: { file_path: "c.ts" } },
    ]);

    // AroMCP-style prefixed step ids are accepted too
    agent.complete("process_file.item0.lint", { errors: ["x"] }, "process_file.item0");
    agent.steps("process_file.item2");
    agent.complete("lint", { errors: [] }, "process_file.item2");
    expect(agent.run.main.waitingFor).toBeUndefined();

    expect(agent.run.main.state.state.results).toMatchObject([
      { task_id: "process_file.item0", status: "completed", state: { ok: false, attempts: 1, is_ts: true } },
      { task_id: "process_file.item1", status: "completed", state: { ok: true, attempts: 1, is_ts: false } },
      { task_id: "process_file.item2", status: "completed", state: { ok: true } },
    ]);
    expect(agent.steps()[0]!.definition.message).toBe("2 of 3 files ok");
    expect(agent.next().status).toBe("completed");
  });

  it("an unknown task id is a clear error", () => {
    const agent = new ScriptedAgent(loadFixture("sub-agents.yaml"), evaluator, {
      inputs: { files: ["a.ts"] },
    });
    agent.steps();
    expect(() => agent.next("process_file.item9")).toThrow(/no sub-agent task/);
  });

  it("a failed task fails the parallel_foreach step", () => {
    const agent = new ScriptedAgent(loadFixture("sub-agents.yaml"), evaluator, {
      inputs: { files: ["a.ts"] },
    });
    agent.steps();
    agent.steps("process_file.item0");
    agent.fail("lint", "crashed", "process_file.item0");
    expect(agent.run.status).toBe("failed");
    expect(agent.run.error).toMatchObject({ code: "step.sub_agent_failed", path: "fan_out" });
  });
});
