import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { nextWakeAt } from "../../../engine/machine/index.ts";
import { loadFixture, loadSource, ScriptedAgent } from "./agent.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

describe("waits.yaml", () => {
  it("sleeps on a timer, yields to the agent once, then validates input", () => {
    const agent = new ScriptedAgent(loadFixture("waits.yaml"), evaluator);
    expect(agent.run.status).toBe("waiting");
    expect(nextWakeAt(agent.run)).toBe(agent.now + 60_000);
    expect(agent.next()).toMatchObject({
      status: "wait",
      message: "Sleeping a minute",
      retryAfterMs: 60_000,
    });

    agent.advanceTime(30_000);
    expect(agent.run.main.state.state.woke).toBe(false);
    agent.advanceTime(30_000);
    expect(agent.run.main.state.state.woke).toBe(true);
    expect(agent.run.status).toBe("running");

    // the poll point hands control back once, then the workflow moves on
    expect(agent.next()).toMatchObject({ status: "wait" });
    const [ask] = agent.steps();
    expect(ask).toMatchObject({ id: "ask_age", type: "user_input", attempt: 1 });

    agent.complete("ask_age", { user_input: "very old" });
    const [again] = agent.steps();
    expect(again).toMatchObject({ id: "ask_age", attempt: 2 });
    expect(again!.definition.previous_error).toMatch(/whole number/);

    agent.complete("ask_age", "42");
    expect(agent.run.main.state.state.age).toBe(42);
    expect(agent.run.status).toBe("completed");
  });

  it("gives up after max_retries bad answers", () => {
    const agent = new ScriptedAgent(loadFixture("waits.yaml"), evaluator);
    agent.wakeUp();
    agent.next();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(agent.steps()).toMatchObject([{ id: "ask_age", attempt }]);
      agent.complete("ask_age", "abc");
    }
    expect(agent.run.status).toBe("failed");
    expect(agent.run.error?.code).toBe("step.validation_failed");
  });

  it("a timer firing twice (a replayed alarm) changes nothing the second time", () => {
    const agent = new ScriptedAgent(loadFixture("waits.yaml"), evaluator);
    agent.wakeUp();
    const after = structuredClone(agent.run);
    agent.advanceTime(0);
    expect(agent.run.main).toEqual(after.main);
  });
});

describe("cancel and external state updates", () => {
  it("applies agent state updates, rejects read-only paths, and cancels", () => {
    const agent = new ScriptedAgent(loadFixture("waits.yaml"), evaluator);
    const update = (updates: { path: string; value: unknown; operation?: string }[]) =>
      agent.finish({ kind: "update_state", updates });
    update([
      { path: "this.age", value: 3 },
      { path: "this.age", value: 4, operation: "increment" },
    ]);
    expect(agent.run.main.state.state.age).toBe(7);
    expect(() => update([{ path: "inputs.x", value: 1 }])).toThrow(/read-only|read only/);
    expect(() => update([{ path: "this.age", value: 1, operation: "explode" }])).toThrow(
      /unknown state update/,
    );

    expect(agent.finish({ kind: "cancel", reason: "user asked" })).toEqual({ status: "cancelled" });
    expect(agent.run).toMatchObject({ status: "cancelled", timers: [] });
    expect(agent.next()).toEqual({ status: "cancelled" });
    expect(() => agent.finish({ kind: "cancel" })).toThrow(/cancelled/);
  });
});

const DEADLINED = `name: "test:deadline"
description: "a run with a time limit"
version: "1.0.0"
config:
  timeout_seconds: 600
steps:
  - id: "ask"
    type: "mcp_call"
    tool: "slow_tool"
  - id: "done"
    type: "user_message"
    message: "done"
`;

describe("config.timeout_seconds", () => {
  it("wakes the run at its deadline and fails it with run.timeout", () => {
    const agent = new ScriptedAgent(loadSource(DEADLINED), evaluator);
    expect(agent.steps().map((step) => step.id)).toEqual(["ask"]);
    expect(nextWakeAt(agent.run)).toBe(agent.now + 600_000);
    agent.advanceTime(599_000);
    expect(agent.run.status).toBe("running");
    expect(agent.advanceTime(1_000)).toEqual({
      status: "failed",
      error: { code: "run.timeout", message: "the run did not finish within config.timeout_seconds (600 s)" },
    });
    expect(agent.run.timers).toEqual([]);
    expect(() => agent.complete("ask", { ok: true })).toThrow(/failed/);
  });

  it("ends a run past its deadline on the agent's next call, even before the alarm", () => {
    const agent = new ScriptedAgent(loadSource(DEADLINED), evaluator);
    agent.steps();
    agent.now += 600_001;
    expect(agent.next()).toMatchObject({ status: "failed", error: { code: "run.timeout" } });
  });

  it("leaves a run that ends in time alone, and a run without the setting has no deadline", () => {
    const agent = new ScriptedAgent(loadSource(DEADLINED), evaluator);
    agent.steps();
    agent.complete("ask", { ok: true });
    expect(agent.steps().map((step) => step.id)).toEqual(["done"]);
    expect(agent.next()).toEqual({ status: "completed" });
    expect(agent.run.timers).toEqual([]);
    const unlimited = new ScriptedAgent(
      loadSource(DEADLINED.replace("  timeout_seconds: 600\n", "  other: 1\n")),
      evaluator,
    );
    expect(unlimited.run.deadlineAt).toBeUndefined();
    expect(nextWakeAt(unlimited.run)).toBeUndefined();
  });
});
